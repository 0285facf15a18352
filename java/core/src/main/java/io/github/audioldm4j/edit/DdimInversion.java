package io.github.audioldm4j.edit;

import io.github.audioldm4j.model.UNet;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.Denoiser;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.scheduler.DDIMScheduler;
import io.github.audioldm4j.text.Conditioning;
import io.github.audioldm4j.util.Check;

/**
 * DDIM inversion (Song et al., ICLR 2021, eq. (13) run backwards; Mokady et al., CVPR 2023): the
 * deterministic DDIM update applied from the clean latent towards noise, so that DDIM sampling
 * from the result comes back close to the latent. Written from the paper and diffusers'
 * {@code DDIMInverseScheduler.step} (src/diffusers/schedulers/scheduling_ddim_inverse.py): over the
 * DDIM timesteps in ascending order, with the noise prediction at the target timestep,
 *
 * <pre>
 *   x0  = (x - sqrt(1 - a_from) * eps) / sqrt(a_from)
 *   x'  = sqrt(a_to) * x0 + sqrt(1 - a_to) * eps
 * </pre>
 *
 * where {@code a_from} is alphas_cumprod of the level the latent is at (the final alpha for the
 * clean latent, as the forward sampler's last step uses) and {@code a_to} that of the timestep.
 * Each pair of (a_from, a_to) is the forward step's pair reversed, so inversion followed by
 * sampling is exact whenever the noise prediction is the same at both ends of each step; with a
 * real model it is an approximation (the error grows with guidance).
 */
public final class DdimInversion {
    private DdimInversion() {}

    /**
     * One inverse DDIM step in float32: from the level with alphas_cumprod {@code aFrom} to the
     * (noisier) level {@code aTo}, with the noise prediction {@code eps}.
     */
    public static float[] inverseStep(float[] x, float[] eps, float aFrom, float aTo) {
        float sqrtAFrom = (float) Math.sqrt(aFrom);
        float sqrtBFrom = (float) Math.sqrt(1f - aFrom);
        float sqrtATo = (float) Math.sqrt(aTo);
        float sqrtBTo = (float) Math.sqrt(1f - aTo);
        float[] next = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float pred = (x[i] - sqrtBFrom * eps[i]) / sqrtAFrom;
            next[i] = sqrtATo * pred + sqrtBTo * eps[i];
        }
        return next;
    }

    /**
     * Inverts {@code x0} to the noise level of {@code scheduler.timesteps()[0]}.
     *
     * @param scheduler a DDIM scheduler whose {@code setTimesteps} has been called (eta is not used)
     * @param x0 the scaled clean latent, shape {@code shape}
     * @return the inverted latent at the first (noisiest) timestep; sample from it with the same
     *     scheduler, eta 0, to reconstruct
     */
    public static float[] invert(UNet unet, DDIMScheduler scheduler, float[] x0, long[] shape, Conditioning cond,
            double guidanceScale, ProgressListener listener, CancellationToken cancel) {
        Check.notNull("unet", unet);
        Check.notNull("scheduler", scheduler);
        Check.allFinite("x0", x0);
        Check.notNull("cond", cond);
        Check.notNull("listener", listener);
        Check.notNull("cancel", cancel);
        float[] ts = scheduler.timesteps();
        float[] x = x0.clone();
        for (int k = ts.length - 1, step = 1; k >= 0; k--, step++) {
            cancel.throwIfCancelled("before inversion step " + step + " of " + ts.length);
            float t = ts[k];
            float aTo = scheduler.alphaCumprodAt((int) t);
            float aFrom = scheduler.alphaCumprodAt(scheduler.previousTimestep(t));
            float[] eps = Denoiser.noisePrediction(unet, scheduler, x, t, shape, cond, guidanceScale);
            x = inverseStep(x, eps, aFrom, aTo);
            listener.onStep(step, ts.length, t);
        }
        return x;
    }
}
