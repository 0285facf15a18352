package io.github.audioldm4j.pipeline;

/** Receives one call after every denoising step (on the calling thread), and the run's warnings. */
@FunctionalInterface
public interface ProgressListener {
    /** No-op listener. */
    ProgressListener NONE = (step, total, timestep) -> { };

    /**
     * @param step 1-based index of the step just finished
     * @param total number of steps this run performs
     * @param timestep the scheduler timestep of that step
     */
    void onStep(int step, int total, float timestep);

    /**
     * Something the run does that the caller may not expect, e.g. a prompt truncated to the
     * tokenizer's maximum length. Called before the models run. The pipeline also logs every
     * warning through {@link System.Logger} {@code io.github.audioldm4j} at level WARNING.
     */
    default void onWarning(String message) {
    }
}
