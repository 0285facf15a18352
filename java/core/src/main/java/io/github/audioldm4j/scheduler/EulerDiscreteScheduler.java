package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.util.Check;

/**
 * Euler scheduler (Karras et al. 2022, Algorithm 2), a port of diffusers'
 * {@code EulerDiscreteScheduler} ({@code src/diffusers/schedulers/scheduling_euler_discrete.py}
 * {@literal @}58eb52c). With the default {@code s_churn = 0} a step is deterministic.
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
public final class EulerDiscreteScheduler extends SigmaDiscreteScheduler {
    private final String predictionType;
    private final SigmaSchedules.Conversion conversion;
    private final Double sigmaMin;
    private final Double sigmaMax;
    private final String finalSigmasType;
    private final float[] initialTimesteps;

    /** Builds the scheduler from a diffusers scheduler config (any class's; unknown fields are ignored). */
    public EulerDiscreteScheduler(SchedulerConfig config) {
        super(config, (c, n) -> TrainSchedule.fromConfig(c, n, TrainSchedule.ZeroSnr.RESCALE_AND_CLAMP));
        this.predictionType = config.getEnum("prediction_type", "epsilon",
                "epsilon", "v_prediction", "sample", "original_sample");
        config.getEnum("interpolation_type", "linear", "linear");
        config.getEnum("timestep_type", "discrete", "discrete");
        this.conversion = SigmaSchedules.readConversion(config);
        this.sigmaMin = SchedulerSupport.optionalDouble(config, "sigma_min");
        this.sigmaMax = SchedulerSupport.optionalDouble(config, "sigma_max");
        this.finalSigmasType = config.getEnum("final_sigmas_type", "zero", "zero", "sigma_min");
        // __init__: sigmas = cat(flip(train sigmas), [0]); timesteps = linspace(0, N-1, N)[::-1]
        this.initialSigmas = SigmaSchedules.initialSigmas(trainSigmas);
        double[] lin = TimestepSpacing.npLinspace(0, numTrainTimesteps - 1, numTrainTimesteps);
        this.initialTimesteps = new float[numTrainTimesteps];
        for (int i = 0; i < numTrainTimesteps; i++) {
            initialTimesteps[i] = (float) lin[numTrainTimesteps - 1 - i];
        }
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
    public int order() {
        return 1;
    }

    float[] initialTimesteps() {
        return initialTimesteps.clone();
    }
}
