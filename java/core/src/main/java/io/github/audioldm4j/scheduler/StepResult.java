package io.github.audioldm4j.scheduler;

/**
 * The result of {@link Scheduler#step}.
 *
 * @param prevSample the sample at the previous timestep, x_{t-1}
 * @param predOriginalSample the predicted x_0, or null if the scheduler does not compute it
 */
public record StepResult(float[] prevSample, float[] predOriginalSample) {}
