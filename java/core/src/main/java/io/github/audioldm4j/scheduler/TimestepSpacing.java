package io.github.audioldm4j.scheduler;

import java.util.Arrays;

/**
 * The {@code timestep_spacing} logic ("leading", "trailing", "linspace"; Table 2 of
 * https://huggingface.co/papers/2305.08891) of diffusers' {@code set_timesteps}, with numpy's
 * float64 {@code linspace}/{@code arange} and round-half-even reproduced exactly.
 *
 * <p>One deliberate deviation in the integer schedules ({@link #ddim}, {@link #multistep},
 * {@link #pndmAscending}): for some N (61, 103, 121, ...) numpy's float {@code arange} in the
 * "trailing" branch yields one extra element that rounds to 0, i.e. timestep -1 after the shift;
 * diffusers then indexes {@code alphas_cumprod[-1]}. Such negative timesteps are dropped there, so
 * "trailing" always gives N timesteps. The float schedule of the k-diffusion family
 * ({@link #discrete}) keeps the -1 as upstream does, where np.interp clamps its sigma.
 */
final class TimestepSpacing {
    private TimestepSpacing() {}

    static final String[] NAMES = {"leading", "trailing", "linspace"};

    /**
     * {@code np.linspace(start, stop, num)} in float64 (numpy 1.24): {@code i * step + start} with
     * {@code step = (stop - start) / (num - 1)} ({@code (i / div) * delta} when the step underflows
     * to 0), the last element set to {@code stop}; a single element is {@code 0 * delta + start}.
     */
    static double[] npLinspace(double start, double stop, int num) {
        double[] y = new double[num];
        int div = num - 1;
        double delta = stop - start;
        if (div > 0) {
            double step = delta / div;
            for (int i = 0; i < num; i++) {
                y[i] = (step == 0 ? ((double) i / div) * delta : i * step) + start;
            }
            y[num - 1] = stop;
        } else if (num == 1) {
            y[0] = 0 * delta + start;
        }
        return y;
    }

    /**
     * {@code np.arange(start, stop, step)} in float64: length {@code ceil((stop - start) / step)},
     * element 1 is {@code start + step}, the rest {@code start + i * delta} with
     * {@code delta = (start + step) - start} (numpy's DOUBLE_fill).
     */
    static double[] npArange(double start, double stop, double step) {
        double len = Math.ceil((stop - start) / step);
        int n = len > 0 ? (int) len : 0;
        double[] out = new double[n];
        if (n == 0) {
            return out;
        }
        out[0] = start;
        if (n == 1) {
            return out;
        }
        out[1] = start + step;
        double delta = out[1] - out[0];
        for (int i = 2; i < n; i++) {
            out[i] = start + i * delta;
        }
        return out;
    }

    /** DDIMScheduler.set_timesteps (scheduling_ddim.py): descending timesteps. */
    static long[] ddim(String spacing, int numTrainTimesteps, int numInferenceSteps, int stepsOffset) {
        long[] ts;
        switch (spacing) {
            case "linspace": {
                double[] y = npLinspace(0, numTrainTimesteps - 1, numInferenceSteps);
                ts = new long[numInferenceSteps];
                for (int i = 0; i < numInferenceSteps; i++) {
                    ts[i] = (long) Math.rint(y[numInferenceSteps - 1 - i]);
                }
                return ts;
            }
            case "leading": {
                long stepRatio = numTrainTimesteps / numInferenceSteps;
                ts = new long[numInferenceSteps];
                for (int i = 0; i < numInferenceSteps; i++) {
                    ts[i] = (numInferenceSteps - 1 - i) * stepRatio + stepsOffset;
                }
                return ts;
            }
            case "trailing": {
                double stepRatio = (double) numTrainTimesteps / numInferenceSteps;
                double[] a = npArange(numTrainTimesteps, 0, -stepRatio);
                ts = new long[a.length];
                for (int i = 0; i < a.length; i++) {
                    ts[i] = (long) Math.rint(a[i]) - 1;
                }
                return dropNegative(ts);
            }
            default:
                throw badSpacing(spacing);
        }
    }

