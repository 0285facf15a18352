package io.github.audioldm4j.analysis;

import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.dsp.Stft;

/**
 * A validated, aligned reference/candidate pair and the spectra several metrics share, each computed
 * once on first use. Not thread-safe; one instance serves one {@link MetricSet#compute} call.
 */
public final class MetricInputs {
    private final float[] reference;
    private final float[] candidate;
    private final int sampleRate;
    private final Stft stft = Metrics.analysisStft();
    private Spectrogram referenceMagnitude;
    private Spectrogram candidateMagnitude;
    private Spectrogram referenceLogMel;
    private Spectrogram candidateLogMel;
    private SignalFeatures referenceFeatures;
    private SignalFeatures candidateFeatures;

    MetricInputs(float[] reference, float[] candidate, int sampleRate) {
        this.reference = reference;
        this.candidate = candidate;
        this.sampleRate = sampleRate;
    }

    public float[] reference() {
        return reference;
    }

    public float[] candidate() {
        return candidate;
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** Magnitude spectrogram of the reference ({@link Metrics#analysisStft}). */
    public Spectrogram referenceMagnitude() {
        if (referenceMagnitude == null) {
            referenceMagnitude = stft.magnitude(reference);
        }
        return referenceMagnitude;
    }

    public Spectrogram candidateMagnitude() {
        if (candidateMagnitude == null) {
            candidateMagnitude = stft.magnitude(candidate);
        }
        return candidateMagnitude;
    }

    /** AudioLDM2 log-mel of the reference ({@link Metrics#audioLdm2LogMel}). */
    public Spectrogram referenceLogMel() {
        if (referenceLogMel == null) {
            referenceLogMel = Metrics.audioLdm2LogMel(reference, sampleRate);
        }
        return referenceLogMel;
    }

    public Spectrogram candidateLogMel() {
        if (candidateLogMel == null) {
            candidateLogMel = Metrics.audioLdm2LogMel(candidate, sampleRate);
        }
        return candidateLogMel;
    }

    public SignalFeatures referenceFeatures() {
        if (referenceFeatures == null) {
            referenceFeatures = new SignalFeatures(BandEnergies.of(stft.power(reference), stft, reference.length,
                    sampleRate), SpectralShape.of(referenceMagnitude(), sampleRate));
        }
        return referenceFeatures;
    }

    public SignalFeatures candidateFeatures() {
        if (candidateFeatures == null) {
            candidateFeatures = new SignalFeatures(BandEnergies.of(stft.power(candidate), stft, candidate.length,
                    sampleRate), SpectralShape.of(candidateMagnitude(), sampleRate));
        }
        return candidateFeatures;
    }
}
