package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.io.AudioDecoder;
import io.github.audioldm4j.io.AudioIOException;
import io.github.audioldm4j.io.AudioInfo;
import io.github.audioldm4j.io.DecodeOptions;
import io.github.audioldm4j.util.Check;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads an audio file for the audio-in pipelines (reconstruction, SDEdit, the hybrids): mono at
 * the pipeline's rate, at most {@link AudioLength#MAX_SECONDS}. The duration is taken from the
 * container first, so an over-long file is refused before any of it is decoded (a 2-hour file
 * would be 1.75 GB of floats); when the header has no duration, decoding stops just past the
 * limit.
 */
public final class AudioInput {
    private AudioInput() {}

    /**
     * Decodes {@code file} to mono float32 at {@code sampleRate}.
     *
     * @throws IllegalArgumentException if the file is longer than {@link AudioLength#MAX_SECONDS}
     *     (naming the file, its duration and the limit)
     * @throws AudioIOException if the file cannot be read or decoded
     */
    public static float[] decode(Path file, int sampleRate) throws AudioIOException {
        Check.notNull("file", file);
        checkDuration(file, AudioDecoder.probe(file));
        // a limit just past the maximum: a file whose header lies or has no duration stops early
        float[] x = AudioDecoder.decode(file, DecodeOptions.of(sampleRate).withMaxDuration(AudioLength.MAX_SECONDS + 1.0))
                .samples();
        double seconds = x.length / (double) sampleRate;
        if (seconds > AudioLength.MAX_SECONDS) {
            throw tooLong(file, "more than " + AudioLength.MAX_SECONDS + " s decoded");
        }
        return x;
    }

    /** Refuses a file whose container declares more than {@link AudioLength#MAX_SECONDS}. */
    public static void checkDuration(Path file, AudioInfo info) {
        Check.notNull("info", info);
        double d = info.durationSeconds();
        // headers round; allow a few milliseconds over the limit
        if (Double.isFinite(d) && d > AudioLength.MAX_SECONDS + 0.01) {
            throw tooLong(file, String.format(Locale.ROOT, "%.2f s according to its %s header%s", d, info.container(),
                    info.durationEstimated() ? " (estimated)" : ""));
        }
    }

    private static IllegalArgumentException tooLong(Path file, String length) {
        return new IllegalArgumentException("audio input " + file + " is too long: " + length + "; the pipelines take"
                + " at most " + AudioLength.MAX_SECONDS + " s. Cut it first (DecodeOptions.withOffset/withMaxDuration,"
                + " or ffmpeg -t).");
    }
}
