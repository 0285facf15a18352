package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.util.Check;
import java.util.Arrays;

/**
 * img2img / SDEdit support: the partial schedule for a strength, as diffusers'
 * {@code StableDiffusionImg2ImgPipeline.get_timesteps}
 * (src/diffusers/pipelines/stable_diffusion/pipeline_stable_diffusion_img2img.py), and the timesteps
 * to noise the initial latents at.
 *
 * <p>Usage: {@code s.setTimesteps(n); Img2Img.Schedule p = Img2Img.getTimesteps(s, n, strength);
 * x = s.addNoise(init, noise, p.latentTimesteps(batch));} then step over {@code p.timesteps()}.
 */
public final class Img2Img {
    private Img2Img() {}

    /**
     * The partial schedule returned by {@link #getTimesteps}.
     *
     * @param timesteps the timesteps to denoise over (a tail of the scheduler's timesteps)
     * @param numInferenceSteps the number of denoising steps that remain ({@code N - t_start})
     * @param tStart the number of skipped steps; the begin index is {@code tStart * order}
     */
    public record Schedule(float[] timesteps, int numInferenceSteps, int tStart) {
        /** Copies the timesteps. */
        public Schedule {
            timesteps = timesteps.clone();
        }

        /** The timesteps to denoise over (a copy). */
        @Override
        public float[] timesteps() {
            return timesteps.clone();
        }

        /**
         * The noise level of the initial latents: the first timestep once per batch element
         * ({@code timesteps[:1].repeat(batch)}).
         */
        public float[] latentTimesteps(int batchSize) {
            Check.positive("batchSize", batchSize);
            float[] out = new float[batchSize];
            Arrays.fill(out, timesteps[0]);
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Schedule s && Arrays.equals(timesteps, s.timesteps)
                    && numInferenceSteps == s.numInferenceSteps && tStart == s.tStart;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(timesteps) + numInferenceSteps) + tStart;
        }

        @Override
        public String toString() {
            return "Schedule[timesteps=" + Arrays.toString(timesteps) + ", numInferenceSteps=" + numInferenceSteps
                    + ", tStart=" + tStart + "]";
        }
    }

    /**
     * {@code get_timesteps(num_inference_steps, strength)}: keeps the last
     * {@code min(int(N * strength), N)} steps and calls {@code scheduler.setBeginIndex(t_start * order)}
     * (a no-op for schedulers without step indices, like DDIM and PNDM). Call
     * {@link Scheduler#setTimesteps} with the same N first.
     *
     * @throws IllegalArgumentException if strength is not in (0, 1], if N does not match the
     *     scheduler's, or if {@code int(N * strength)} is 0 (no denoising step would run; diffusers
     *     returns an empty schedule there)
     * @throws IllegalStateException if the scheduler's timesteps are not set
     */
    public static Schedule getTimesteps(Scheduler scheduler, int numInferenceSteps, double strength) {
        Check.notNull("scheduler", scheduler);
        Check.positive("numInferenceSteps", numInferenceSteps);
        Check.inRangeExclusiveMin("strength", strength, 0.0, 1.0);
        float[] all = scheduler.timesteps();
        if (scheduler.numInferenceSteps() != numInferenceSteps) {
            throw new IllegalArgumentException("numInferenceSteps must equal the scheduler's numInferenceSteps "
                    + scheduler.numInferenceSteps() + " (from setTimesteps), got " + numInferenceSteps);
        }
        // get the original timestep using init_timestep
        int initTimestep = Math.min((int) (numInferenceSteps * strength), numInferenceSteps);
        if (initTimestep == 0) {
            throw new IllegalArgumentException("strength * numInferenceSteps must be >= 1 so that at least one"
                    + " denoising step runs, got strength=" + strength + " with numInferenceSteps=" + numInferenceSteps);
        }
        int tStart = Math.max(numInferenceSteps - initTimestep, 0);
        int begin = tStart * scheduler.order();
        float[] timesteps = Arrays.copyOfRange(all, begin, all.length);
        scheduler.setBeginIndex(begin);
        return new Schedule(timesteps, numInferenceSteps - tStart, tStart);
    }
}
