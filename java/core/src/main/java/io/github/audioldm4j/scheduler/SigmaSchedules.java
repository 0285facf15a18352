package io.github.audioldm4j.scheduler;

import java.util.Arrays;

/**
 * Sigma-schedule helpers shared by the schedulers that keep a sigma per timestep: the k-diffusion
 * family (Euler, Euler Ancestral, LMS, Heun) and the multistep solvers (DPM-Solver, UniPC). Ported
 * from diffusers' scheduling_euler_discrete.py, which the other files copy ("# Copied from"): the
 * VP sigma table, {@code np.interp}, Karras / exponential / Lu conversions, {@code _sigma_to_t},
 * {@code _sigma_to_alpha_sigma_t}, {@code index_for_timestep}, {@code init_noise_sigma},
 * {@code scale_model_input} and the two {@code add_noise} forms. Each method reproduces the upstream
 * expression with its dtypes (torch float32 where diffusers uses tensors, numpy float64 where it
 * uses numpy, then the same casts; torch 1.13, numpy 1.24).
 */
final class SigmaSchedules {
    private SigmaSchedules() {}

    /** The sigma conversion of {@code use_karras_sigmas} / {@code use_exponential_sigmas}. */
    enum Conversion {
        /** The interpolated training sigmas as they are. */
        NONE,
        /** {@code _convert_to_karras}. */
        KARRAS,
        /** {@code _convert_to_exponential}. */
        EXPONENTIAL
    }

    /** A schedule: float32 timesteps and their sigmas (one more, ending in the final sigma). */
    record Schedule(float[] timesteps, float[] sigmas) {}

    /**
     * {@code use_karras_sigmas} / {@code use_exponential_sigmas} of Euler, LMS and Heun, at most one
     * true; {@code use_beta_sigmas} is rejected (it needs scipy's beta quantile).
     */
    static Conversion readConversion(SchedulerConfig config) {
        boolean useKarrasSigmas = config.getBoolean("use_karras_sigmas", false);
        boolean useExponentialSigmas = config.getBoolean("use_exponential_sigmas", false);
        boolean useBetaSigmas = config.getBoolean("use_beta_sigmas", false);
        if ((useKarrasSigmas ? 1 : 0) + (useExponentialSigmas ? 1 : 0) + (useBetaSigmas ? 1 : 0) > 1) {
            throw new IllegalArgumentException("only one of scheduler config fields use_beta_sigmas,"
                    + " use_exponential_sigmas, use_karras_sigmas can be true, got " + useBetaSigmas + ", "
                    + useExponentialSigmas + ", " + useKarrasSigmas);
        }
        if (useBetaSigmas) {
            throw new IllegalArgumentException(
                    "scheduler config field use_beta_sigmas is not supported (scipy beta quantiles), got true");
        }
        return useKarrasSigmas ? Conversion.KARRAS : useExponentialSigmas ? Conversion.EXPONENTIAL : Conversion.NONE;
    }

    /**
     * {@code use_karras_sigmas} / {@code use_exponential_sigmas} of DPM-Solver and UniPC, at most one
     * true ({@code use_beta_sigmas} is rejected before, see
     * {@link SchedulerSupport#rejectUnportedSolverOptions}).
     */
    static Conversion readSolverConversion(SchedulerConfig config) {
        boolean useKarrasSigmas = config.getBoolean("use_karras_sigmas", false);
        boolean useExponentialSigmas = config.getBoolean("use_exponential_sigmas", false);
        if (useKarrasSigmas && useExponentialSigmas) {
            throw new IllegalArgumentException("only one of scheduler config fields use_beta_sigmas, use_exponential_sigmas,"
                    + " use_karras_sigmas can be true, got use_karras_sigmas=true and use_exponential_sigmas=true");
        }
        return useKarrasSigmas ? Conversion.KARRAS : useExponentialSigmas ? Conversion.EXPONENTIAL : Conversion.NONE;
    }

