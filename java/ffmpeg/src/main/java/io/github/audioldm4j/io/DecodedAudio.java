package io.github.audioldm4j.io;

import io.github.audioldm4j.util.Check;

/**
 * Decoded mono audio.
 *
 * <p>The record keeps the array it is given and returns it directly (no copies), and
 * {@code equals} compares the array by identity, as for any record with an array component.
 *
 * @param samples mono float32 samples, nominally in [-1, 1] (a decoder or an unnormalised
 *     downmix can produce values slightly outside)
 * @param sampleRate the sample rate of {@code samples} in Hz
 * @param source what the file's headers say about the stream that was decoded
 */
public record DecodedAudio(float[] samples, int sampleRate, AudioInfo source) {
    /** Validates that the samples and source are present and the rate is positive. */
    public DecodedAudio {
        Check.notNull("samples", samples);
        Check.positive("sampleRate", sampleRate);
        Check.notNull("source", source);
    }

    /** The length of {@link #samples()} in seconds. */
    public double durationSeconds() {
        return samples.length / (double) sampleRate;
    }

    @Override
    public String toString() {
        return "DecodedAudio[" + samples.length + " samples at " + sampleRate + " Hz from " + source + "]";
    }
}
