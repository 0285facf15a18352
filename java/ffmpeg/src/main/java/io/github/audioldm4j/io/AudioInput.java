package io.github.audioldm4j.io;

import io.github.audioldm4j.util.Check;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads an audio file that must not exceed a duration, e.g. for the audio-in pipelines
 * (reconstruction, SDEdit, the hybrids: {@code AudioLength.MAX_SECONDS}): mono at a given rate.
 * The duration is taken from the container first, so an over-long file is refused before any of
 * it is decoded (a 2-hour file would be 1.75 GB of floats); when the header has no duration,
 * decoding stops just past the limit.
 */
public final class AudioInput {
    private AudioInput() {}

    /**
     * Decodes {@code file} to mono float32 at {@code sampleRate}, refusing more than {@code maxSeconds}.
     *
     * @throws IllegalArgumentException if the file is longer than {@code maxSeconds} (naming the file,
     *     its duration and the limit)
     * @throws AudioIOException if the file cannot be read or decoded
     */
    public static float[] decode(Path file, int sampleRate, double maxSeconds) throws AudioIOException {
        Check.notNull("file", file);
        Check.positive("maxSeconds", maxSeconds);
        DecodeOptions options = DecodeOptions.of(sampleRate); // validates the rate before the file is read
        checkDuration(file, AudioDecoder.probe(file), maxSeconds);
        // a limit just past the maximum: a file whose header lies or has no duration stops early
        float[] x = AudioDecoder.decode(file, options.withMaxDuration(maxSeconds + 1.0)).samples();
        if (x.length / (double) sampleRate > maxSeconds) {
            throw tooLong(file, "more than " + maxSeconds + " s decoded", maxSeconds);
        }
        return x;
    }

    /** Refuses a file whose container declares more than {@code maxSeconds}. */
    public static void checkDuration(Path file, AudioInfo info, double maxSeconds) {
        Check.notNull("info", info);
        double d = info.durationSeconds();
        // headers round; allow a few milliseconds over the limit
        if (Double.isFinite(d) && d > maxSeconds + 0.01) {
            throw tooLong(file, String.format(Locale.ROOT, "%.2f s according to its %s header%s", d, info.container(),
                    info.durationEstimated() ? " (estimated)" : ""), maxSeconds);
        }
    }

    private static IllegalArgumentException tooLong(Path file, String length, double maxSeconds) {
        return new IllegalArgumentException("audio input " + file + " is too long: " + length + "; at most "
                + maxSeconds + " s is taken. Cut it first (DecodeOptions.withOffset/withMaxDuration, or ffmpeg -t).");
    }
}
