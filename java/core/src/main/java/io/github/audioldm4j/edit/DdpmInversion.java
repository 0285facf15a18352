package io.github.audioldm4j.edit;

import io.github.audioldm4j.model.UNet;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.Denoiser;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.pipeline.StepCallback;
import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.scheduler.DDIMScheduler;
import io.github.audioldm4j.text.Conditioning;
import io.github.audioldm4j.util.Check;
import java.util.Arrays;

/**
 * Edit-friendly DDPM inversion (Huberman-Spiegelglas, Kulikov and Michaeli, "An Edit Friendly DDPM
 * Noise Space", CVPR 2024, Algorithm 1; used for zero-shot audio editing with AudioLDM2 by Manor
 * and Michaeli, ZETA, ICML 2024). Written from the paper with the stochastic DDIM step (eta = 1,
 * diffusers' scheduling_ddim.py formula (16)) as the DDPM sampler:
 *
 * <ol>
 *   <li>draw every noisy level independently: {@code x_t = sqrt(a_t) x0 + sqrt(1 - a_t) eps_t}
 *       ({@code add_noise}), the clean latent being the last level;</li>
 *   <li>for each step t -> t-1, with {@code mu_t(x_t)} the step's output without its noise term,
 *       the noise map {@code z_t = (x_{t-1} - mu_t(x_t)) / sigma_t}.</li>
 * </ol>
 *
 * Sampling with those maps ({@code x_{t-1} = mu_t(x_t) + sigma_t z_t}) under the same prompt
 * regenerates every level, the clean latent included, to float rounding; under another prompt,
 * from a later step ({@code tStart}), it edits while keeping the structure the maps carry.
 */
public final class DdpmInversion {
    private DdpmInversion() {}

    /**
     * The levels and noise maps of an inversion.
     *
     * @param timesteps the DDIM timesteps (descending)
     * @param levels {@code levels[i]} is the latent at {@code timesteps[i]}; {@code levels[N]} is the clean latent
     * @param noiseMaps {@code noiseMaps[i]} is z of the step from {@code timesteps[i]}
     * @param shape the latent shape
     */
    public record Inverted(float[] timesteps, float[][] levels, float[][] noiseMaps, long[] shape) {
        /** The clean latent the inversion started from. */
        public float[] latent() {
            return levels[levels.length - 1].clone();
        }
    }

    /**
     * Inverts {@code x0}.
     *
     * @param scheduler a DDIM scheduler with its timesteps set (eta is set to 1 for the maps)
     * @param noise the source of the independent level noise (a seeded generator)
     */
    public static Inverted invert(UNet unet, DDIMScheduler scheduler, float[] x0, long[] shape, Conditioning cond,
            double guidanceScale, NoiseSource noise, ProgressListener listener, CancellationToken cancel) {
        Check.notNull("unet", unet);
        Check.notNull("scheduler", scheduler);
        Check.allFinite("x0", x0);
        Check.notNull("cond", cond);
        Check.notNull("noise", noise);
        Check.notNull("listener", listener);
        Check.notNull("cancel", cancel);
        float[] ts = scheduler.timesteps();
        int steps = ts.length;
        int n = x0.length;
        // 1. independent noisy levels, noisiest first; the clean latent last
        float[][] levels = new float[steps + 1][];
        for (int i = 0; i < steps; i++) {
            levels[i] = scheduler.addNoise(x0, noise.randn(n), new float[] {ts[i]});
        }
        levels[steps] = x0.clone();
        // 2. noise maps: what the eta = 1 step must add to land on the next level
        scheduler.setEta(1.0);
        float[][] maps = new float[steps][];
        for (int i = 0; i < steps; i++) {
            cancel.throwIfCancelled("before inversion step " + (i + 1) + " of " + steps);
            float t = ts[i];
            float[] eps = Denoiser.noisePrediction(unet, scheduler, levels[i], t, shape, cond, guidanceScale);
            float[] mu = scheduler.step(eps, t, levels[i], m -> new float[m]).prevSample();
            float sigma = scheduler.posteriorStd(t);
            float[] z = new float[n];
            if (sigma > 0) {
                for (int k = 0; k < n; k++) {
                    z[k] = (float) (((double) levels[i + 1][k] - mu[k]) / sigma);
                }
            }
            maps[i] = z;
            listener.onStep(i + 1, steps, t);
        }
        return new Inverted(ts, levels, maps, shape.clone());
    }

    /**
     * Samples from level {@code startIndex} with the inversion's noise maps under {@code cond}:
     * the source conditioning and index 0 reconstruct the latent, another conditioning edits.
     *
     * @param scheduler a DDIM scheduler with the same timesteps as the inversion
     * @param startIndex the first step to run, in [0, N): N * (1 - tStart) skipped steps
     * @return the final latent
     */
    public static float[] regenerate(UNet unet, DDIMScheduler scheduler, Inverted inverted, int startIndex,
            Conditioning cond, double guidanceScale, ProgressListener listener, CancellationToken cancel) {
        Check.notNull("inverted", inverted);
        Check.inRange("startIndex", startIndex, 0, inverted.timesteps().length - 1);
        if (!Arrays.equals(scheduler.timesteps(), inverted.timesteps())) {
            throw new IllegalArgumentException("scheduler timesteps must equal the inversion's "
                    + Arrays.toString(inverted.timesteps()) + ", got " + Arrays.toString(scheduler.timesteps()));
        }
        scheduler.setEta(1.0);
        int[] next = {startIndex};
        NoiseSource maps = m -> {
            float[] z = inverted.noiseMaps()[next[0]++];
            if (z.length != m) {
                throw new IllegalStateException("noise map of " + z.length + " values for a step of " + m);
            }
            return z.clone();
        };
        float[] ts = Arrays.copyOfRange(inverted.timesteps(), startIndex, inverted.timesteps().length);
        Denoiser.Job job = new Denoiser.Job(unet, scheduler, ts, inverted.levels()[startIndex].clone(),
                inverted.shape(), cond, guidanceScale, maps, null);
        return Denoiser.run(job, StepCallback.NONE, listener, cancel);
    }
}
