package io.github.audioldm4j.scheduler;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The training noise schedule every scheduler of this package builds in its constructor:
 * {@code betas}, {@code alphas = 1 - betas} and {@code alphas_cumprod}, all float32 exactly as
 * diffusers computes them with torch (scheduling_ddim.py {@code DDIMScheduler.__init__},
 * {@code betas_for_alpha_bar}, {@code rescale_zero_terminal_snr}; the same code is copied into the
 * other seven scheduler files, which differ only in the defaults and options passed here).
 *
 * <p>Config fields read: {@code beta_start} and {@code beta_end} (class defaults, 0.0001 / 0.02
 * for all but Heun), {@code beta_schedule} ("linear": one of the class's schedules),
 * {@code trained_betas} (null; a list of num_train_timesteps numbers in [0, 1) that replaces the
 * schedule), and, where the class has it, {@code rescale_betas_zero_snr} (false).
 */
final class TrainSchedule {
    /** diffusers' default {@code beta_start} of every class but Heun. */
    static final double DEFAULT_BETA_START = 0.0001;
    /** diffusers' default {@code beta_end} of every class but Heun. */
    static final double DEFAULT_BETA_END = 0.02;
    private static final String[] SCHEDULES = {"linear", "scaled_linear", "squaredcos_cap_v2"};

    /** What a class does with {@code rescale_betas_zero_snr}. */
    enum ZeroSnr {
        /** The class has no such field; it is ignored, as diffusers' from_config ignores unknown fields. */
        NOT_A_FIELD,
        /** {@code rescale_zero_terminal_snr(betas)} (DDIM). */
        RESCALE,
        /**
         * Rescale, then {@code alphas_cumprod[-1] = 2**-24}: close to 0 without being 0 so that the
         * first sigma is not inf (Euler, Euler Ancestral, DPM-Solver, UniPC).
         */
        RESCALE_AND_CLAMP
    }

    /** float32 betas, length num_train_timesteps. */
    final float[] betas;
    /** float32 {@code 1 - betas}. */
    final float[] alphas;
    /** float32 cumulative product of alphas (accumulated in float64, as torch's CPU cumprod). */
    final float[] alphasCumprod;

    private TrainSchedule(float[] betas) {
        this.betas = betas;
        this.alphas = oneMinus(betas);
        this.alphasCumprod = cumprod(alphas);
    }

    /**
     * Builds the schedule from a config with the defaults beta_start 0.0001, beta_end 0.02 and the
     * schedules linear, scaled_linear, squaredcos_cap_v2.
     */
    static TrainSchedule fromConfig(SchedulerConfig c, int numTrainTimesteps, ZeroSnr zeroSnr) {
        return fromConfig(c, numTrainTimesteps, zeroSnr, DEFAULT_BETA_START, DEFAULT_BETA_END, SCHEDULES);
    }

    /**
     * Builds the schedule from a config.
     *
     * @param zeroSnr whether and how the class applies {@code rescale_betas_zero_snr}
     * @param defaultBetaStart the class's {@code beta_start} default
     * @param defaultBetaEnd the class's {@code beta_end} default
     * @param betaSchedules the {@code beta_schedule} values the class accepts (a subset of linear,
     *     scaled_linear, squaredcos_cap_v2, exp)
     * @throws IllegalArgumentException naming the field and value for an invalid config, or when the
     *     betas are not in [0, 1)
     */
    static TrainSchedule fromConfig(SchedulerConfig c, int numTrainTimesteps, ZeroSnr zeroSnr,
            double defaultBetaStart, double defaultBetaEnd, String... betaSchedules) {
        float[] betas;
        if (c.has("trained_betas")) {
            betas = trainedBetas(c.raw("trained_betas"), numTrainTimesteps);
        } else {
            String schedule = c.getEnum("beta_schedule", "linear", betaSchedules);
            double betaStart = SchedulerSupport.finiteDouble(c, "beta_start", defaultBetaStart);
            double betaEnd = SchedulerSupport.finiteDouble(c, "beta_end", defaultBetaEnd);
            switch (schedule) {
                case "linear":
                    betas = torchLinspaceF32(betaStart, betaEnd, numTrainTimesteps);
                    break;
                case "scaled_linear":
                    // this schedule is very specific to the latent diffusion model.
                    if (betaStart < 0 || betaEnd < 0) {
                        throw new IllegalArgumentException("scheduler config fields beta_start and beta_end must be >= 0"
                                + " for beta_schedule scaled_linear, got beta_start=" + betaStart + ", beta_end=" + betaEnd);
                    }
                    betas = torchLinspaceF32(Math.sqrt(betaStart), Math.sqrt(betaEnd), numTrainTimesteps);
                    for (int i = 0; i < betas.length; i++) {
                        betas[i] = betas[i] * betas[i];
                    }
                    break;
                case "squaredcos_cap_v2":
                    // Glide cosine schedule
                    betas = betasForAlphaBar(numTrainTimesteps, 0.999, false);
                    break;
                default: // exp
                    betas = betasForAlphaBar(numTrainTimesteps, 0.999, true);
                    break;
            }
            for (int i = 0; i < betas.length; i++) {
                if (!(betas[i] >= 0f && betas[i] < 1f)) {
                    throw new IllegalArgumentException("betas must be in [0, 1) (check beta_start, beta_end,"
                            + " beta_schedule, trained_betas), got " + betas[i] + " at index " + i);
                }
            }
        }
        boolean rescale = zeroSnr != ZeroSnr.NOT_A_FIELD && c.getBoolean("rescale_betas_zero_snr", false);
        if (rescale) {
            betas = rescaleZeroTerminalSnr(betas);
        }
        TrainSchedule s = new TrainSchedule(betas);
        if (rescale && zeroSnr == ZeroSnr.RESCALE_AND_CLAMP) {
            // Close to 0 without being 0 so first sigma is not inf
            // FP16 smallest positive subnormal works well here
            s.alphasCumprod[s.alphasCumprod.length - 1] = 0x1p-24f;
        }
        return s;
    }

    private static float[] trainedBetas(JsonNode n, int numTrainTimesteps) {
        if (!n.isArray()) {
            throw new IllegalArgumentException("scheduler config field trained_betas must be a list of numbers, got " + n);
        }
        if (n.size() != numTrainTimesteps) {
            throw new IllegalArgumentException("scheduler config field trained_betas must have num_train_timesteps ("
                    + numTrainTimesteps + ") entries, got " + n.size());
        }
        float[] betas = new float[n.size()];
        for (int i = 0; i < betas.length; i++) {
            JsonNode e = n.get(i);
            if (!e.isNumber() || !Double.isFinite(e.asDouble()) || e.asDouble() < 0 || e.asDouble() >= 1) {
                throw new IllegalArgumentException("scheduler config field trained_betas must contain numbers in [0, 1),"
                        + " got " + e + " at index " + i);
            }
            betas[i] = (float) e.asDouble(); // torch.tensor(trained_betas, dtype=torch.float32)
        }
        return betas;
    }

    /**
     * {@code torch.linspace(start, end, steps, dtype=torch.float32)} on the CPU, bit for bit: the
     * start/end scalars are rounded to float32, {@code step = (end - start) / (steps - 1)} in float32,
     * the first half is {@code start + step*i} and the second half {@code end - step*(steps-1-i)}
     * (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp). The kernel runs vectorised in chunks of
     * two 8-float vectors whose lanes are {@code base + lane*step} with {@code base} computed at the
     * vector's first index (Vectorized::arange, portable 256-bit build), and the tail scalar.
     */
    static float[] torchLinspaceF32(double startD, double endD, int steps) {
        float[] out = new float[steps];
        float start = (float) startD;
        float end = (float) endD;
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        final float step = (end - start) / (float) (steps - 1);
        final int halfway = steps / 2;
        final int vec = 8;
        int i = 0;
        for (; i <= steps - 2 * vec; i += 2 * vec) {
            for (int v = i; v < i + 2 * vec; v += vec) {
                float base = v < halfway ? start + step * (float) v : end - step * (float) (steps - v - 1);
                for (int lane = 0; lane < vec; lane++) {
                    out[v + lane] = base + (float) lane * step;
                }
            }
        }
        // scalar tail (basic_loop)
        for (; i < steps; i++) {
            out[i] = i < halfway ? start + step * (float) i : end - step * (float) (steps - i - 1);
        }
        return out;
    }

    /**
     * diffusers {@code betas_for_alpha_bar(num_diffusion_timesteps, max_beta, alpha_transform_type)}
     * with the "cosine" (Glide, squaredcos_cap_v2) or "exp" transform, computed in float64 and
     * stored as float32.
     */
    static float[] betasForAlphaBar(int numDiffusionTimesteps, double maxBeta, boolean exp) {
        float[] betas = new float[numDiffusionTimesteps];
        for (int i = 0; i < numDiffusionTimesteps; i++) {
            double t1 = (double) i / numDiffusionTimesteps;
            double t2 = (double) (i + 1) / numDiffusionTimesteps;
            betas[i] = (float) Math.min(1 - alphaBar(t2, exp) / alphaBar(t1, exp), maxBeta);
        }
        return betas;
    }

    private static double alphaBar(double t, boolean exp) {
        if (exp) {
            return Math.exp(t * -12.0);
        }
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /**
     * diffusers {@code rescale_zero_terminal_snr(betas)} (https://huggingface.co/papers/2305.08891,
     * Algorithm 1), in float32.
     */
    static float[] rescaleZeroTerminalSnr(float[] betas) {
        // Convert betas to alphas_bar_sqrt
        float[] alphasCumprod = cumprod(oneMinus(betas));
        int n = betas.length;
        float[] alphasBarSqrt = new float[n];
        for (int i = 0; i < n; i++) {
            alphasBarSqrt[i] = SchedulerSupport.sqrt(alphasCumprod[i]);
        }
        // Store old values.
        float alphasBarSqrt0 = alphasBarSqrt[0];
        float alphasBarSqrtT = alphasBarSqrt[n - 1];
        // Shift so the last timestep is zero.
        for (int i = 0; i < n; i++) {
            alphasBarSqrt[i] -= alphasBarSqrtT;
        }
        // Scale so the first timestep is back to the old value.
        float scale = alphasBarSqrt0 / (alphasBarSqrt0 - alphasBarSqrtT);
        for (int i = 0; i < n; i++) {
            alphasBarSqrt[i] *= scale;
        }
        // Convert alphas_bar_sqrt to betas
        float[] alphasBar = new float[n];
        for (int i = 0; i < n; i++) {
            alphasBar[i] = alphasBarSqrt[i] * alphasBarSqrt[i]; // Revert sqrt
        }
        float[] out = new float[n];
        out[0] = 1f - alphasBar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1f - alphasBar[i] / alphasBar[i - 1]; // Revert cumprod
        }
        return out;
    }

    /** {@code 1.0 - x} in float32. */
    static float[] oneMinus(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = 1f - x[i];
        }
        return out;
    }

    /** {@code torch.cumprod} of a float32 CPU tensor: accumulated in float64, each output rounded. */
    static float[] cumprod(float[] x) {
        float[] out = new float[x.length];
        double acc = 1.0;
        for (int i = 0; i < x.length; i++) {
            acc *= x[i];
            out[i] = (float) acc;
        }
        return out;
    }
}
