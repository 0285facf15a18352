package io.github.audioldm4j.scheduler;

/**
 * Sigma-schedule helpers shared by the multistep solvers (DPM-Solver, UniPC), ported from
 * diffusers' scheduling_dpmsolver_multistep.py / scheduling_unipc_multistep.py (which copy them from
 * scheduling_euler_discrete.py): the VP sigma table, Karras / exponential / Lu conversions,
 * {@code _sigma_to_t}, {@code _sigma_to_alpha_sigma_t} and {@code index_for_timestep}.
 */
final class SigmaSchedules {
    private SigmaSchedules() {}

    /** {@code ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5} in float32. */
    static float[] vpSigmas(float[] alphasCumprod) {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = SchedulerSupport.sqrt((1f - alphasCumprod[i]) / alphasCumprod[i]);
        }
        return s;
    }

    /** {@code np.log} of a float32 array (float32 result). */
    static float[] logF32(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = SchedulerSupport.log(x[i]);
        }
        return out;
    }

    /**
     * {@code _convert_to_karras}: {@code (max^(1/rho) + ramp*(min^(1/rho) - max^(1/rho)))^rho}, rho = 7,
     * ramp = np.linspace(0, 1, n), float64.
     */
    static double[] karras(double sigmaMin, double sigmaMax, int numInferenceSteps) {
        double rho = 7.0; // 7.0 is the value used in the paper
        double[] ramp = TimestepSpacing.npLinspace(0, 1, numInferenceSteps);
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] sigmas = new double[numInferenceSteps];
        for (int i = 0; i < sigmas.length; i++) {
            sigmas[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return sigmas;
    }

    /** {@code _convert_to_exponential}: {@code exp(linspace(log(max), log(min), n))}, float64. */
    static double[] exponential(double sigmaMin, double sigmaMax, int numInferenceSteps) {
        double[] l = TimestepSpacing.npLinspace(Math.log(sigmaMax), Math.log(sigmaMin), numInferenceSteps);
        double[] out = new double[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.exp(l[i]);
        }
        return out;
    }

    /** {@code _convert_to_lu} with rho = 1: a linear ramp from lambdaMax to lambdaMin, float64. */
    static double[] lu(double lambdaMin, double lambdaMax, int numInferenceSteps) {
        double[] ramp = TimestepSpacing.npLinspace(0, 1, numInferenceSteps);
        double[] out = new double[numInferenceSteps];
        for (int i = 0; i < out.length; i++) {
            out[i] = lambdaMax + ramp[i] * (lambdaMin - lambdaMax);
        }
        return out;
    }

    /**
     * {@code _sigma_to_t(sigma, log_sigmas)} for one float64 sigma against the float32 log-sigma table,
     * with numpy 1.24's value-based casting: the float64 scalar meets float32 arrays, so the distances
     * and the interpolation weight are float32; the final {@code (1-w)*low_idx + w*high_idx} is float64.
     */
    static double sigmaToT(double sigma, float[] logSigmas) {
        // get log sigma
        float logSigma = (float) Math.log(Math.max(sigma, 1e-10));
        // get distribution; get sigmas range: last index with dists >= 0 (argmax of the cumsum)
        int lowIdx = 0;
        int count = 0;
        int best = -1;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                count++;
            }
            if (count > best) {
                best = count;
                lowIdx = i;
            }
        }
        lowIdx = Math.min(lowIdx, logSigmas.length - 2);
        int highIdx = lowIdx + 1;
        float low = logSigmas[lowIdx];
        float high = logSigmas[highIdx];
        // interpolate sigmas
        float w = (low - logSigma) / (low - high);
        w = Math.max(0f, Math.min(1f, w));
        // transform interpolation to time range
        return (double) (1f - w) * lowIdx + (double) w * highIdx;
    }

    /** alpha_t of {@code _sigma_to_alpha_sigma_t}: {@code 1 / ((sigma**2 + 1) ** 0.5)}, float32. */
    static float alphaT(float sigma) {
        return 1f / SchedulerSupport.sqrt(sigma * sigma + 1f);
    }

    /** lambda = log(alpha_t) - log(sigma_t), float32. */
    static float lambda(float alphaT, float sigmaT) {
        return SchedulerSupport.log(alphaT) - SchedulerSupport.log(sigmaT);
    }

    /**
     * {@code index_for_timestep}: the index of {@code timestep} in the schedule; when it occurs more
     * than once, the second occurrence (so an img2img start never skips a sigma).
     *
     * @throws IllegalArgumentException when the timestep is not in the schedule (diffusers would
     *     silently use the last index)
     */
    static int indexForTimestep(String name, double timestep, long[] scheduleTimesteps) {
        int first = -1;
        for (int i = 0; i < scheduleTimesteps.length; i++) {
            if (scheduleTimesteps[i] == timestep) {
                if (first >= 0) {
                    return i;
                }
                first = i;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException(name + " must be one of the scheduler's timesteps "
                    + java.util.Arrays.toString(scheduleTimesteps) + ", got " + timestep);
        }
        return first;
    }
}
