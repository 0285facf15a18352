package io.github.audioldm4j.analysis;

import io.github.audioldm4j.util.Check;

/** Input validation shared by the metrics: names the argument, the constraint and the value. */
final class Signals {
    private Signals() {}

    /** Requires a non-null, non-empty, all-finite waveform of at least {@code minLength} samples. */
    static float[] waveform(String name, float[] samples, int minLength) {
        return Check.waveform(name, samples, minLength);
    }

    /** Requires {@code reference} and {@code candidate} to have the same length; the message names both. */
    static void sameLength(float[] reference, float[] candidate) {
        if (reference.length != candidate.length) {
            throw new IllegalArgumentException("candidate.length must equal reference.length " + reference.length
                    + " (aligned signals; crop with Metrics.cropToCommonLength), got " + candidate.length);
        }
    }

    /** Validates a pair: both waveforms valid and equally long. */
    static void pair(float[] reference, float[] candidate, int minLength) {
        waveform("reference", reference, minLength);
        waveform("candidate", candidate, minLength);
        sameLength(reference, candidate);
    }

    static int sampleRate(int sampleRate) {
        return Check.positive("sampleRate", sampleRate);
    }
}
