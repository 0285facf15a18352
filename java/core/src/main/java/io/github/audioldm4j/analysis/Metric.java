package io.github.audioldm4j.analysis;

import io.github.audioldm4j.util.Check;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * One per-stage metric: its JSON key, table label, unit, direction, the sample rates it applies to,
 * and how to compute it. The {@link MetricRegistry} lists them; reports, JSON and the console read
 * them from there, so a new metric is one entry.
 *
 * @param key JSON key, e.g. {@code "lsd"}
 * @param label short table heading, e.g. {@code "LSD"}
 * @param unit unit for headings, {@code ""} when unitless
 * @param direction which values are better
 * @param minSampleRateExclusive the metric applies when the sample rate is above this (0: always)
 * @param compute the value for an aligned pair; empty when it does not apply
 * @param feature for {@link Direction#CLOSER_TO_REFERENCE}: the feature of one signal that is compared
 *     (the candidate's value is {@code feature(candidate)}, the reference's {@code feature(reference)}); else null
 */
public record Metric(String key, String label, String unit, Direction direction, int minSampleRateExclusive,
        Function<MetricInputs, OptionalDouble> compute, Function<SignalFeatures, OptionalDouble> feature) {

    public Metric {
        Check.notBlank("key", key);
        Check.notBlank("label", label);
        Check.notNull("unit", unit);
        Check.notNull("direction", direction);
        Check.notNull("compute", compute);
        if ((direction == Direction.CLOSER_TO_REFERENCE) != (feature != null)) {
            throw new IllegalArgumentException("feature must be given exactly for CLOSER_TO_REFERENCE metrics, got "
                    + (feature == null ? "none" : "one") + " for " + direction);
        }
    }

    /** A metric comparing a per-signal feature of the candidate with the reference's. */
    static Metric ofFeature(String key, String label, String unit, Function<SignalFeatures, OptionalDouble> feature) {
        return new Metric(key, label, unit, Direction.CLOSER_TO_REFERENCE, 0,
                in -> feature.apply(in.candidateFeatures()), feature);
    }

    /** Whether the metric has a value at this sample rate (e.g. no loss above 8 kHz at 16 kHz). */
    public boolean appliesAt(int sampleRate) {
        return sampleRate > minSampleRateExclusive;
    }

    /** The reference's own value (CLOSER_TO_REFERENCE metrics), else NaN. */
    public double referenceValue(SignalFeatures reference) {
        if (feature == null) {
            return Double.NaN;
        }
        OptionalDouble v = feature.apply(reference);
        return v.isPresent() ? v.getAsDouble() : Double.NaN;
    }

    /** {@link Direction#badness} against the reference's own value. */
    public double badness(double value, SignalFeatures reference) {
        return direction.badness(value, referenceValue(reference));
    }
}
