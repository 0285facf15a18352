package io.github.audioldm4j.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Every per-stage metric, in report order. Formulas and sources are in {@link Metrics},
 * {@link BandEnergies} and {@link SpectralShape}. To add a metric, add one entry here: the report's
 * table, its JSON ({@code metric_info} and each stage's {@code metrics}) and the console summary
 * list what this registry lists.
 */
public final class MetricRegistry {
    /** AudioSR/NVSR log-spectral distance. */
    public static final Metric LSD = new Metric("lsd", "LSD", "", Direction.LOWER, 0,
            in -> OptionalDouble.of(Metrics.lsd(in.referenceMagnitude(), in.candidateMagnitude())), null);
    /** auraloss multi-resolution STFT distance. */
    public static final Metric MULTI_RESOLUTION_STFT = new Metric("multi_resolution_stft", "MR-STFT", "",
            Direction.LOWER, 0,
            in -> OptionalDouble.of(Metrics.multiResolutionStftDistance(in.reference(), in.candidate())), null);
    /** AudioLDM2 log-mel mean absolute difference (nepers). */
    public static final Metric LOG_MEL_L1 = new Metric("log_mel_l1", "log-mel L1", "", Direction.LOWER, 0,
            in -> OptionalDouble.of(Metrics.logMelL1(in.referenceLogMel(), in.candidateLogMel())), null);
    /** Scale-invariant SDR. */
    public static final Metric SI_SDR = new Metric("si_sdr_db", "SI-SDR", "dB", Direction.HIGHER, 0,
            in -> OptionalDouble.of(Metrics.siSdr(in.reference(), in.candidate())), null);
    /** Spectral convergence. */
    public static final Metric SPECTRAL_CONVERGENCE = new Metric("spectral_convergence", "spectral conv.", "",
            Direction.LOWER, 0,
            in -> OptionalDouble.of(Metrics.spectralConvergence(in.reference(), in.candidate())), null);
    /** Mel cepstral distortion. */
    public static final Metric MCD = new Metric("mcd_db", "MCD", "dB", Direction.LOWER, 0,
            in -> OptionalDouble.of(Metrics.melCepstralDistortion(in.referenceLogMel(), in.candidateLogMel())), null);
    /** Candidate minus reference level above 4 kHz (negative: lost). */
    public static final Metric HF_LOSS_4K = new Metric("high_frequency_loss_above_4k_db", "HF loss >4 kHz", "dB",
            Direction.CLOSER_TO_ZERO, 8000, in -> levelDifferenceAbove(in, 4000), null);
    /** Candidate minus reference level above 8 kHz (negative: lost). */
    public static final Metric HF_LOSS_8K = new Metric("high_frequency_loss_above_8k_db", "HF loss >8 kHz", "dB",
            Direction.CLOSER_TO_ZERO, 16000, in -> levelDifferenceAbove(in, 8000), null);
    /** Spectral centroid. */
    public static final Metric SPECTRAL_CENTROID = Metric.ofFeature("spectral_centroid_hz", "centroid", "Hz",
            f -> OptionalDouble.of(f.shape().centroidHz()));
    /** 85% spectral roll-off. */
    public static final Metric SPECTRAL_ROLLOFF = Metric.ofFeature("spectral_rolloff_hz", "roll-off 85%", "Hz",
            f -> OptionalDouble.of(f.shape().rolloffHz()));

    private static final List<Metric> ALL = List.of(LSD, MULTI_RESOLUTION_STFT, LOG_MEL_L1, SI_SDR,
            SPECTRAL_CONVERGENCE, MCD, HF_LOSS_4K, HF_LOSS_8K, SPECTRAL_CENTROID, SPECTRAL_ROLLOFF);
    private static final Map<String, Metric> BY_KEY = new LinkedHashMap<>();

    static {
        for (Metric m : ALL) {
            if (BY_KEY.put(m.key(), m) != null) {
                throw new IllegalStateException("duplicate metric key " + m.key());
            }
        }
    }

    private MetricRegistry() {}

    /** All metrics, in report order. */
    public static List<Metric> all() {
        return ALL;
    }

    /** The metrics that apply at a sample rate. */
    public static List<Metric> applicableAt(int sampleRate) {
        return ALL.stream().filter(m -> m.appliesAt(sampleRate)).toList();
    }

    /**
     * The metric with this key.
     *
     * @throws IllegalArgumentException naming the known keys
     */
    public static Metric get(String key) {
        Metric m = BY_KEY.get(key);
        if (m == null) {
            throw new IllegalArgumentException("metric key must be one of " + BY_KEY.keySet() + ", got \"" + key + "\"");
        }
        return m;
    }

    private static OptionalDouble levelDifferenceAbove(MetricInputs in, double hz) {
        OptionalDouble r = in.referenceFeatures().bands().levelAboveDb(hz);
        OptionalDouble c = in.candidateFeatures().bands().levelAboveDb(hz);
        return r.isPresent() && c.isPresent() ? OptionalDouble.of(c.getAsDouble() - r.getAsDouble())
                : OptionalDouble.empty();
    }
}
