package io.github.audioldm4j.analysis;

import io.github.audioldm4j.util.Check;

/**
 * What is measured on one signal alone: its band levels and spectral shape. Metrics that compare a
 * candidate with the reference's own value ({@link Direction#CLOSER_TO_REFERENCE}) read them.
 */
public record SignalFeatures(BandEnergies bands, SpectralShape shape) {
    public SignalFeatures {
        Check.notNull("bands", bands);
        Check.notNull("shape", shape);
    }

    /** Measures a waveform. */
    public static SignalFeatures measure(float[] waveform, int sampleRate) {
        return new SignalFeatures(BandEnergies.measure(waveform, sampleRate), SpectralShape.measure(waveform, sampleRate));
    }
}
