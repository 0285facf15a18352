package io.github.audioldm4j.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.util.Check;
import java.util.Arrays;

/**
 * Package-private numerics shared by the sigma-based ("k-diffusion") schedulers: Euler, Euler
 * Ancestral, LMS and Heun. Each method reproduces the upstream expression with its dtypes: torch
 * float32 tensor arithmetic where diffusers uses tensors, numpy float64 where it uses numpy, then
 * the same casts. Sources are diffusers {@code schedulers/scheduling_euler_discrete.py},
 * {@code scheduling_euler_ancestral_discrete.py}, {@code scheduling_lms_discrete.py},
 * {@code scheduling_heun_discrete.py} (@58eb52c), torch 1.13 and numpy 1.24 as noted per method.
 */
final class DiscreteSigmas {
    private DiscreteSigmas() {}

    /** The beta-related configuration fields, with a class's documented defaults. */
    record BetaConfig(int numTrainTimesteps, double betaStart, double betaEnd, String betaSchedule,
                      float[] trainedBetas) {}

    /**
     * Reads num_train_timesteps, beta_start, beta_end, beta_schedule and trained_betas.
     *
     * @param allowed the beta_schedule values the class accepts
     */
    static BetaConfig readBetaConfig(SchedulerConfig c, double defaultBetaStart, double defaultBetaEnd,
                                     String... allowed) {
        int n = c.getInt("num_train_timesteps", 1000);
        if (n < 2) {
            throw new IllegalArgumentException("scheduler config field num_train_timesteps must be >= 2, got " + n);
        }
        double betaStart = c.getDouble("beta_start", defaultBetaStart);
        double betaEnd = c.getDouble("beta_end", defaultBetaEnd);
        String schedule = c.getEnum("beta_schedule", "linear", allowed);
        float[] trained = null;
        JsonNode tb = c.raw("trained_betas");
        if (tb != null && !tb.isNull()) {
            if (!tb.isArray()) {
                throw new IllegalArgumentException(
                        "scheduler config field trained_betas must be an array of numbers, got " + tb);
            }
            trained = new float[tb.size()];
            for (int i = 0; i < trained.length; i++) {
                if (!tb.get(i).isNumber()) {
                    throw new IllegalArgumentException("scheduler config field trained_betas[" + i
                            + "] must be a number, got " + tb.get(i));
                }
                trained[i] = (float) tb.get(i).asDouble(); // torch.tensor(trained_betas, dtype=float32)
            }
            if (trained.length != n) {
                throw new IllegalArgumentException("scheduler config field trained_betas must have num_train_timesteps ("
                        + n + ") entries, got " + trained.length);
            }
        } else {
            Check.finite("scheduler config field beta_start", betaStart);
            Check.finite("scheduler config field beta_end", betaEnd);
        }
        return new BetaConfig(n, betaStart, betaEnd, schedule, trained);
    }

    /** The betas of {@code __init__} (trained_betas / linear / scaled_linear / squaredcos_cap_v2 / exp). */
    static float[] betas(BetaConfig b) {
        float[] betas;
        if (b.trainedBetas() != null) {
            betas = b.trainedBetas().clone();
        } else {
            switch (b.betaSchedule()) {
                case "linear":
                    betas = torchLinspace((float) b.betaStart(), (float) b.betaEnd(), b.numTrainTimesteps());
                    break;
                case "scaled_linear":
                    // torch.linspace(beta_start**0.5, beta_end**0.5, N, dtype=float32) ** 2
                    betas = torchLinspace((float) Math.sqrt(b.betaStart()), (float) Math.sqrt(b.betaEnd()),
                            b.numTrainTimesteps());
                    for (int i = 0; i < betas.length; i++) {
                        betas[i] = betas[i] * betas[i];
                    }
                    break;
                case "squaredcos_cap_v2":
                    betas = betasForAlphaBar(b.numTrainTimesteps(), false);
                    break;
                case "exp":
                    betas = betasForAlphaBar(b.numTrainTimesteps(), true);
                    break;
                default:
                    throw new IllegalArgumentException("scheduler config field beta_schedule is not supported, got \""
                            + b.betaSchedule() + "\"");
            }
        }
        for (int i = 0; i < betas.length; i++) {
            if (!(betas[i] >= 0f && betas[i] < 1f)) {
                throw new IllegalArgumentException("betas must be in [0, 1) (check beta_start, beta_end, beta_schedule,"
                        + " trained_betas), got " + betas[i] + " at index " + i);
            }
        }
        return betas;
    }

