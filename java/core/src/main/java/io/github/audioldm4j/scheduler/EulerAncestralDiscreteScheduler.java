package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.util.Check;

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
public final class EulerAncestralDiscreteScheduler extends SigmaDiscreteScheduler {
    private final String predictionType;

    /** Builds the scheduler from a diffusers scheduler config (any class's; unknown fields are ignored). */
    public EulerAncestralDiscreteScheduler(SchedulerConfig config) {
        super(config, (c, n) -> TrainSchedule.fromConfig(c, n, TrainSchedule.ZeroSnr.RESCALE_AND_CLAMP));
        this.predictionType = config.getEnum("prediction_type", "epsilon", "epsilon", "v_prediction");
        this.initialSigmas = SigmaSchedules.initialSigmas(trainSigmas);
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
    public int order() {
        return 1;
    }
}
