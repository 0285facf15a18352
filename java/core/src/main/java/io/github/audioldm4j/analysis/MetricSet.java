package io.github.audioldm4j.analysis;

import io.github.audioldm4j.util.Check;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The metrics of a candidate waveform against a reference: the value of every {@link MetricRegistry}
 * metric (empty where it does not apply), and the band levels and spectral shapes of both signals.
 * Immutable.
 */
public final class MetricSet {
    private final Map<String, OptionalDouble> values;
    private final SignalFeatures reference;
    private final SignalFeatures candidate;

    /**
     * @param values a value (possibly empty) for every key of {@link MetricRegistry#all()}, in any order
     * @param reference the reference's features
     * @param candidate the candidate's features (same bands)
     */
    public MetricSet(Map<String, OptionalDouble> values, SignalFeatures reference, SignalFeatures candidate) {
        Check.notNull("values", values);
        Check.notNull("reference", reference);
        Check.notNull("candidate", candidate);
        if (!reference.bands().bands().equals(candidate.bands().bands())) {
            throw new IllegalArgumentException("candidate bands must equal the reference bands "
                    + reference.bands().bands() + ", got " + candidate.bands().bands());
        }
        Map<String, OptionalDouble> ordered = new LinkedHashMap<>();
        for (Metric m : MetricRegistry.all()) {
            OptionalDouble v = values.get(m.key());
            if (v == null) {
                throw new IllegalArgumentException("values must hold metric \"" + m.key() + "\", got keys "
                        + values.keySet());
            }
            ordered.put(m.key(), v);
        }
        if (values.size() != ordered.size()) {
            throw new IllegalArgumentException("values must hold only the registry's metrics " + ordered.keySet()
                    + ", got keys " + values.keySet());
        }
        this.values = Collections.unmodifiableMap(ordered);
        this.reference = reference;
        this.candidate = candidate;
    }

    /**
     * Computes every registered metric.
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
        MetricInputs in = new MetricInputs(reference, candidate, sampleRate);
        Map<String, OptionalDouble> values = new LinkedHashMap<>();
        List<Metric> all = MetricRegistry.all();
        for (Metric m : all) {
            values.put(m.key(), m.compute().apply(in));
        }
        return new MetricSet(values, in.referenceFeatures(), in.candidateFeatures());
    }

    /** The value of a metric (empty where it does not apply, e.g. above 8 kHz at 16 kHz). */
    public OptionalDouble value(Metric metric) {
        Check.notNull("metric", metric);
        return value(metric.key());
    }

    /**
     * The value of the metric with this key.
     *
     * @throws IllegalArgumentException for an unknown key
     */
    public OptionalDouble value(String key) {
        OptionalDouble v = values.get(key);
        if (v == null) {
            MetricRegistry.get(key); // throws naming the keys
        }
        return v;
    }

    /** All values by key, in registry order. */
    public Map<String, OptionalDouble> values() {
        return values;
    }

    public SignalFeatures reference() {
        return reference;
    }

    public SignalFeatures candidate() {
        return candidate;
    }

    // convenience accessors for the metrics the project started with

    /** AudioSR/NVSR LSD, lower is better. */
    public double logSpectralDistance() {
        return value(MetricRegistry.LSD).getAsDouble();
    }

    /** auraloss multi-resolution STFT distance, lower is better. */
    public double multiResolutionStft() {
        return value(MetricRegistry.MULTI_RESOLUTION_STFT).getAsDouble();
    }

    /** AudioLDM2 log-mel mean absolute difference (nepers), lower is better. */
    public double logMelL1() {
        return value(MetricRegistry.LOG_MEL_L1).getAsDouble();
    }

    /** SI-SDR in dB, higher is better ({@code +Infinity} for an exact match). */
    public double siSdrDb() {
        return value(MetricRegistry.SI_SDR).getAsDouble();
    }

    /** Spectral convergence, lower is better. */
    public double spectralConvergence() {
        return value(MetricRegistry.SPECTRAL_CONVERGENCE).getAsDouble();
    }

    /** MCD in dB, lower is better. */
    public double melCepstralDistortionDb() {
        return value(MetricRegistry.MCD).getAsDouble();
    }

    public BandEnergies referenceBands() {
        return reference.bands();
    }

    public BandEnergies candidateBands() {
        return candidate.bands();
    }

    public SpectralShape referenceShape() {
        return reference.shape();
    }

    public SpectralShape candidateShape() {
        return candidate.shape();
    }

    /** Candidate minus reference level per band, in dB. */
    public double[] bandDifferenceDb() {
        double[] r = reference.bands().levelsDb();
        double[] c = candidate.bands().levelsDb();
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
        return value(MetricRegistry.HF_LOSS_4K);
    }

    /** As {@link #highFrequencyLossAbove4kDb()} above 8 kHz; empty when the sample rate is 16 kHz or lower. */
    public OptionalDouble highFrequencyLossAbove8kDb() {
        return value(MetricRegistry.HF_LOSS_8K);
    }

    @Override
    public String toString() {
        return "MetricSet" + values;
    }
}