    /**
     * {@code torch.linspace(start, end, steps, dtype=torch.float32)} on CPU, torch 1.13
     * ({@code aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp} {@code linspace_kernel}): float
     * step {@code (end - start) / (steps - 1)}; element i is {@code start + step * i} below
     * {@code steps / 2} and {@code end - step * (steps - i - 1)} above, but the vectorised loop
     * (two 8-float vectors per iteration) computes each vector as {@code base + k * step} from its
     * first index, and only the tail shorter than 16 takes the scalar formula.
     */
    static float[] torchLinspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        final float step = (end - start) / (float) (steps - 1);
        final int halfway = steps / 2;
        final int vec = 8;
        int i = 0;
        for (; i <= steps - 2 * vec; i += 2 * vec) {
            for (int v = 0; v < 2; v++) {
                int idx = i + v * vec;
                float base = idx < halfway ? start + step * idx : end - step * (steps - idx - 1);
                for (int k = 0; k < vec; k++) {
                    out[idx + k] = base + k * step;
                }
            }
        }
        for (; i < steps; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return out;
    }

    /**
     * {@code betas_for_alpha_bar} (cosine {@code alpha_transform_type} for squaredcos_cap_v2, exp
     * for "exp"): Python float64 math, then {@code torch.tensor(betas, dtype=float32)}.
     */
    static float[] betasForAlphaBar(int n, boolean exp) {
        final double maxBeta = 0.999;
        float[] betas = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            betas[i] = (float) Math.min(1 - alphaBar(t2, exp) / alphaBar(t1, exp), maxBeta);
        }
        return betas;
    }

    private static double alphaBar(double t, boolean exp) {
        if (exp) {
            return StrictMath.exp(t * -12.0);
        }
        double c = StrictMath.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /**
     * {@code rescale_zero_terminal_snr(betas)} in torch float32 (arXiv 2305.08891, Algorithm 1).
     */
    static float[] rescaleZeroTerminalSnr(float[] betas) {
        float[] alphasCumprod = cumprod(oneMinus(betas));
        int n = betas.length;
        float[] sqrt = new float[n];
        for (int i = 0; i < n; i++) {
            sqrt[i] = (float) Math.sqrt(alphasCumprod[i]);
        }
        float s0 = sqrt[0];
        float sT = sqrt[n - 1];
        float scale = s0 / (s0 - sT);
        float[] alphasBar = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (sqrt[i] - sT) * scale;
            alphasBar[i] = v * v;
        }
        float[] out = new float[n];
        out[0] = 1 - alphasBar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1 - alphasBar[i] / alphasBar[i - 1];
        }
        return out;
    }

    /** {@code 1.0 - betas} in float32. */
    static float[] oneMinus(float[] betas) {
        float[] a = new float[betas.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1.0f - betas[i];
        }
        return a;
    }

    /**
     * {@code torch.cumprod(alphas, 0)} on CPU: torch 1.13 accumulates float32 inputs in double
     * ({@code at::acc_type<float, false>}) and rounds each partial product to float.
     */
    static float[] cumprod(float[] alphas) {
        float[] out = new float[alphas.length];
        double acc = 1.0;
        for (int i = 0; i < alphas.length; i++) {
            acc *= alphas[i];
            out[i] = (float) acc;
        }
        return out;
    }

    /** {@code ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5} in float32, index = training timestep. */
    static float[] trainSigmas(float[] alphasCumprod) {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) {
            float a = alphasCumprod[i];
            s[i] = (float) Math.sqrt((1 - a) / a);
        }
        return s;
    }

    /**
     * The float32 inference timesteps of {@code set_timesteps} for "linspace", "leading" and
     * "trailing" spacing (numpy float64 arithmetic cast to float32, then the float32 offset).
     */
    static float[] spacedTimesteps(String spacing, int numTrain, int n, int stepsOffset) {
        float[] t = new float[n];
        switch (spacing) {
            case "linspace": {
                // np.linspace(0, N - 1, n, dtype=np.float32)[::-1]
                double[] l = numpyLinspace(0, numTrain - 1, n);
                for (int i = 0; i < n; i++) {
                    t[i] = (float) l[n - 1 - i];
                }
                return t;
            }
            case "leading": {
                // (np.arange(0, n) * (N // n)).round()[::-1].astype(np.float32) + steps_offset
                int stepRatio = numTrain / n;
                for (int i = 0; i < n; i++) {
                    t[i] = (float) ((long) (n - 1 - i) * stepRatio);
                    t[i] = t[i] + stepsOffset;
                }
                return t;
            }
            case "trailing": {
                // np.arange(N, 0, -N / n).round().astype(np.float32) - 1
                double[] a = numpyArange(numTrain, 0, -((double) numTrain / n));
                t = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    t[i] = (float) Math.rint(a[i]);
                    t[i] = t[i] - 1;
                }
                return t;
            }
            default:
                throw new IllegalArgumentException("scheduler config field timestep_spacing must be one of linspace,"
                        + " leading, trailing, got \"" + spacing + "\"");
        }
    }

    /**
     * {@code np.linspace(start, stop, num)} in float64 (numpy 1.24): {@code i * step + start} with
     * {@code step = (stop - start) / (num - 1)}, the last element set to {@code stop}.
     */
    static double[] numpyLinspace(double start, double stop, int num) {
        double[] y = new double[num];
        int div = num - 1;
        double delta = stop - start;
        if (div > 0) {
            double step = delta / div;
            for (int i = 0; i < num; i++) {
                y[i] = (step == 0 ? (i / (double) div) * delta : i * step) + start;
            }
            y[num - 1] = stop;
        } else if (num == 1) {
            y[0] = 0 * delta + start;
        }
        return y;
    }

    /**
     * {@code np.arange(start, stop, step)} in float64: length {@code ceil((stop - start) / step)},
     * {@code buf[1] = start + step}, then {@code start + i * (buf[1] - buf[0])} (numpy's
     * {@code DOUBLE_fill}).
     */
    static double[] numpyArange(double start, double stop, double step) {
        double len = Math.ceil((stop - start) / step);
        int n = len > 0 ? (int) len : 0;
        double[] a = new double[n];
        if (n > 0) {
            a[0] = start;
        }
        if (n > 1) {
            a[1] = start + step;
            double delta = a[1] - a[0];
            for (int i = 2; i < n; i++) {
                a[i] = start + i * delta;
            }
        }
        return a;
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
     * {@code _convert_to_karras}: {@code (max^(1/rho) + ramp * (min^(1/rho) - max^(1/rho)))^rho}
     * with rho = 7 and {@code ramp = np.linspace(0, 1, n)}, float64 (Karras et al. 2022, eq. 5).
     */
    static double[] karras(double sigmaMin, double sigmaMax, int n) {
        final double rho = 7.0;
        double[] ramp = numpyLinspace(0, 1, n);
        double minInvRho = StrictMath.pow(sigmaMin, 1 / rho);
        double maxInvRho = StrictMath.pow(sigmaMax, 1 / rho);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = StrictMath.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return s;
    }

    /** {@code _convert_to_exponential}: {@code exp(linspace(log(max), log(min), n))}, float64. */
    static double[] exponential(double sigmaMin, double sigmaMax, int n) {
        double[] l = numpyLinspace(StrictMath.log(sigmaMax), StrictMath.log(sigmaMin), n);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = StrictMath.exp(l[i]);
        }
        return s;
    }

    /** {@code np.log(sigmas)} of the float32 training sigmas (float32 results). */
    static float[] logSigmas(float[] trainSigmas) {
        float[] l = new float[trainSigmas.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) Math.log(trainSigmas[i]);
        }
        return l;
    }

    /**
     * {@code _sigma_to_t}: the fractional training timestep whose log-sigma matches, by linear
     * interpolation between the neighbouring float32 log-sigmas ({@code low - high} is a float32
     * difference, the rest float64).
     */
    static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int n = logSigmas.length;
        // low_idx = cumsum(dists >= 0).argmax().clip(max=n - 2)
        int count = 0;
        int best = 0;
        int bestIdx = 0;
        for (int i = 0; i < n; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                count++;
            }
            if (count > best) {
                best = count;
                bestIdx = i;
            }
        }
        int lowIdx = Math.min(bestIdx, n - 2);
        int highIdx = lowIdx + 1;
        float low = logSigmas[lowIdx];
        float high = logSigmas[highIdx];
        double w = (low - logSigma) / (double) (low - high);
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * lowIdx + w * highIdx;
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

    /** {@code init_noise_sigma}: max sigma, or {@code (max^2 + 1) ** 0.5} (float32) for "leading". */
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

    /** {@code sample / ((sigma**2 + 1) ** 0.5)} in float32. */
    static float[] scaleBySigma(float[] sample, float sigma) {
        float denom = (float) Math.sqrt(sigma * sigma + 1);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sample[i] / denom;
        }
        return out;
    }

    /**
     * {@code index_for_timestep}: the position of {@code timestep} in the schedule; the second
     * match when it occurs more than once (so that starting mid-schedule does not skip a sigma).
     */
    static int indexForTimestep(float timestep, float[] schedule) {
        int first = -1;
        for (int i = 0; i < schedule.length; i++) {
            if (schedule[i] == timestep) {
                if (first >= 0) {
                    return i;
                }
                first = i;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException("timestep must be one of the scheduler's timesteps "
                    + abbreviate(schedule) + ", got " + timestep);
        }
        return first;
    }

    /**
     * {@code add_noise} of the sigma schedulers: {@code original + noise * sigma} per batch element
     * (float32), with the sigma index taken from the timestep when no begin index is set, else from
     * the current step index, else from the begin index.
     */
    static float[] addNoise(float[] original, float[] noise, float[] timesteps, float[] sigmas,
                            float[] schedule, Integer beginIndex, Integer stepIndex) {
        Check.notNull("original", original);
        Check.notNull("noise", noise);
        Check.notEmpty("timesteps", timesteps);
        Check.length("noise", noise, original.length);
        int batch = timesteps.length;
        if (original.length % batch != 0) {
            throw new IllegalArgumentException("original length must be a multiple of timesteps length (" + batch
                    + "), got " + original.length);
        }
        int per = original.length / batch;
        float[] out = new float[original.length];
        for (int b = 0; b < batch; b++) {
            int idx;
            if (beginIndex == null) {
                idx = indexForTimestep(timesteps[b], schedule);
            } else if (stepIndex != null) {
                idx = stepIndex;
            } else {
                idx = beginIndex;
            }
            float sigma = sigmas[idx];
            for (int i = b * per; i < (b + 1) * per; i++) {
                out[i] = original[i] + noise[i] * sigma;
            }
        }
        return out;
    }

    /** Validates the common step arguments and returns nothing. */
    static void checkStepArgs(float[] modelOutput, float[] sample) {
        Check.notNull("modelOutput", modelOutput);
        Check.notNull("sample", sample);
        Check.length("modelOutput", modelOutput, sample.length);
    }

    /** Validates a setTimesteps argument. */
    static void checkNumInferenceSteps(int n, int numTrain) {
        Check.inRange("numInferenceSteps", n, 1, numTrain);
    }

    /** Validates a begin index against the schedule length. */
    static void checkBeginIndex(int beginIndex, int scheduleLength) {
        Check.inRange("beginIndex", beginIndex, 0, scheduleLength - 1);
    }

    static String abbreviate(float[] a) {
        if (a.length <= 8) {
            return Arrays.toString(a);
        }
        return "[" + a[0] + ", " + a[1] + ", ..., " + a[a.length - 1] + "] (" + a.length + " values)";
    }
}
