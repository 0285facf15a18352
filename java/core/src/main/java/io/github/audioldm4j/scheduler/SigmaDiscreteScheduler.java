package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.util.Check;
import java.util.OptionalInt;
import java.util.function.BiFunction;

/**
 * What diffusers' sigma-based discrete schedulers share: Euler, Euler ancestral, LMS and Heun. In
 * diffusers these classes repeat the same code under "# Copied from
 * diffusers.schedulers.scheduling_euler_discrete.EulerDiscreteScheduler..." comments
 * (scheduling_euler_discrete.py @58eb52c: {@code _init_step_index}, {@code index_for_timestep},
 * {@code scale_model_input}, {@code set_begin_index}, {@code add_noise}, {@code init_noise_sigma},
 * the VP sigmas {@code ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5}); here they are written once.
 * Subclasses build their own schedule in {@code setTimesteps} and install it with
 * {@link #install(float[], float[], int)}.
 */
public abstract sealed class SigmaDiscreteScheduler implements Scheduler
        permits EulerDiscreteScheduler, EulerAncestralDiscreteScheduler, LMSDiscreteScheduler, HeunDiscreteScheduler {
    final SchedulerConfig config;
    final int numTrainTimesteps;
    final String timestepSpacing;
    final int stepsOffset;
    final float[] betas;
    final float[] alphasCumprod;
    /** ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5, indexed by training timestep (float32). */
    final float[] trainSigmas;
    /** The sigmas diffusers holds right after construction (set by the subclass constructor). */
    float[] initialSigmas;

    float[] timesteps;
    float[] sigmas;
    int numInferenceSteps;
    Integer stepIndex;
    Integer beginIndex;

    /**
     * @param config any class's diffusers config (unknown fields are ignored)
     * @param train the class's training schedule from the config and num_train_timesteps
     */
    SigmaDiscreteScheduler(SchedulerConfig config, BiFunction<SchedulerConfig, Integer, TrainSchedule> train) {
        this.config = Check.notNull("config", config);
        // np.interp and _sigma_to_t interpolate between at least two training sigmas
        this.numTrainTimesteps = SchedulerSupport.numTrainTimesteps(config, 2);
        TrainSchedule t = train.apply(config, numTrainTimesteps);
        this.betas = t.betas;
        this.alphasCumprod = t.alphasCumprod;
        this.timestepSpacing = config.getEnum("timestep_spacing", "linspace", "linspace", "leading", "trailing");
        this.stepsOffset = SchedulerSupport.stepsOffset(config);
        this.trainSigmas = SigmaSchedules.vpSigmas(alphasCumprod);
    }

    /** Installs a new schedule and resets the step and begin indices (the end of every {@code set_timesteps}). */
    final void install(float[] newSigmas, float[] newTimesteps, int steps) {
        this.sigmas = newSigmas;
        this.timesteps = newTimesteps;
        this.numInferenceSteps = steps;
        this.stepIndex = null;
        this.beginIndex = null;
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public float[] timesteps() {
        requireTimesteps();
        return timesteps.clone();
    }

    /** The sigmas of the current schedule (ending in the final sigma). */
    public float[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    /** The training betas (float32). */
    public float[] betas() {
        return betas.clone();
    }

    /** The cumulative products of the training alphas (float32). */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    @Override
    public int numInferenceSteps() {
        return numInferenceSteps;
    }

    @Override
    public float initNoiseSigma() {
        return SigmaSchedules.initNoiseSigma(sigmas != null ? sigmas : initialSigmas, timestepSpacing);
    }

    /** The index of the next step, empty until the first {@code scaleModelInput}/{@code step}. */
    public OptionalInt stepIndex() {
        return stepIndex == null ? OptionalInt.empty() : OptionalInt.of(stepIndex);
    }

    /** The begin index set by {@link #setBeginIndex}, empty if none. */
    public OptionalInt beginIndex() {
        return beginIndex == null ? OptionalInt.empty() : OptionalInt.of(beginIndex);
    }

    @Override
    public void setBeginIndex(int beginIndex) {
        requireTimesteps();
        SchedulerSupport.checkBeginIndex(beginIndex, timesteps.length);
        this.beginIndex = beginIndex;
    }

    @Override
    public float[] scaleModelInput(float[] sample, float timestep) {
        requireTimesteps();
        Check.notNull("sample", sample);
        if (stepIndex == null) {
            initStepIndex(timestep);
        }
        return SigmaSchedules.scaleBySigma(sample, sigmas[stepIndex]);
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, float[] timesteps) {
        requireTimesteps();
        return SigmaSchedules.addNoiseVe(original, noise, timesteps, this.timesteps, sigmas,
                beginIndex == null ? -1 : beginIndex, stepIndex == null ? -1 : stepIndex);
    }

    /** What diffusers holds right after construction, for tests. */
    float[] initialSigmas() {
        return initialSigmas.clone();
    }

    final void initStepIndex(float timestep) {
        stepIndex = beginIndex == null ? SigmaSchedules.indexForTimestep("timestep", timestep, timesteps) : beginIndex;
    }

    final void requireTimesteps() {
        Check.state(timesteps != null, "setTimesteps must be called before using the scheduler");
    }
}
