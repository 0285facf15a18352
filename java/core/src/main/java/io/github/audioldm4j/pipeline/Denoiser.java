package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.model.UNet;
import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.scheduler.Scheduler;
import io.github.audioldm4j.text.Conditioning;
import io.github.audioldm4j.util.Check;

/**
 * The denoising loop of diffusers' {@code AudioLDM2Pipeline.__call__} section 7
 * (pipelines/audioldm2/pipeline_audioldm2.py), with optional re-injection of a noised original
 * latent under a mask before every step (AudioLDM2's inpainting / super-resolution sampler,
 * {@code audioldm2/latent_diffusion/models/ddim.py}). Every pipeline mode runs this one loop;
 * tools that drive the UNet with their own conditioning (bundle verification) run it too.
 */
public final class Denoiser {
    private Denoiser() {}

    /** Masked re-injection of the original latents {@code x0} (already scaled). */
    public record Reinjection(float[] x0, LatentMask mask) {
        public Reinjection {
            Check.notNull("x0", x0);
            Check.notNull("mask", mask);
        }
    }

    /**
     * What one loop runs.
     *
     * @param unet the UNet
     * @param scheduler a scheduler whose {@code setTimesteps} has been called
     * @param timesteps the timesteps to run, in order (all of the scheduler's, or the img2img tail)
     * @param latents the starting latents (already scaled by {@code init_noise_sigma} or noised)
     * @param shape their shape [B, C, frames, bins]
     * @param conditioning UNet conditioning for B latents (2B rows with guidance)
     * @param guidanceScale classifier-free guidance scale (used when the conditioning is guided)
     * @param noise the generator stochastic steps and re-injection draw from
     * @param reinjection null, or the original latents to re-inject under a mask
     */
    public record Job(UNet unet, Scheduler scheduler, float[] timesteps, float[] latents, long[] shape,
            Conditioning conditioning, double guidanceScale, NoiseSource noise, Reinjection reinjection) {
        public Job {
            Check.notNull("unet", unet);
            Check.notNull("scheduler", scheduler);
            Check.notNull("timesteps", timesteps);
            Check.notNull("latents", latents);
            Check.notNull("shape", shape);
            Check.notNull("conditioning", conditioning);
            Check.notNull("noise", noise);
            if (shape.length != 4) {
                throw new IllegalArgumentException("shape must have 4 dimensions [B, C, frames, bins], got "
                        + java.util.Arrays.toString(shape));
            }
            long numel = shape[0] * shape[1] * shape[2] * shape[3];
            if (numel != latents.length) {
                throw new IllegalArgumentException("latents must have " + numel + " values for shape "
                        + java.util.Arrays.toString(shape) + ", got " + latents.length);
            }
            if (conditioning.latentBatch() != shape[0]) {
                throw new IllegalArgumentException("conditioning must be for " + shape[0] + " latents, got "
                        + conditioning.latentBatch());
            }
            if (reinjection != null && reinjection.x0().length != latents.length) {
                throw new IllegalArgumentException("reinjection.x0 must have " + latents.length + " values, got "
                        + reinjection.x0().length);
            }
        }
    }

    /** Runs the loop; returns the final latents. */
    public static float[] run(Job job, StepCallback callback, ProgressListener listener, CancellationToken cancel) {
        Check.notNull("job", job);
        Check.notNull("callback", callback);
        Check.notNull("listener", listener);
        Check.notNull("cancel", cancel);
        long[] shape = job.shape();
        float[] timesteps = job.timesteps();
        Scheduler scheduler = job.scheduler();
        Conditioning cond = job.conditioning();
        int n = (int) shape[0];
        int perRow = job.latents().length / n;
        float[] x = job.latents();
        for (int i = 0; i < timesteps.length; i++) {
            cancel.throwIfCancelled("before denoising step " + (i + 1) + " of " + timesteps.length);
            float t = timesteps[i];
            if (job.reinjection() != null) {
                x = reinject(scheduler, x, job.reinjection(), t, n, perRow, shape, job.noise());
            }
            float[] eps = noisePrediction(job.unet(), scheduler, x, t, shape, cond, job.guidanceScale());
            // 7.4 compute the previous noisy sample x_t -> x_t-1
            x = scheduler.step(eps, t, x, job.noise()).prevSample();
            // callback_on_step_end: may inspect or replace the latents
            float[] replaced = callback.onStepEnd(new StepCallback.StepEnd(i, timesteps.length, t, x, shape.clone()));
            if (replaced != null && replaced != x) {
                if (replaced.length != x.length) {
                    throw new IllegalArgumentException("StepCallback must return " + x.length
                            + " latents (or null), got " + replaced.length + " at step " + i);
                }
                x = replaced;
            }
            listener.onStep(i + 1, timesteps.length, t);
        }
        return x;
    }

