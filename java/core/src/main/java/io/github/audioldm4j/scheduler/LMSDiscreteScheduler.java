package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.util.Check;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Linear multistep scheduler for discrete beta schedules (Karras et al. 2022, k-diffusion
 * {@code sample_lms}), a port of diffusers' {@code LMSDiscreteScheduler}
 * ({@code src/diffusers/schedulers/scheduling_lms_discrete.py} @58eb52c).
 *
 * <p>Each step combines the last {@code order} (default 4) ODE derivatives with coefficients
 * {@code integral over [sigma_t, sigma_{t+1}] of the Lagrange basis polynomial}. diffusers computes
 * them with {@code scipy.integrate.quad(..., epsrel=1e-4)} on an integrand that is evaluated with
 * torch float32 tensors; this class evaluates the integrand the same way (float32) and integrates
 * with the same 21-point Gauss-Kronrod rule ({@link LmsQuadrature}), so the coefficients equal
 * scipy's.
 *
 * <p>Configuration fields (diffusers names, class defaults): {@code num_train_timesteps} 1000,
 * {@code beta_start} 0.0001, {@code beta_end} 0.02, {@code beta_schedule} "linear" (or
 * "scaled_linear", "squaredcos_cap_v2"), {@code trained_betas} null, {@code use_karras_sigmas}
 * false, {@code use_exponential_sigmas} false, {@code prediction_type} "epsilon" (or
 * "v_prediction", "sample"), {@code timestep_spacing} "linspace" (or "leading", "trailing"),
 * {@code steps_offset} 0. {@code use_beta_sigmas} is rejected (needs scipy's beta quantile).
 *
 * <p>Tensor arithmetic is float32 in diffusers' order. Stateful and not thread-safe.
 */
public final class LMSDiscreteScheduler extends SigmaDiscreteScheduler {
    /** diffusers' default {@code order} argument of {@code step}. */
    public static final int DEFAULT_ORDER = 4;
    private static final double QUAD_EPSREL = 1e-4;

    private final String predictionType;
    private final SigmaSchedules.Conversion conversion;
    private final Double sigmaMin;
    private final Double sigmaMax;
    private final float[] initialTimesteps;

    /** Most recent last. */
    private final ArrayDeque<float[]> derivatives = new ArrayDeque<>();
    private double[] lastCoefficients = new double[0];

    /** Builds the scheduler from a diffusers scheduler config (any class's; unknown fields are ignored). */
    public LMSDiscreteScheduler(SchedulerConfig config) {
        super(config, (c, n) -> TrainSchedule.fromConfig(c, n, TrainSchedule.ZeroSnr.NOT_A_FIELD));
        this.predictionType = config.getEnum("prediction_type", "epsilon", "epsilon", "v_prediction", "sample");
        this.conversion = SigmaSchedules.readConversion(config);
        // LMS's _convert_to_karras ignores config sigma_min/sigma_max; _convert_to_exponential reads them
        this.sigmaMin = SchedulerSupport.optionalDouble(config, "sigma_min");
        this.sigmaMax = SchedulerSupport.optionalDouble(config, "sigma_max");
        // __init__ ends with set_timesteps(num_train_timesteps); keep that schedule for inspection only
        SigmaSchedules.Schedule s = computeSchedule(numTrainTimesteps);
        this.initialSigmas = s.sigmas();
        this.initialTimesteps = s.timesteps();
    }

    private SigmaSchedules.Schedule computeSchedule(int n) {
        boolean karras = conversion == SigmaSchedules.Conversion.KARRAS;
        return SigmaSchedules.discreteSchedule(timestepSpacing, numTrainTimesteps, n, stepsOffset, trainSigmas,
                conversion, karras ? null : sigmaMin, karras ? null : sigmaMax, 0.0);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        SchedulerSupport.checkNumInferenceSteps(numInferenceSteps, numTrainTimesteps);
        this.numInferenceSteps = numInferenceSteps;
        SigmaSchedules.Schedule s = computeSchedule(numInferenceSteps);
        this.timesteps = s.timesteps();
        this.sigmas = s.sigmas();
        this.stepIndex = null;
        this.beginIndex = null;
        this.derivatives.clear();
        this.lastCoefficients = new double[0];
    }

    /**
     * {@code get_lms_coefficient(order, t, current_order)}: the integral over
     * {@code [sigmas[t], sigmas[t + 1]]} of the Lagrange basis polynomial of node
     * {@code sigmas[t - current_order]} among {@code sigmas[t - k]}, k &lt; order. The integrand is
     * evaluated as diffusers does, in float32 ({@code tau} is rounded to float32 when it meets the
     * sigma tensor).
     */
    double lmsCoefficient(int order, int t, int currentOrder) {
        final float[] s = sigmas;
        final float sc = s[t - currentOrder];
        return LmsQuadrature.quad(tau -> {
            if (order == 1) {
                return 1.0; // the product is empty: Python float 1.0
            }
            float tauF = (float) tau;
            float prod = 0f;
            boolean first = true;
            for (int k = 0; k < order; k++) {
                if (currentOrder == k) {
                    continue;
                }
                float q = (tauF - s[t - k]) / (sc - s[t - k]);
                prod = first ? q : prod * q;
                first = false;
            }
            return prod;
        }, s[t], s[t + 1], LmsQuadrature.DEFAULT_EPSABS, QUAD_EPSREL);
    }

    @Override
    public StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise) {
        return step(modelOutput, timestep, sample, DEFAULT_ORDER);
    }

    /**
     * One LMS step of the given order ({@code step(..., order=order)}); the effective order is
     * {@code min(step_index + 1, order)}.
     *
     * @throws IllegalArgumentException on bad arguments or {@code order < 1}
     * @throws IllegalStateException before {@link #setTimesteps} or after the last step
     */
    public StepResult step(float[] modelOutput, float timestep, float[] sample, int order) {
        requireTimesteps();
        SchedulerSupport.checkStepArrays(modelOutput, sample);
        Check.positive("order", order);
        if (stepIndex == null) {
            initStepIndex(timestep);
        }
        SchedulerSupport.requireStepLeft(stepIndex, timesteps.length);
        int n = sample.length;
        float sigma = sigmas[stepIndex];

        // 1. compute predicted original sample (x_0) from sigma-scaled predicted noise
        float[] pred = new float[n];
        switch (predictionType) {
            case "epsilon":
                for (int i = 0; i < n; i++) {
                    pred[i] = sample[i] - sigma * modelOutput[i];
                }
                break;
            case "v_prediction": {
                float s2p1 = sigma * sigma + 1;
                float c = -sigma / (float) Math.sqrt(s2p1);
                for (int i = 0; i < n; i++) {
                    pred[i] = modelOutput[i] * c + sample[i] / s2p1;
                }
                break;
            }
            default: // sample
                System.arraycopy(modelOutput, 0, pred, 0, n);
                break;
        }

        // 2. convert to an ODE derivative
        float[] derivative = new float[n];
        for (int i = 0; i < n; i++) {
            derivative[i] = (sample[i] - pred[i]) / sigma;
        }
        if (!derivatives.isEmpty() && derivatives.peekLast().length != n) {
            throw new IllegalArgumentException("sample must have the length of the previous steps' samples ("
                    + derivatives.peekLast().length + "), got " + n);
        }
        derivatives.addLast(derivative);
        if (derivatives.size() > order) {
            derivatives.removeFirst();
        }

        // 3. compute linear multistep coefficients
        int effOrder = Math.min(stepIndex + 1, order);
        double[] coeffs = new double[effOrder];
        for (int c = 0; c < effOrder; c++) {
            coeffs[c] = lmsCoefficient(effOrder, stepIndex, c);
        }
        lastCoefficients = coeffs;

        // 4. compute previous sample based on the derivatives path:
        // sample + sum(coeff * derivative for coeff, derivative in zip(coeffs, reversed(derivatives)))
        float[] sum = null;
        Iterator<float[]> it = derivatives.descendingIterator();
        for (int c = 0; c < effOrder && it.hasNext(); c++) {
            float[] d = it.next();
            float cf = (float) coeffs[c];
            if (sum == null) {
                sum = new float[n];
                for (int i = 0; i < n; i++) {
                    sum[i] = 0 + cf * d[i]; // Python sum() starts from int 0
                }
            } else {
                for (int i = 0; i < n; i++) {
                    sum[i] = sum[i] + cf * d[i];
                }
            }
        }
        float[] prev = new float[n];
        for (int i = 0; i < n; i++) {
            prev[i] = sample[i] + sum[i];
        }

        // upon completion increase step index by one
        stepIndex++;
        return new StepResult(prev, pred);
    }

    /** The coefficients {@code get_lms_coefficient} returned during the last step (float64). */
    double[] lastCoefficients() {
        return lastCoefficients.clone();
    }

    @Override
    public int order() {
        return 1;
    }

    float[] initialTimesteps() {
        return initialTimesteps.clone();
    }
}
