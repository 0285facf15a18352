package io.github.audioldm4j.analysis;

import java.util.OptionalDouble;
import java.util.function.Function;

/** The per-stage metrics of a report: JSON key, table label, unit, direction and how to read it from a MetricSet. */
enum MetricColumn {
    LSD("lsd", "LSD", "", Better.LOWER, m -> OptionalDouble.of(m.logSpectralDistance())),
    MULTI_RESOLUTION_STFT("multi_resolution_stft", "MR-STFT", "", Better.LOWER,
            m -> OptionalDouble.of(m.multiResolutionStft())),
    LOG_MEL_L1("log_mel_l1", "log-mel L1", "", Better.LOWER, m -> OptionalDouble.of(m.logMelL1())),
    SI_SDR("si_sdr_db", "SI-SDR", "dB", Better.HIGHER, m -> OptionalDouble.of(m.siSdrDb())),
    SPECTRAL_CONVERGENCE("spectral_convergence", "spectral conv.", "", Better.LOWER,
            m -> OptionalDouble.of(m.spectralConvergence())),
    MCD("mcd_db", "MCD", "dB", Better.LOWER, m -> OptionalDouble.of(m.melCepstralDistortionDb())),
    HF_LOSS_4K("high_frequency_loss_above_4k_db", "HF loss >4 kHz", "dB", Better.CLOSER_TO_ZERO,
            MetricSet::highFrequencyLossAbove4kDb),
    HF_LOSS_8K("high_frequency_loss_above_8k_db", "HF loss >8 kHz", "dB", Better.CLOSER_TO_ZERO,
            MetricSet::highFrequencyLossAbove8kDb),
    SPECTRAL_CENTROID("spectral_centroid_hz", "centroid", "Hz", Better.CLOSER_TO_REFERENCE,
            m -> OptionalDouble.of(m.candidateShape().centroidHz())),
    SPECTRAL_ROLLOFF("spectral_rolloff_hz", "roll-off 85%", "Hz", Better.CLOSER_TO_REFERENCE,
            m -> OptionalDouble.of(m.candidateShape().rolloffHz()));

    /** Which values are better. */
    enum Better {
        LOWER("lower"), HIGHER("higher"), CLOSER_TO_ZERO("closer_to_zero"), CLOSER_TO_REFERENCE("closer_to_reference");

        final String json;

        Better(String json) {
            this.json = json;
        }
    }

    final String key;
    final String label;
    final String unit;
    final Better better;
    private final Function<MetricSet, OptionalDouble> value;

    MetricColumn(String key, String label, String unit, Better better, Function<MetricSet, OptionalDouble> value) {
        this.key = key;
        this.label = label;
        this.unit = unit;
        this.better = better;
        this.value = value;
    }

    /** The stage's value, empty when it does not apply (e.g. above 8 kHz at 16 kHz). */
    OptionalDouble of(MetricSet m) {
        return value.apply(m);
    }

    /** The reference's own value for {@link Better#CLOSER_TO_REFERENCE} columns, else NaN. */
    double referenceValue(ComparisonReport report) {
        return switch (this) {
            case SPECTRAL_CENTROID -> report.referenceShape().centroidHz();
            case SPECTRAL_ROLLOFF -> report.referenceShape().rolloffHz();
            default -> Double.NaN;
        };
    }

    /**
     * A score where smaller is better: the value itself, its negation, its magnitude or its distance to the
     * reference. NaN never wins.
     */
    double badness(double v, ComparisonReport report) {
        return switch (better) {
            case LOWER -> v;
            case HIGHER -> -v;
            case CLOSER_TO_ZERO -> Math.abs(v);
            case CLOSER_TO_REFERENCE -> Math.abs(v - referenceValue(report));
        };
    }
}
