package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.util.Check;

/**
 * Heun's second-order method (Karras et al. 2022, Algorithm 1), a port of diffusers'
 * {@code HeunDiscreteScheduler} ({@code src/diffusers/schedulers/scheduling_heun_discrete.py}
 * {@literal @}58eb52c).
 *
 * <p>The schedule repeats every timestep but the first ({@code [t0, t1, t1, t2, t2, ...]}) with
 * sigmas {@code [s0, s1, s1, s2, s2, ..., 0]}; the loop calls the model once per entry. A step in
 * the first-order state ({@link #stateInFirstOrder()}) stores the Euler derivative and returns the
 * Euler prediction; the following step averages it with the derivative at the predicted point and
 * restarts from the stored sample. {@link #order()} is 2.
 *
 * <p>Configuration fields (diffusers names, class defaults): {@code num_train_timesteps} 1000,
 * {@code beta_start} 0.00085, {@code beta_end} 0.012, {@code beta_schedule} "linear" (or
 * "scaled_linear", "squaredcos_cap_v2", "exp"), {@code trained_betas} null,
 * {@code prediction_type} "epsilon" (or "v_prediction", "sample"), {@code use_karras_sigmas}
 * false, {@code use_exponential_sigmas} false, {@code clip_sample} false,
 * {@code clip_sample_range} 1.0, {@code timestep_spacing} "linspace" (or "leading", "trailing"),
 * {@code steps_offset} 0. {@code use_beta_sigmas} is rejected (needs scipy's beta quantile).
 *
 * <p>Tensor arithmetic is float32 in diffusers' order. Stateful and not thread-safe.
 */
public final class HeunDiscreteScheduler extends SigmaDiscreteScheduler {
    private final String predictionType;
    private final SigmaSchedules.Conversion conversion;
    private final Double sigmaMin;
    private final Double sigmaMax;
    private final boolean clipSample;
    private final float clipSampleRange;
    private final float[] initialTimesteps;

    // state of the second-order correction
    private float[] prevDerivative;
    private Float dt;
    private float[] storedSample;

    /** Builds the scheduler from a diffusers scheduler config (any class's; unknown fields are ignored). */
    public HeunDiscreteScheduler(SchedulerConfig config) {
        super(config, (c, n) -> TrainSchedule.fromConfig(c, n, TrainSchedule.ZeroSnr.NOT_A_FIELD,
                0.00085, 0.012, "linear", "scaled_linear", "squaredcos_cap_v2", "exp"));
        this.predictionType = config.getEnum("prediction_type", "epsilon", "epsilon", "v_prediction", "sample");
        this.conversion = SigmaSchedules.readConversion(config);
        this.sigmaMin = SchedulerSupport.optionalDouble(config, "sigma_min");
        this.sigmaMax = SchedulerSupport.optionalDouble(config, "sigma_max");
        this.clipSample = config.getBoolean("clip_sample", false);
        double range = config.getDouble("clip_sample_range", 1.0);
        if (clipSample) {
            Check.positive("scheduler config field clip_sample_range", range);
        }
        this.clipSampleRange = (float) range;
        // __init__ ends with set_timesteps(num_train_timesteps); keep that schedule for inspection only
        computeSchedule(numTrainTimesteps);
        this.initialSigmas = sigmas;
        this.initialTimesteps = timesteps;
        this.sigmas = null;
        this.timesteps = null;
    }

    private void computeSchedule(int n) {
        SigmaSchedules.Schedule s = SigmaSchedules.discreteSchedule(timestepSpacing, numTrainTimesteps, n, stepsOffset,
                trainSigmas, conversion, sigmaMin, sigmaMax, 0.0);
        float[] sig = s.sigmas();
        float[] ts = s.timesteps();
        // sigmas = cat([s[:1], s[1:-1].repeat_interleave(2), s[-1:]])
        int m = sig.length;
        float[] rep = new float[2 * m - 2];
        rep[0] = sig[0];
        for (int i = 1; i < m - 1; i++) {
            rep[2 * i - 1] = sig[i];
            rep[2 * i] = sig[i];
        }
        rep[rep.length - 1] = sig[m - 1];
        // timesteps = cat([t[:1], t[1:].repeat_interleave(2)])
        float[] trep = new float[2 * ts.length - 1];
        trep[0] = ts[0];
        for (int i = 1; i < ts.length; i++) {
            trep[2 * i - 1] = ts[i];
            trep[2 * i] = ts[i];
        }
        this.sigmas = rep;
        this.timesteps = trep;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        SchedulerSupport.checkNumInferenceSteps(numInferenceSteps, numTrainTimesteps);
        this.numInferenceSteps = numInferenceSteps;
        computeSchedule(numInferenceSteps);
        this.prevDerivative = null;
        this.dt = null;
        this.storedSample = null;
        this.stepIndex = null;
        this.beginIndex = null;
    }

