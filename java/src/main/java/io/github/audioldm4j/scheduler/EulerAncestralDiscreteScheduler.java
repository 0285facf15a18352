package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.util.Check;
import java.util.OptionalInt;

/**
 * Ancestral sampling with Euler steps, a port of diffusers' {@code EulerAncestralDiscreteScheduler}
 * ({@code src/diffusers/schedulers/scheduling_euler_ancestral_discrete.py} @58eb52c). Every step
 * draws one N(0,1) tensor from the {@link NoiseSource} (diffusers: {@code randn_tensor(shape,
 * generator=generator)}), including the last one, so a {@code TorchGenerator} passed to every step
 * reproduces a diffusers run with the same generator bit for bit.
 *
 * <p>Configuration fields (diffusers names, class defaults): {@code num_train_timesteps} 1000,
 * {@code beta_start} 0.0001, {@code beta_end} 0.02, {@code beta_schedule} "linear" (or
 * "scaled_linear", "squaredcos_cap_v2"), {@code trained_betas} null, {@code prediction_type}
 * "epsilon" (or "v_prediction"; "sample" is not implemented upstream either),
 * {@code timestep_spacing} "linspace" (or "leading", "trailing"), {@code steps_offset} 0,
 * {@code rescale_betas_zero_snr} false.
 *
 * <p>Tensor arithmetic is float32 in diffusers' order. Stateful and not thread-safe.
 */
public final class EulerAncestralDiscreteScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final int numTrainTimesteps;
    private final String predictionType;
    private final String timestepSpacing;
    private final int stepsOffset;
    private final float[] betas;
    private final float[] alphasCumprod;
    private final float[] trainSigmas;
    private final float[] initialSigmas;

    private float[] timesteps;
    private float[] sigmas;
    private int numInferenceSteps;
    private Integer stepIndex;
    private Integer beginIndex;

    /** Builds the scheduler from a diffusers scheduler config (any class's; unknown fields are ignored). */
    public EulerAncestralDiscreteScheduler(SchedulerConfig config) {
        this.config = Check.notNull("config", config);
        // np.interp and _sigma_to_t interpolate between at least two training sigmas
        this.numTrainTimesteps = SchedulerSupport.numTrainTimesteps(config, 2);
        TrainSchedule train = TrainSchedule.fromConfig(config, numTrainTimesteps, TrainSchedule.ZeroSnr.RESCALE_AND_CLAMP);
        this.betas = train.betas;
        this.alphasCumprod = train.alphasCumprod;
        this.predictionType = config.getEnum("prediction_type", "epsilon", "epsilon", "v_prediction");
        this.timestepSpacing = config.getEnum("timestep_spacing", "linspace", "linspace", "leading", "trailing");
        this.stepsOffset = SchedulerSupport.stepsOffset(config);
        this.trainSigmas = SigmaSchedules.vpSigmas(alphasCumprod);
        this.initialSigmas = SigmaSchedules.initialSigmas(trainSigmas);
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        SchedulerSupport.checkNumInferenceSteps(numInferenceSteps, numTrainTimesteps);
        this.numInferenceSteps = numInferenceSteps;
        SigmaSchedules.Schedule s = SigmaSchedules.discreteSchedule(timestepSpacing, numTrainTimesteps, numInferenceSteps,
                stepsOffset, trainSigmas, SigmaSchedules.Conversion.NONE, null, null, 0.0);
        this.sigmas = s.sigmas();
        this.timesteps = s.timesteps();
        this.stepIndex = null;
        this.beginIndex = null;
    }

    @Override
    public float[] timesteps() {
        requireTimesteps();
        return timesteps.clone();
    }

    /** The sigmas of the current schedule (one more than the timesteps, ending in 0). */
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

    /**
     * {@inheritDoc}
     *
     * @param noise required: one {@code randn(sample.length)} draw per step
     * @throws IllegalArgumentException if {@code noise} is null or returns the wrong length
     */
    @Override
    public StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise) {
        requireTimesteps();
        SchedulerSupport.checkStepArrays(modelOutput, sample);
        if (noise == null) {
            throw new IllegalArgumentException(
                    "noise must not be null: EulerAncestralDiscreteScheduler draws noise in every step");
        }
        if (stepIndex == null) {
            initStepIndex(timestep);
        }
        SchedulerSupport.requireStepLeft(stepIndex, timesteps.length);
        int n = sample.length;
        float sigma = sigmas[stepIndex];

        // 1. compute predicted original sample (x_0) from sigma-scaled predicted noise
        float[] pred = new float[n];
        if ("epsilon".equals(predictionType)) {
            for (int i = 0; i < n; i++) {
                pred[i] = sample[i] - sigma * modelOutput[i];
            }
        } else { // v_prediction
            float s2p1 = sigma * sigma + 1;
            float c = -sigma / (float) Math.sqrt(s2p1);
            for (int i = 0; i < n; i++) {
                pred[i] = modelOutput[i] * c + sample[i] / s2p1;
            }
        }

        float sigmaFrom = sigmas[stepIndex];
        float sigmaTo = sigmas[stepIndex + 1];
        float sigmaUp = (float) Math.sqrt(sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo)
                / (sigmaFrom * sigmaFrom));
        float sigmaDown = (float) Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);

        // 2. convert to an ODE derivative
        float dt = sigmaDown - sigma;
        float[] eps = noise.randn(n);
        Check.length("noise.randn(n)", eps, n);
        float[] prev = new float[n];
        for (int i = 0; i < n; i++) {
            float derivative = (sample[i] - pred[i]) / sigma;
            float p = sample[i] + derivative * dt;
            prev[i] = p + eps[i] * sigmaUp;
        }

        // upon completion increase step index by one
        stepIndex++;
        return new StepResult(prev, pred);
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, float[] timesteps) {
        requireTimesteps();
        return SigmaSchedules.addNoiseVe(original, noise, timesteps, this.timesteps, sigmas,
                beginIndex == null ? -1 : beginIndex, stepIndex == null ? -1 : stepIndex);
    }

    @Override
    public int order() {
        return 1;
    }

    float[] initialSigmas() {
        return initialSigmas.clone();
    }

    private void initStepIndex(float timestep) {
        stepIndex = beginIndex == null ? SigmaSchedules.indexForTimestep("timestep", timestep, timesteps) : beginIndex;
    }

    private void requireTimesteps() {
        Check.state(timesteps != null, "setTimesteps must be called before using the scheduler");
    }
}