    /**
     * The VP tables of DPM-Solver's and UniPC's {@code __init__} ("Currently we only support VP-type
     * noise schedule"): {@code alpha_t = sqrt(alphas_cumprod)}, {@code sigma_t = sqrt(1 - alphas_cumprod)},
     * {@code lambda_t = log(alpha_t) - log(sigma_t)}, float32, one per training timestep.
     */
    record VpTables(float[] alphaT, float[] sigmaT, float[] lambdaT) {
        static VpTables of(float[] alphasCumprod) {
            int n = alphasCumprod.length;
            float[] alphaT = new float[n];
            float[] sigmaT = new float[n];
            float[] lambdaT = new float[n];
            for (int i = 0; i < n; i++) {
                alphaT[i] = SchedulerSupport.sqrt(alphasCumprod[i]);
                sigmaT[i] = SchedulerSupport.sqrt(1f - alphasCumprod[i]);
                lambdaT[i] = lambda(alphaT[i], sigmaT[i]);
            }
            return new VpTables(alphaT, sigmaT, lambdaT);
        }
    }

    /**
     * {@code convert_model_output} of DPM-Solver and UniPC: the data prediction x_0 (DPM-Solver++,
     * UniPC with predict_x0) or the noise prediction (DPM-Solver, UniPC without predict_x0) from an
     * epsilon / sample / v_prediction model output at {@code sigma}, float32.
     *
     * @param dataPrediction true for x_0, false for epsilon
     */
    static float[] convertModelOutput(String predictionType, boolean dataPrediction, float sigma, float[] modelOutput,
            float[] sample) {
        float alphaT = alphaT(sigma);
        float sigmaT = sigma * alphaT;
        int n = sample.length;
        float[] out = new float[n];
        if (dataPrediction) {
            // DPM-Solver++ needs to solve an integral of the data prediction model.
            switch (predictionType) {
                case "epsilon":
                    for (int i = 0; i < n; i++) {
                        out[i] = (sample[i] - sigmaT * modelOutput[i]) / alphaT;
                    }
                    break;
                case "sample":
                    System.arraycopy(modelOutput, 0, out, 0, n);
                    break;
                default: // v_prediction
                    for (int i = 0; i < n; i++) {
                        out[i] = alphaT * sample[i] - sigmaT * modelOutput[i];
                    }
                    break;
            }
        } else {
            // DPM-Solver needs to solve an integral of the noise prediction model.
            switch (predictionType) {
                case "epsilon":
                    System.arraycopy(modelOutput, 0, out, 0, n);
                    break;
                case "sample":
                    for (int i = 0; i < n; i++) {
                        out[i] = (sample[i] - alphaT * modelOutput[i]) / sigmaT;
                    }
                    break;
                default: // v_prediction
                    for (int i = 0; i < n; i++) {
                        out[i] = alphaT * modelOutput[i] + sigmaT * sample[i];
                    }
                    break;
            }
        }
        return out;
    }

    /**
     * {@code EulerDiscreteScheduler.set_timesteps} (copied into Euler Ancestral, LMS and Heun):
     * the spaced float32 timesteps ({@link TimestepSpacing#discrete}), their sigmas by
     * {@code np.interp} from the training sigmas, optionally converted to a Karras or exponential
     * schedule (the timesteps then come from {@code _sigma_to_t}), and the final sigma appended.
     *
     * @param sigmaMin the conversion's smallest sigma, or null for the interpolated schedule's last
     * @param sigmaMax the conversion's largest sigma, or null for the interpolated schedule's first
     * @param finalSigma the sigma appended after the last timestep
     */
    static Schedule discreteSchedule(String spacing, int numTrainTimesteps, int numInferenceSteps, int stepsOffset,
            float[] trainSigmas, Conversion conversion, Double sigmaMin, Double sigmaMax, double finalSigma) {
        float[] timesteps = TimestepSpacing.discrete(spacing, numTrainTimesteps, numInferenceSteps, stepsOffset);
        double[] sigmas = interp(timesteps, trainSigmas);
        if (conversion != Conversion.NONE) {
            double lo = sigmaMin != null ? sigmaMin : sigmas[sigmas.length - 1];
            double hi = sigmaMax != null ? sigmaMax : sigmas[0];
            sigmas = conversion == Conversion.KARRAS ? karras(lo, hi, numInferenceSteps)
                    : exponential(lo, hi, numInferenceSteps);
            float[] logSigmas = logF32(trainSigmas);
            timesteps = new float[sigmas.length];
            for (int i = 0; i < sigmas.length; i++) {
                timesteps[i] = (float) sigmaToT(sigmas[i], logSigmas);
            }
        }
        return new Schedule(timesteps, appendAsFloat(sigmas, finalSigma));
    }

