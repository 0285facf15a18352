package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.random.NoiseSource;

/**
 * A diffusion noise scheduler, ported from diffusers' {@code SchedulerMixin} subclasses. Samples,
 * model outputs and noise are flat row-major float32 arrays of the latent tensor; element-wise
 * math is done in float32 exactly where diffusers does it in float32 tensors.
 *
 * <p>Schedulers are stateful and not thread-safe: {@link #setTimesteps} resets the state, and each
 * {@link #step} advances it. Use one instance per generation.
 */
public interface Scheduler {
    /** The configuration this scheduler was built from (diffusers field names). */
    SchedulerConfig config();

    /**
     * Sets the discrete timesteps used for inference and resets any multistep state.
     *
     * @throws IllegalArgumentException if {@code numInferenceSteps} is not in
     *     {@code [1, num_train_timesteps]}
     */
    void setTimesteps(int numInferenceSteps);

    /** The timesteps of the current schedule, in order of use (a copy). Throws before setTimesteps. */
    float[] timesteps();

    /** Number of inference steps last given to {@link #setTimesteps}; 0 before. */
    int numInferenceSteps();

    /** Standard deviation of the initial noise (multiply the N(0,1) latents by this). */
    float initNoiseSigma();

    /** Scales the denoising model input for the given timestep (identity for DDIM-like schedulers). */
    float[] scaleModelInput(float[] sample, float timestep);

    /**
     * One reverse-diffusion step from {@code timestep} to the previous timestep.
     *
     * @param modelOutput the (guided) model prediction, same length as {@code sample}
     * @param timestep the current timestep, a value of {@link #timesteps()}
     * @param sample the current sample x_t
     * @param noise source of random noise for stochastic schedulers (DDIM with eta &gt; 0, Euler
     *     Ancestral); may be null for deterministic ones
     * @throws IllegalStateException if called before {@link #setTimesteps}
     * @throws IllegalArgumentException on length mismatch or a missing noise source
     */
    StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise);

    /**
     * Forward diffusion q(x_t | x_0) for a batch: element {@code b} of {@code timesteps} applies to
     * the b-th equal slice of {@code original}.
     */
    float[] addNoise(float[] original, float[] noise, float[] timesteps);

    /** Solver order (number of model evaluations per timestep: 2 for Heun, otherwise 1). */
    int order();

    /**
     * Sets the index of the first timestep to be used (img2img / SDEdit). Schedulers without
     * step indices ignore it, as in diffusers.
     */
    default void setBeginIndex(int beginIndex) {}
}
