package io.github.audioldm4j.io;

import java.io.IOException;

/**
 * Receives mono float samples in order: a file being encoded ({@code AudioWriter} in the ffmpeg
 * module), an in-memory collector, or a streaming metric.
 */
@FunctionalInterface
public interface SampleSink {
    /** Takes {@code length} samples from {@code buffer[offset..]} (copied; the buffer may be reused). */
    void write(float[] buffer, int offset, int length) throws IOException;

    /**
     * Copies a source to this sink in blocks of {@code blockSamples}.
     *
     * @return the number of samples copied
     */
    static long copy(SampleSource from, SampleSink to, int blockSamples) throws IOException {
        io.github.audioldm4j.util.Check.notNull("from", from);
        io.github.audioldm4j.util.Check.notNull("to", to);
        io.github.audioldm4j.util.Check.positive("blockSamples", blockSamples);
        float[] block = new float[blockSamples];
        long total = 0;
        int n;
        while ((n = from.read(block, 0, block.length)) >= 0) {
            to.write(block, 0, n);
            total += n;
        }
        return total;
    }
}
