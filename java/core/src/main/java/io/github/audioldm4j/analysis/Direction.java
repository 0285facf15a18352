package io.github.audioldm4j.analysis;

/** Which values of a {@link Metric} are better. */
public enum Direction {
    LOWER("lower", "lower is better"),
    HIGHER("higher", "higher is better"),
    CLOSER_TO_ZERO("closer_to_zero", "closer to zero is better"),
    CLOSER_TO_REFERENCE("closer_to_reference", "closer to the reference is better");

    private final String json;
    private final String description;

    Direction(String json, String description) {
        this.json = json;
        this.description = description;
    }

    /** The name in the report JSON's {@code metric_info.*.better}. */
    public String json() {
        return json;
    }

    /** A sentence fragment, e.g. "lower is better". */
    public String description() {
        return description;
    }

    /**
     * A score where smaller is better: the value itself, its negation, its magnitude or its distance to
     * {@code reference} (the reference signal's own value; used by {@link #CLOSER_TO_REFERENCE} only).
     */
    public double badness(double value, double reference) {
        return switch (this) {
            case LOWER -> value;
            case HIGHER -> -value;
            case CLOSER_TO_ZERO -> Math.abs(value);
            case CLOSER_TO_REFERENCE -> Math.abs(value - reference);
        };
    }
}