    /**
     * Sections 7.1 to 7.3 for one timestep: the UNet's noise prediction at {@code x} with
     * classifier-free guidance ({@code uncond + guidance * (text - uncond)} in float32) when the
     * conditioning is guided. Inversion and editing use it to evaluate the model without stepping.
     */
    public static float[] noisePrediction(UNet unet, Scheduler scheduler, float[] x, float t, long[] shape,
            Conditioning cond, double guidanceScale) {
        // 7.1 expand the latents if we are doing classifier free guidance
        float[] in = cond.guided() ? concat(x, x) : x;
        return guidedPrediction(unet, scheduler.scaleModelInput(in, t), x.length, t, shape, cond, guidanceScale);
    }

    /**
     * {@link #noisePrediction} for latents the caller has already passed through
     * {@code scaleModelInput} (element-wise, so scaling x then duplicating it for guidance is the
     * same as scaling the duplicate): chunked diffusion scales each latent segment with the
     * scheduler that steps it.
     */
    public static float[] noisePredictionScaled(UNet unet, float[] scaledX, float t, long[] shape, Conditioning cond,
            double guidanceScale) {
        float[] in = cond.guided() ? concat(scaledX, scaledX) : scaledX;
        return guidedPrediction(unet, in, scaledX.length, t, shape, cond, guidanceScale);
    }

    private static float[] guidedPrediction(UNet unet, float[] in, int numel, float t, long[] shape, Conditioning cond,
            double guidanceScale) {
        int n = (int) shape[0];
        boolean guided = cond.guided();
        int rows = guided ? 2 * n : n;
        float[] ts = new float[rows];
        java.util.Arrays.fill(ts, t);
        long[] inShape = shape.clone();
        inShape[0] = rows;
        // 7.2 predict the noise residual
        float[] noisePred = unet.predict(HostTensor.ofFloats(in, inShape), HostTensor.ofFloats(ts, rows),
                cond.generated(), cond.t5Hidden(), cond.t5Mask()).floats();
        if (!guided) {
            return noisePred;
        }
        // 7.3 perform guidance: uncond + guidance_scale * (text - uncond), in float32
        float g = (float) guidanceScale;
        float[] eps = new float[numel];
        for (int k = 0; k < eps.length; k++) {
            float u = noisePred[k];
            float c = noisePred[numel + k];
            eps[k] = u + g * (c - u);
        }
        return eps;
    }

    private static float[] reinject(Scheduler scheduler, float[] x, Reinjection r, float t, int n, int perRow,
            long[] shape, NoiseSource generator) {
        float[] ts = new float[n];
        java.util.Arrays.fill(ts, t);
        float[] noised = scheduler.addNoise(r.x0(), generator.randn(r.x0().length), ts);
        int channels = (int) shape[1];
        int cells = (int) (shape[2] * shape[3]);
        float[] mask = r.mask().values();
        float[] out = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < channels; c++) {
                int base = b * perRow + c * cells;
                for (int k = 0; k < cells; k++) {
                    float m = mask[k];
                    out[base + k] = noised[base + k] * m + (1f - m) * x[base + k];
                }
            }
        }
        return out;
    }

    static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
