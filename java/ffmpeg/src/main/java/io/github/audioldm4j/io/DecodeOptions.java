package io.github.audioldm4j.io;

import io.github.audioldm4j.util.Check;

/**
 * Options for {@link AudioDecoder#decode(java.nio.file.Path, DecodeOptions)}.
 *
 * <p>Start from {@link #of(int)} and refine with the {@code with*} methods:
 *
 * <pre>{@code
 * DecodeOptions options = DecodeOptions.of(16_000).withOffset(2.0).withMaxDuration(10.24);
 * }</pre>
 *
 * @param targetSampleRate output sample rate in Hz, in [{@value #MIN_SAMPLE_RATE},
 *     {@value #MAX_SAMPLE_RATE}]
 * @param offsetSeconds seconds to skip at the start, {@code >= 0}; default 0. The skip is applied
 *     to the resampled output, so decoding with an offset gives exactly the samples
 *     {@code [round(offset * rate), ...)} of a full decode
 * @param maxDurationSeconds the most seconds to return, {@code > 0}, or
 *     {@link Double#POSITIVE_INFINITY} (the default) for no limit; the result has at most
 *     {@code round(maxDuration * rate)} samples and decoding stops once they are produced
 * @param downmix how several channels become one; default {@link Downmix#NORMALIZED}
 * @param strict if true (the default), corrupt packets, decoder errors and files shorter than
 *     their headers declare throw {@link AudioIOException}; if false they are skipped as the
 *     ffmpeg command line does and whatever decoded is returned
 */
public record DecodeOptions(int targetSampleRate, double offsetSeconds, double maxDurationSeconds,
        Downmix downmix, boolean strict) {
    /** Lowest accepted sample rate in Hz. */
    public static final int MIN_SAMPLE_RATE = 1_000;
    /** Highest accepted sample rate in Hz. */
    public static final int MAX_SAMPLE_RATE = 768_000;

    /** Validates every field; see the class description for the constraints. */
    public DecodeOptions {
        Check.inRange("targetSampleRate", targetSampleRate, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE);
        Check.nonNegative("offsetSeconds", offsetSeconds);
        if (!(maxDurationSeconds > 0)) {
            throw new IllegalArgumentException(
                    "maxDurationSeconds must be > 0 (or +Infinity for no limit), got " + maxDurationSeconds);
        }
        Check.notNull("downmix", downmix);
    }

    /** Decode to {@code targetSampleRate} from the start, no length limit, normalised downmix, strict. */
    public static DecodeOptions of(int targetSampleRate) {
        return new DecodeOptions(targetSampleRate, 0.0, Double.POSITIVE_INFINITY, Downmix.NORMALIZED, true);
    }

    /** A copy with another offset in seconds ({@code >= 0}). */
    public DecodeOptions withOffset(double seconds) {
        return new DecodeOptions(targetSampleRate, seconds, maxDurationSeconds, downmix, strict);
    }

    /** A copy with another length limit in seconds ({@code > 0}, or +Infinity for none). */
    public DecodeOptions withMaxDuration(double seconds) {
        return new DecodeOptions(targetSampleRate, offsetSeconds, seconds, downmix, strict);
    }

    /** A copy with another downmix mode. */
    public DecodeOptions withDownmix(Downmix mode) {
        return new DecodeOptions(targetSampleRate, offsetSeconds, maxDurationSeconds, mode, strict);
    }

    /** A copy with strict error handling on or off. */
    public DecodeOptions withStrict(boolean value) {
        return new DecodeOptions(targetSampleRate, offsetSeconds, maxDurationSeconds, downmix, value);
    }

    /** The offset in output samples, {@code round(offsetSeconds * targetSampleRate)}. */
    long offsetSamples() {
        return Math.round(offsetSeconds * targetSampleRate);
    }

    /** The sample limit, {@code round(maxDurationSeconds * targetSampleRate)}, or Long.MAX_VALUE. */
    long maxSamples() {
        if (Double.isInfinite(maxDurationSeconds)) {
            return Long.MAX_VALUE;
        }
        return Math.max(1, Math.round(maxDurationSeconds * targetSampleRate));
    }
}
