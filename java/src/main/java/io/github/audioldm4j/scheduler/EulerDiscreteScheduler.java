package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.util.Check;
import java.util.OptionalInt;

/**
 * Euler scheduler (Karras et al. 2022, Algorithm 2), a port of diffusers'
 * {@code EulerDiscreteScheduler} ({@code src/diffusers/schedulers/scheduling_euler_discrete.py}
 * @58eb52c). With the default {@code s_churn = 0} a step is deterministic.
 *
 * <p>Configuration fields (diffusers names, class defaults): {@code num_train_timesteps} 1000,
 * {@code beta_start} 0.0001, {@code beta_end} 0.02, {@code beta_schedule} "linear" (or
 * "scaled_linear", "squaredcos_cap_v2"), {@code trained_betas} null, {@code prediction_type}
 * "epsilon" (or "v_prediction", "sample", "original_sample"), {@code interpolation_type} "linear",
 * {@code use_karras_sigmas} false, {@code use_exponential_sigmas} false, {@code sigma_min} /
 * {@code sigma_max} null (Karras/exponential end points; default the schedule's), {@code
 * timestep_spacing} "linspace" (or "leading", "trailing"), {@code timestep_type} "discrete",
 * {@code steps_offset} 0, {@code rescale_betas_zero_snr} false, {@code final_sigmas_type} "zero"
 * (or "sigma_min"). Not supported (rejected with an error): {@code use_beta_sigmas} (needs
 * scipy's beta quantile), {@code interpolation_type} "log_linear" and {@code timestep_type}
 * "continuous".
 *
 * <p>Arithmetic follows diffusers' dtypes: sigmas and timesteps are float32, schedule
 * construction is numpy float64, and every tensor operation of {@code scale_model_input} and
 * {@code step} is done in float32 in the same order. Stateful and not thread-safe.
 */