    /** The sigmas of the k-diffusion {@code __init__}: {@code cat(flip(train_sigmas), [0])}. */
    static float[] initialSigmas(float[] trainSigmas) {
        int n = trainSigmas.length;
        float[] s = new float[n + 1];
        for (int i = 0; i < n; i++) {
            s[i] = trainSigmas[n - 1 - i];
        }
        return s;
    }

    /** {@code ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5} in float32, index = training timestep. */
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
     * {@code np.interp(x, np.arange(0, len(fp)), fp)} in float64 (numpy 1.24
     * {@code compiled_base.c arr_interp}): exact sample at integers, {@code slope * (x - j) + fp[j]}
     * between, clamped to the end values outside.
     */
    static double[] interp(float[] x, float[] fp) {
        int len = fp.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double xv = x[i];
            if (Double.isNaN(xv)) {
                out[i] = xv;
            } else if (xv < 0) {
                out[i] = fp[0];
            } else if (xv >= len - 1) {
                out[i] = fp[len - 1];
            } else {
                int j = (int) Math.floor(xv);
                if (j == xv) {
                    out[i] = fp[j];
                } else {
                    double slope = ((double) fp[j + 1] - (double) fp[j]) / 1.0;
                    double r = slope * (xv - j) + fp[j];
                    if (Double.isNaN(r)) {
                        r = slope * (xv - (j + 1)) + fp[j + 1];
                        if (Double.isNaN(r) && fp[j] == fp[j + 1]) {
                            r = fp[j];
                        }
                    }
                    out[i] = r;
                }
            }
        }
        return out;
    }

    /**
     * {@code _convert_to_karras}: {@code (max^(1/rho) + ramp*(min^(1/rho) - max^(1/rho)))^rho}, rho = 7,
     * ramp = np.linspace(0, 1, n), float64 (Karras et al. 2022, eq. 5).
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

    /** {@code np.concatenate([sigmas, [last]]).astype(np.float32)}. */
    static float[] appendAsFloat(double[] sigmas, double last) {
        float[] out = new float[sigmas.length + 1];
        for (int i = 0; i < sigmas.length; i++) {
            out[i] = (float) sigmas[i];
        }
        out[sigmas.length] = (float) last;
        return out;
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
     * k-diffusion {@code init_noise_sigma}: the max sigma for "linspace" and "trailing" spacing,
     * {@code (max**2 + 1) ** 0.5} (float32) otherwise.
     */
    static float initNoiseSigma(float[] sigmas, String spacing) {
        float max = Float.NEGATIVE_INFINITY;
        for (float s : sigmas) {
            if (Float.isNaN(s)) {
                max = s;
                break;
            }
            max = Math.max(max, s);
        }
        if ("linspace".equals(spacing) || "trailing".equals(spacing)) {
            return max;
        }
        return (float) Math.sqrt(max * max + 1);
    }

    /** k-diffusion {@code scale_model_input}: {@code sample / ((sigma**2 + 1) ** 0.5)} in float32. */
    static float[] scaleBySigma(float[] sample, float sigma) {
        float denom = (float) Math.sqrt(sigma * sigma + 1);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sample[i] / denom;
        }
        return out;
    }

    /**
     * {@code index_for_timestep}: the index of {@code timestep} in the schedule; when it occurs more
     * than once, the second occurrence (so an img2img start never skips a sigma).
     *
     * @param name the argument name for the error message
     * @throws IllegalArgumentException when the timestep is not in the schedule (diffusers would
     *     silently use the last index)
     */
    static int indexForTimestep(String name, float timestep, float[] scheduleTimesteps) {
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
                    + abbreviate(scheduleTimesteps) + ", got " + timestep);
        }
        return first;
    }

    /**
     * k-diffusion {@code add_noise} (scheduling_euler_discrete.py): {@code original + noise * sigma}
     * per batch element, float32, at the sigma {@link #noiseIndex} picks.
     */
    static float[] addNoiseVe(float[] original, float[] noise, float[] timesteps, float[] scheduleTimesteps,
            float[] sigmas, int beginIndex, int stepIndex) {
        int slice = SchedulerSupport.checkAddNoise(original, noise, timesteps);
        float[] out = new float[original.length];
        for (int b = 0; b < timesteps.length; b++) {
            float sigma = sigmas[noiseIndex(b, timesteps[b], scheduleTimesteps, sigmas, beginIndex, stepIndex)];
            for (int i = b * slice; i < (b + 1) * slice; i++) {
                out[i] = original[i] + noise[i] * sigma;
            }
        }
        return out;
    }

    /**
     * The {@code add_noise} of DPM-Solver and UniPC (scheduling_dpmsolver_multistep.py):
     * {@code alpha_t * original + sigma_t * noise} per batch element, float32, at the sigma
     * {@link #noiseIndex} picks.
     */
    static float[] addNoiseVp(float[] original, float[] noise, float[] timesteps, float[] scheduleTimesteps,
            float[] sigmas, int beginIndex, int stepIndex) {
        int slice = SchedulerSupport.checkAddNoise(original, noise, timesteps);
        float[] out = new float[original.length];
        for (int b = 0; b < timesteps.length; b++) {
            float sigma = sigmas[noiseIndex(b, timesteps[b], scheduleTimesteps, sigmas, beginIndex, stepIndex)];
            float alphaT = alphaT(sigma);
            float sigmaT = sigma * alphaT;
            for (int i = b * slice; i < (b + 1) * slice; i++) {
                float a = alphaT * original[i];
                float c = sigmaT * noise[i];
                out[i] = a + c;
            }
        }
        return out;
    }

    /**
     * The sigma index {@code add_noise} uses for batch element {@code b}: the timestep's index in the
     * schedule when no begin index is set, else the current step index, else the begin index
     * ({@code -1} stands for diffusers' None).
     */
    private static int noiseIndex(int b, float timestep, float[] scheduleTimesteps, float[] sigmas, int beginIndex,
            int stepIndex) {
        int idx;
        if (beginIndex < 0) {
            // begin_index is None when the scheduler is used for training or the pipeline does not set it
            idx = indexForTimestep("timesteps[" + b + "]", timestep, scheduleTimesteps);
        } else if (stepIndex >= 0) {
            // add_noise is called after first denoising step (for inpainting)
            idx = stepIndex;
        } else {
            // add noise is called before first denoising step to create initial latent (img2img)
            idx = beginIndex;
        }
        if (idx >= sigmas.length) {
            throw new IllegalStateException("step index " + idx + " is beyond the " + sigmas.length + " sigmas");
        }
        return idx;
    }

    /** The array for an error message: in full up to 8 values, else the ends and the count. */
    static String abbreviate(float[] a) {
        if (a.length <= 8) {
            return Arrays.toString(a);
        }
        return "[" + a[0] + ", " + a[1] + ", ..., " + a[a.length - 1] + "] (" + a.length + " values)";
    }
}
