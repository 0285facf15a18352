package io.github.audioldm4j.pipeline;

/**
 * Called at the end of every denoising step with the step's latents, like diffusers'
 * {@code callback_on_step_end(pipe, i, t, {"latents": latents})}. Return the latents to continue
 * with: the given array (or null) keeps them, another array of the same length replaces them.
 */
@FunctionalInterface
public interface StepCallback {
    /** Keeps every step's latents. */
    StepCallback NONE = end -> null;

    /**
     * @param end the step that just finished
     * @return the latents for the next step, or null to keep {@code end.latents()}
     */
    float[] onStepEnd(StepEnd end);

    /**
     * One finished step.
     *
     * @param index 0-based index of the step in this run
     * @param total the number of steps this run performs
     * @param timestep the scheduler timestep of the step
     * @param latents the latents after the step (the callback may modify or replace them)
     * @param shape their shape [B, C, frames, bins]
     */
    record StepEnd(int index, int total, float timestep, float[] latents, long[] shape) {}
}
