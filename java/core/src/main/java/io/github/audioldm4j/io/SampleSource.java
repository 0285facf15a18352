package io.github.audioldm4j.io;

import io.github.audioldm4j.util.Check;
import java.io.IOException;

/**
 * A forward-only stream of mono float samples at a fixed rate: a file being decoded
 * ({@code AudioReader} in the ffmpeg module), an array, or the output of a chunked long-audio
 * stage. Reading never holds more than a bounded amount of audio in memory unless the source is
 * an array.
 *
 * <p>Not thread-safe. Close it to free what it holds (native decoder state, model windows).
 */
public interface SampleSource extends AutoCloseable {
    /** The rate of the samples, in Hz. */
    int sampleRate();

    /**
     * The number of samples the source will deliver from the start, when known before reading
     * (from a container header, or exactly for an array); -1 when unknown. A header's value is a
     * hint: the samples actually read decide.
     */
    long lengthHint();

    /**
     * Reads up to {@code length} samples into {@code buffer[offset..]}.
     *
     * @return the number of samples read, at least 1 when {@code length > 0} and the stream has
     *     not ended; -1 at the end of the stream
     * @throws IOException if the underlying file cannot be read or decoded
     */
    int read(float[] buffer, int offset, int length) throws IOException;

    @Override
    void close() throws IOException;

    /** Validates the arguments of {@link #read} (for implementations). */
    static void checkRead(float[] buffer, int offset, int length) {
        Check.notNull("buffer", buffer);
        if (offset < 0 || length < 0 || offset > buffer.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + " and length " + length
                    + " must lie inside a buffer of " + buffer.length);
        }
    }

    /** A source over an array (not copied; the array must not change while it is read). */
    static SampleSource of(float[] samples, int sampleRate) {
        Check.notNull("samples", samples);
        Check.positive("sampleRate", sampleRate);
        return new SampleSource() {
            private int position;

            @Override
            public int sampleRate() {
                return sampleRate;
            }

            @Override
            public long lengthHint() {
                return samples.length;
            }

            @Override
            public int read(float[] buffer, int offset, int length) {
                checkRead(buffer, offset, length);
                if (position >= samples.length) {
                    return -1;
                }
                int n = Math.min(length, samples.length - position);
                System.arraycopy(samples, position, buffer, offset, n);
                position += n;
                return n;
            }

            @Override
            public void close() {}
        };
    }

    /**
     * Reads the whole rest of the source into an array (for tests and short sources; a long
     * source does not fit in memory by design).
     *
     * @throws IllegalStateException if more than {@code maxSamples} samples remain
     */
    static float[] readAll(SampleSource source, int maxSamples) throws IOException {
        Check.notNull("source", source);
        Check.positive("maxSamples", maxSamples);
        float[] out = new float[(int) Math.min(maxSamples, Math.max(1 << 14, source.lengthHint() + 1))];
        int size = 0;
        while (true) {
            if (size == out.length) {
                if (size >= maxSamples) {
                    float[] probe = new float[1];
                    if (source.read(probe, 0, 1) > 0) {
                        throw new IllegalStateException("the source holds more than maxSamples = " + maxSamples
                                + " samples");
                    }
                    break;
                }
                out = java.util.Arrays.copyOf(out, (int) Math.min(maxSamples, 2L * out.length));
            }
            int n = source.read(out, size, out.length - size);
            if (n < 0) {
                break;
            }
            size += n;
        }
        return java.util.Arrays.copyOf(out, size);
    }
}
