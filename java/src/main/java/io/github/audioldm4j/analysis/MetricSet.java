package io.github.audioldm4j.analysis;

import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.dsp.Stft;
import io.github.audioldm4j.util.Check;
import java.util.OptionalDouble;

/**
 * All metrics of a candidate waveform against a reference (see {@link Metrics}, {@link BandEnergies} and
 * {@link SpectralShape} for the formulas and sources).
 *
 * @param logSpectralDistance     AudioSR/NVSR LSD, lower is better
 * @param multiResolutionStft     auraloss multi-resolution STFT distance, lower is better
 * @param logMelL1                AudioLDM2 log-mel mean absolute difference (nepers), lower is better
 * @param siSdrDb                 SI-SDR in dB, higher is better ({@code +Infinity} for an exact match)
 * @param spectralConvergence     spectral convergence, lower is better
 * @param melCepstralDistortionDb MCD in dB, lower is better
 * @param referenceBands          band levels of the reference
 * @param candidateBands          band levels of the candidate (same bands)
 * @param referenceShape          spectral centroid/roll-off of the reference
 * @param candidateShape          spectral centroid/roll-off of the candidate
 */
public record MetricSet(
        double logSpectralDistance,
        double multiResolutionStft,
        double logMelL1,
        double siSdrDb,
        double spectralConvergence,
        double melCepstralDistortionDb,
        BandEnergies referenceBands,
        BandEnergies candidateBands,
        SpectralShape referenceShape,
        SpectralShape candidateShape) {

    /** Validates that the parts are present and the band lists match. */
    public MetricSet {
        Check.notNull("referenceBands", referenceBands);
        Check.notNull("candidateBands", candidateBands);
        Check.notNull("referenceShape", referenceShape);
        Check.notNull("candidateShape", candidateShape);
        if (!referenceBands.bands().equals(candidateBands.bands())) {
            throw new IllegalArgumentException("candidateBands.bands must equal referenceBands.bands "
                    + referenceBands.bands() + ", got " + candidateBands.bands());
        }
    }

    /**
     * Computes every metric.
     *
     * @param reference  finite samples, at least {@link Metrics#minimumLength(int)}
     * @param candidate  finite samples, exactly as long as the reference (see
     *                   {@link Metrics#cropToCommonLength(float[], float[])})
     * @param sampleRate Hz of both signals, {@code > 0}
     * @return the metrics
     */
    public static MetricSet compute(float[] reference, float[] candidate, int sampleRate) {
        Signals.sampleRate(sampleRate);
        Signals.pair(reference, candidate, Metrics.minimumLength(sampleRate));
        Stft stft = Metrics.analysisStft();
        Spectrogram refMag = stft.magnitude(reference);
        Spectrogram candMag = stft.magnitude(candidate);
        Spectrogram refMel = Metrics.audioLdm2LogMel(reference, sampleRate);
        Spectrogram candMel = Metrics.audioLdm2LogMel(candidate, sampleRate);
        return new MetricSet(
                Metrics.lsd(refMag, candMag),
                Metrics.multiResolutionStftDistance(reference, candidate),
                Metrics.logMelL1(refMel, candMel),
                Metrics.siSdr(reference, candidate),
                Metrics.spectralConvergence(reference, candidate),
                Metrics.melCepstralDistortion(refMel, candMel),
                BandEnergies.of(stft.power(reference), stft, reference.length, sampleRate),
                BandEnergies.of(stft.power(candidate), stft, candidate.length, sampleRate),
                SpectralShape.of(refMag, sampleRate),
                SpectralShape.of(candMag, sampleRate));
    }

    /** Candidate minus reference level per band, in dB. */
    public double[] bandDifferenceDb() {
        double[] r = referenceBands.levelsDb();
        double[] c = candidateBands.levelsDb();
        double[] d = new double[r.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = c[i] - r[i];
        }
        return d;
    }

    /**
     * High-frequency loss above 4 kHz: candidate minus reference level of everything at or above 4 kHz, in dB
     * (negative when the candidate lost high-frequency energy); empty when the sample rate is 8 kHz or lower.
     */
    public OptionalDouble highFrequencyLossAbove4kDb() {
        return differenceAbove(4000);
    }

    /** As {@link #highFrequencyLossAbove4kDb()} above 8 kHz; empty when the sample rate is 16 kHz or lower. */
    public OptionalDouble highFrequencyLossAbove8kDb() {
        return differenceAbove(8000);
    }

    private OptionalDouble differenceAbove(double hz) {
        OptionalDouble r = referenceBands.levelAboveDb(hz);
        OptionalDouble c = candidateBands.levelAboveDb(hz);
        return r.isPresent() && c.isPresent() ? OptionalDouble.of(c.getAsDouble() - r.getAsDouble())
                : OptionalDouble.empty();
    }
}