public final class EulerDiscreteScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final int numTrainTimesteps;
    private final String predictionType;
    private final String timestepSpacing;
    private final int stepsOffset;
    private final SigmaSchedules.Conversion conversion;
    private final Double sigmaMin;
    private final Double sigmaMax;
    private final String finalSigmasType;
    private final float[] betas;
    private final float[] alphasCumprod;
    /** ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5, indexed by training timestep (float32). */
    private final float[] trainSigmas;
    private final float[] initialSigmas;
    private final float[] initialTimesteps;

    private float[] timesteps;
    private float[] sigmas;
    private int numInferenceSteps;
    private Integer stepIndex;
    private Integer beginIndex;

    /** Builds the scheduler from a diffusers scheduler config (any class's; unknown fields are ignored). */
    public EulerDiscreteScheduler(SchedulerConfig config) {
        this.config = Check.notNull("config", config);
        // np.interp and _sigma_to_t interpolate between at least two training sigmas
        this.numTrainTimesteps = SchedulerSupport.numTrainTimesteps(config, 2);
        TrainSchedule train = TrainSchedule.fromConfig(config, numTrainTimesteps, TrainSchedule.ZeroSnr.RESCALE_AND_CLAMP);
        this.betas = train.betas;
        this.alphasCumprod = train.alphasCumprod;
        this.predictionType = config.getEnum("prediction_type", "epsilon",
                "epsilon", "v_prediction", "sample", "original_sample");
        config.getEnum("interpolation_type", "linear", "linear");
        config.getEnum("timestep_type", "discrete", "discrete");
        this.timestepSpacing = config.getEnum("timestep_spacing", "linspace", "linspace", "leading", "trailing");
        this.stepsOffset = SchedulerSupport.stepsOffset(config);
        this.conversion = SigmaSchedules.readConversion(config);
        this.sigmaMin = SchedulerSupport.optionalDouble(config, "sigma_min");
        this.sigmaMax = SchedulerSupport.optionalDouble(config, "sigma_max");
        this.finalSigmasType = config.getEnum("final_sigmas_type", "zero", "zero", "sigma_min");
        this.trainSigmas = SigmaSchedules.vpSigmas(alphasCumprod);
        // __init__: sigmas = cat(flip(train sigmas), [0]); timesteps = linspace(0, N-1, N)[::-1]
        this.initialSigmas = SigmaSchedules.initialSigmas(trainSigmas);
        double[] lin = TimestepSpacing.npLinspace(0, numTrainTimesteps - 1, numTrainTimesteps);
        this.initialTimesteps = new float[numTrainTimesteps];
        for (int i = 0; i < numTrainTimesteps; i++) {
            initialTimesteps[i] = (float) lin[numTrainTimesteps - 1 - i];
        }
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        SchedulerSupport.checkNumInferenceSteps(numInferenceSteps, numTrainTimesteps);
        this.numInferenceSteps = numInferenceSteps;
        double sigmaLast = "sigma_min".equals(finalSigmasType) ? trainSigmas[0] : 0.0;
        SigmaSchedules.Schedule s = SigmaSchedules.discreteSchedule(timestepSpacing, numTrainTimesteps, numInferenceSteps,
                stepsOffset, trainSigmas, conversion, sigmaMin, sigmaMax, sigmaLast);
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

    /** The sigmas of the current schedule (one more than the timesteps, ending in the final sigma). */
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
    public StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise) {
        return step(modelOutput, timestep, sample, noise, 0.0, 0.0, Double.POSITIVE_INFINITY, 1.0);
    }

    /**
     * One Euler step with diffusers' stochastic "churn" options ({@code step(..., s_churn, s_tmin,
     * s_tmax, s_noise, generator)}). With {@code sChurn > 0} and {@code sTmin <= sigma <= sTmax}
     * the sample is first raised to {@code sigma_hat = sigma (1 + gamma)} with
     * {@code gamma = min(sChurn / (len(sigmas) - 1), sqrt(2) - 1)}, drawing noise from
     * {@code noise}.
     *
     * @throws IllegalArgumentException on bad arguments, or if noise is needed and {@code noise} is null
     * @throws IllegalStateException before {@link #setTimesteps} or after the last step
     */
    public StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise,
                           double sChurn, double sTmin, double sTmax, double sNoise) {
        requireTimesteps();
        SchedulerSupport.checkStepArrays(modelOutput, sample);
        Check.nonNegative("sChurn", sChurn);
        Check.finite("sNoise", sNoise);
        if (Double.isNaN(sTmin) || Double.isNaN(sTmax)) {
            throw new IllegalArgumentException("sTmin and sTmax must not be NaN, got " + sTmin + ", " + sTmax);
        }
        if (stepIndex == null) {
            initStepIndex(timestep);
        }
        SchedulerSupport.requireStepLeft(stepIndex, timesteps.length);
        int n = sample.length;

        float sigma = sigmas[stepIndex];
        double gamma = ((float) sTmin <= sigma && sigma <= (float) sTmax)
                ? Math.min(sChurn / (sigmas.length - 1), Math.sqrt(2.0) - 1) : 0.0;
        float sigmaHat = sigma * (float) (gamma + 1);

        float[] x = sample;
        if (gamma > 0) {
            if (noise == null) {
                throw new IllegalArgumentException("noise must not be null when sChurn > 0 adds noise (gamma = "
                        + gamma + ")");
            }
            float[] eps = noise.randn(n);
            Check.length("noise.randn(n)", eps, n);
            float churn = (float) Math.sqrt(sigmaHat * sigmaHat - sigma * sigma);
            float sNoiseF = (float) sNoise;
            x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = sample[i] + (eps[i] * sNoiseF) * churn;
            }
        }

        // 1. compute predicted original sample (x_0) from sigma-scaled predicted noise
        float[] pred = new float[n];
        switch (predictionType) {
            case "original_sample":
            case "sample":
                System.arraycopy(modelOutput, 0, pred, 0, n);
                break;
            case "epsilon":
                for (int i = 0; i < n; i++) {
                    pred[i] = x[i] - sigmaHat * modelOutput[i];
                }
                break;
            default: { // v_prediction
                float s2p1 = sigma * sigma + 1;
                float c = -sigma / (float) Math.sqrt(s2p1);
                for (int i = 0; i < n; i++) {
                    pred[i] = modelOutput[i] * c + x[i] / s2p1;
                }
                break;
            }
        }

        // 2. convert to an ODE derivative
        float dt = sigmas[stepIndex + 1] - sigmaHat;
        float[] prev = new float[n];
        for (int i = 0; i < n; i++) {
            float derivative = (x[i] - pred[i]) / sigmaHat;
            prev[i] = x[i] + derivative * dt;
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

    /** What diffusers holds right after construction (sigmas, timesteps), for tests. */
    float[] initialSigmas() {
        return initialSigmas.clone();
    }

    float[] initialTimesteps() {
        return initialTimesteps.clone();
    }

    private void initStepIndex(float timestep) {
        stepIndex = beginIndex == null ? SigmaSchedules.indexForTimestep("timestep", timestep, timesteps) : beginIndex;
    }

    private void requireTimesteps() {
        Check.state(timesteps != null, "setTimesteps must be called before using the scheduler");
    }
}