    /** True when the next step is a first-order (Euler) step ({@code dt is None}). */
    public boolean stateInFirstOrder() {
        return dt == null;
    }

    @Override
    public StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise) {
        requireTimesteps();
        SchedulerSupport.checkStepArrays(modelOutput, sample);
        if (stepIndex == null) {
            initStepIndex(timestep);
        }
        boolean firstOrder = stateInFirstOrder();
        SchedulerSupport.requireStepLeft(stepIndex, timesteps.length);
        if (!firstOrder && storedSample.length != sample.length) {
            throw new IllegalArgumentException("sample must have the length of the first-order step's sample ("
                    + storedSample.length + "), got " + sample.length);
        }
        int n = sample.length;
        float sigma;
        float sigmaNext;
        if (firstOrder) {
            sigma = sigmas[stepIndex];
            sigmaNext = sigmas[stepIndex + 1];
        } else {
            // 2nd order / Heun's method
            sigma = sigmas[stepIndex - 1];
            sigmaNext = sigmas[stepIndex];
        }

        // currently only gamma=0 is supported. This usually works best anyways.
        float sigmaHat = sigma; // sigma * (gamma + 1) with gamma = 0

        // 1. compute predicted original sample (x_0) from sigma-scaled predicted noise
        float sigmaInput = firstOrder ? sigmaHat : sigmaNext;
        float[] pred = new float[n];
        switch (predictionType) {
            case "epsilon":
                for (int i = 0; i < n; i++) {
                    pred[i] = sample[i] - sigmaInput * modelOutput[i];
                }
                break;
            case "v_prediction": {
                float s2p1 = sigmaInput * sigmaInput + 1;
                float c = -sigmaInput / (float) Math.sqrt(s2p1);
                for (int i = 0; i < n; i++) {
                    pred[i] = modelOutput[i] * c + sample[i] / s2p1;
                }
                break;
            }
            default: // sample
                System.arraycopy(modelOutput, 0, pred, 0, n);
                break;
        }
        if (clipSample) {
            for (int i = 0; i < n; i++) {
                pred[i] = clamp(pred[i], -clipSampleRange, clipSampleRange);
            }
        }

        float[] prev = new float[n];
        if (firstOrder) {
            // 2. Convert to an ODE derivative for 1st order
            float stepDt = sigmaNext - sigmaHat;
            float[] derivative = new float[n];
            for (int i = 0; i < n; i++) {
                derivative[i] = (sample[i] - pred[i]) / sigmaHat;
                prev[i] = sample[i] + derivative[i] * stepDt;
            }
            // store for 2nd order step
            prevDerivative = derivative;
            dt = stepDt;
            storedSample = sample.clone();
        } else {
            // 2. 2nd order / Heun's method
            float stepDt = dt;
            for (int i = 0; i < n; i++) {
                float derivative = (sample[i] - pred[i]) / sigmaNext;
                derivative = (prevDerivative[i] + derivative) / 2;
                prev[i] = storedSample[i] + derivative * stepDt;
            }
            // free dt and derivative; this puts the scheduler in "first order mode"
            prevDerivative = null;
            dt = null;
            storedSample = null;
        }

        // upon completion increase step index by one
        stepIndex++;
        return new StepResult(prev, pred);
    }

    private static float clamp(float v, float lo, float hi) {
        if (Float.isNaN(v)) {
            return v;
        }
        return Math.min(Math.max(v, lo), hi);
    }

    @Override
    public int order() {
        return 2;
    }

    float[] initialTimesteps() {
        return initialTimesteps.clone();
    }
}