    /**
     * EulerDiscreteScheduler set_timesteps (scheduling_euler_discrete.py; copied into Euler
     * Ancestral, LMS and Heun): descending float32 timesteps, numpy float64 arithmetic cast to
     * float32 and then shifted in float32. "linspace" is not rounded, and "trailing" keeps the -1
     * that numpy's float arange gives for some N (np.interp then clamps its sigma to the first
     * training sigma), as upstream does.
     */
    static float[] discrete(String spacing, int numTrainTimesteps, int numInferenceSteps, int stepsOffset) {
        float[] t = new float[numInferenceSteps];
        switch (spacing) {
            case "linspace": {
                // np.linspace(0, N - 1, n, dtype=np.float32)[::-1]
                double[] l = npLinspace(0, numTrainTimesteps - 1, numInferenceSteps);
                for (int i = 0; i < numInferenceSteps; i++) {
                    t[i] = (float) l[numInferenceSteps - 1 - i];
                }
                return t;
            }
            case "leading": {
                // (np.arange(0, n) * (N // n)).round()[::-1].astype(np.float32) + steps_offset
                int stepRatio = numTrainTimesteps / numInferenceSteps;
                for (int i = 0; i < numInferenceSteps; i++) {
                    t[i] = (float) ((long) (numInferenceSteps - 1 - i) * stepRatio);
                    t[i] = t[i] + stepsOffset;
                }
                return t;
            }
            case "trailing": {
                // np.arange(N, 0, -N / n).round().astype(np.float32) - 1
                double[] a = npArange(numTrainTimesteps, 0, -((double) numTrainTimesteps / numInferenceSteps));
                t = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    t[i] = (float) Math.rint(a[i]);
                    t[i] = t[i] - 1;
                }
                return t;
            }
            default:
                throw badSpacing(spacing);
        }
    }

    /**
     * DPMSolverMultistepScheduler / UniPCMultistepScheduler set_timesteps: descending timesteps from a
     * grid of N+1 points with the last dropped; {@code lastTimestep} is num_train_timesteps or smaller
     * when {@code lambda_min_clipped} cuts the schedule.
     */
    static long[] multistep(String spacing, int numTrainTimesteps, int lastTimestep, int numInferenceSteps,
            int stepsOffset) {
        long[] ts = new long[numInferenceSteps];
        switch (spacing) {
            case "linspace": {
                double[] y = npLinspace(0, lastTimestep - 1, numInferenceSteps + 1);
                for (int i = 0; i < numInferenceSteps; i++) {
                    ts[i] = (long) Math.rint(y[numInferenceSteps - i]);
                }
                return ts;
            }
            case "leading": {
                long stepRatio = lastTimestep / (numInferenceSteps + 1);
                for (int i = 0; i < numInferenceSteps; i++) {
                    ts[i] = (numInferenceSteps - i) * stepRatio + stepsOffset;
                }
                return ts;
            }
            case "trailing": {
                double stepRatio = (double) numTrainTimesteps / numInferenceSteps;
                double[] a = npArange(lastTimestep, 0, -stepRatio);
                long[] out = new long[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = (long) Math.rint(a[i]) - 1;
                }
                return dropNegative(out);
            }
            default:
                throw badSpacing(spacing);
        }
    }

    /** PNDMScheduler.set_timesteps {@code _timesteps} (scheduling_pndm.py): ascending timesteps. */
    static long[] pndmAscending(String spacing, int numTrainTimesteps, int numInferenceSteps, int stepsOffset) {
        long[] ts = new long[numInferenceSteps];
        switch (spacing) {
            case "linspace": {
                double[] y = npLinspace(0, numTrainTimesteps - 1, numInferenceSteps);
                for (int i = 0; i < numInferenceSteps; i++) {
                    ts[i] = (long) Math.rint(y[i]);
                }
                return ts;
            }
            case "leading": {
                long stepRatio = numTrainTimesteps / numInferenceSteps;
                for (int i = 0; i < numInferenceSteps; i++) {
                    ts[i] = i * stepRatio + stepsOffset;
                }
                return ts;
            }
            case "trailing": {
                double stepRatio = (double) numTrainTimesteps / numInferenceSteps;
                double[] a = npArange(numTrainTimesteps, 0, -stepRatio);
                long[] desc = new long[a.length];
                for (int i = 0; i < a.length; i++) {
                    desc[i] = (long) Math.rint(a[i]) - 1;
                }
                desc = dropNegative(desc);
                long[] asc = new long[desc.length];
                for (int i = 0; i < desc.length; i++) {
                    asc[i] = desc[desc.length - 1 - i];
                }
                return asc;
            }
            default:
                throw badSpacing(spacing);
        }
    }

    private static long[] dropNegative(long[] ts) {
        return Arrays.stream(ts).filter(t -> t >= 0).toArray();
    }

    private static IllegalArgumentException badSpacing(String spacing) {
        return new IllegalArgumentException("scheduler config field timestep_spacing must be one of "
                + String.join(", ", NAMES) + ", got \"" + spacing + "\"");
    }
}
