package io.github.audioldm4j.scheduler;

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
