package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.model.UNet;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.scheduler.NoiseSource;
import io.github.audioldm4j.scheduler.Scheduler;
import io.github.audioldm4j.text.Conditioning;

/**
 * The denoising loop of diffusers' {@code AudioLDM2Pipeline.__call__} section 7
 * (pipelines/audioldm2/pipeline_audioldm2.py), with optional re-injection of a noised original
 * latent under a mask before every step (AudioLDM2's inpainting / super-resolution sampler,
 * {@code audioldm2/latent_diffusion/models/ddim.py}).
 */
final class Denoiser {
    private Denoiser() {}

    /** Masked re-injection of the original latents {@code x0} (already scaled). */
    record Reinjection(float[] x0, LatentMask mask) {}

    static float[] run(UNet unet, Scheduler scheduler, float[] timesteps, float[] latents, long[] shape,
            Conditioning cond, double guidanceScale, NoiseSource generator, Reinjection reinjection,
            ProgressListener listener, CancellationToken cancel) {
        int n = (int) shape[0];
        int perRow = latents.length / n;
        boolean guided = cond.guided();
        float g = (float) guidanceScale;
        float[] x = latents;
        for (int i = 0; i < timesteps.length; i++) {
            cancel.throwIfCancelled("before denoising step " + (i + 1) + " of " + timesteps.length);
            float t = timesteps[i];
            if (reinjection != null) {
                x = reinject(scheduler, x, reinjection, t, n, perRow, shape, generator);
            }
            // 7.1 expand the latents if we are doing classifier free guidance
            float[] in = guided ? concat(x, x) : x;
            in = scheduler.scaleModelInput(in, t);
            int rows = guided ? 2 * n : n;
            float[] ts = new float[rows];
            java.util.Arrays.fill(ts, t);
            long[] inShape = shape.clone();
            inShape[0] = rows;
            // 7.2 predict the noise residual
            float[] noisePred = unet.predict(HostTensor.ofFloats(in, inShape), HostTensor.ofFloats(ts, rows),
                    cond.generated(), cond.t5Hidden(), cond.t5Mask()).floats();
            // 7.3 perform guidance: uncond + guidance_scale * (text - uncond), in float32
            float[] eps;
            if (guided) {
                eps = new float[x.length];
                for (int k = 0; k < eps.length; k++) {
                    float u = noisePred[k];
                    float c = noisePred[x.length + k];
                    eps[k] = u + g * (c - u);
                }
            } else {
                eps = noisePred;
            }
            // 7.4 compute the previous noisy sample x_t -> x_t-1
            x = scheduler.step(eps, t, x, generator).prevSample();
            listener.onStep(i + 1, timesteps.length, t);
        }
        return x;
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
