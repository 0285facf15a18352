package io.github.audioldm4j.pipeline;

/** Receives one call after every denoising step (on the calling thread). */
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
}
