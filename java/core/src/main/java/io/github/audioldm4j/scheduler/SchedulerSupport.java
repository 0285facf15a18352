package io.github.audioldm4j.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.util.Check;
import java.util.ArrayList;
import java.util.List;

/**
 * Package-private helpers shared by the scheduler ports: argument checks with consistent messages,
 * config reading, float32 scalar math as torch does it on 0-dim float32 tensors, and the
 * element-wise linear combinations the step formulas are made of.
 *
 * <p>Float32 conventions (see the golden README): a Python float that meets a float32 tensor is
 * rounded to float32 first and the operation is done in float32; each torch op rounds its result.
 * The {@code lin} helpers evaluate {@code c0*v0 + c1*v1 + ...} left to right with one float32
 * rounding per product and per sum, which is exactly how {@code a*x - b*y + c*z} evaluates on
 * tensors (a negated coefficient gives bit-identical results to a subtraction).
 */
final class SchedulerSupport {
    private SchedulerSupport() {}

    // ---------------------------------------------------------------- float32 scalar math

    /** {@code x ** 0.5} on a float32 tensor (torch uses sqrt; double sqrt rounded to float is exact). */
    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }

    /**
     * {@code torch.log} on float32. Correctly rounded here; glibc's logf (which torch calls) differs
     * by one ulp on about 0.5% of arguments, which the scheduler tests tolerate.
     */
    static float log(float x) {
        return (float) Math.log(x);
    }

    /** {@code torch.exp} on float32 (correctly rounded; glibc's expf differs in rare last-bit cases). */
    static float exp(float x) {
        return (float) Math.exp(x);
    }

    /** {@code torch.expm1} on float32 (glibc's expm1f, see {@link Libm#expm1f}). */
    static float expm1(float x) {
        return Libm.expm1f(x);
    }

    // ---------------------------------------------------------------- element-wise combinations

    /** {@code c0 * v0} element-wise in float32. */
    static float[] scale(float c0, float[] v0) {
        float[] out = new float[v0.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = c0 * v0[i];
        }
        return out;
    }

    /** {@code c0*v0 + c1*v1}, float32, left to right. */
    static float[] lin(float c0, float[] v0, float c1, float[] v1) {
        float[] out = new float[v0.length];
        for (int i = 0; i < out.length; i++) {
            float a = c0 * v0[i];
            float b = c1 * v1[i];
            out[i] = a + b;
        }
        return out;
    }

    /** {@code c0*v0 + c1*v1 + c2*v2}, float32, left to right. */
    static float[] lin(float c0, float[] v0, float c1, float[] v1, float c2, float[] v2) {
        float[] out = new float[v0.length];
        for (int i = 0; i < out.length; i++) {
            float a = c0 * v0[i];
            float b = c1 * v1[i];
            float s = a + b;
            float c = c2 * v2[i];
            out[i] = s + c;
        }
        return out;
    }

    /** {@code c0*v0 + c1*v1 + c2*v2 + c3*v3}, float32, left to right. */
    static float[] lin(float c0, float[] v0, float c1, float[] v1, float c2, float[] v2, float c3, float[] v3) {
        float[] out = new float[v0.length];
        for (int i = 0; i < out.length; i++) {
            float a = c0 * v0[i];
            float b = c1 * v1[i];
            float s = a + b;
            float c = c2 * v2[i];
            s = s + c;
            float d = c3 * v3[i];
            out[i] = s + d;
        }
        return out;
    }

    /** {@code sum_k coeffs[k] * vecs[k]}, float32, left to right (any number of terms). */
    static float[] lin(float[] coeffs, float[][] vecs) {
        float[] out = new float[vecs[0].length];
        for (int i = 0; i < out.length; i++) {
            float s = coeffs[0] * vecs[0][i];
            for (int k = 1; k < coeffs.length; k++) {
                float p = coeffs[k] * vecs[k][i];
                s = s + p;
            }
            out[i] = s;
        }
        return out;
    }

    /** {@code a - b} element-wise. */
    static float[] sub(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    /** {@code a / d} element-wise (a true float32 division per element, as torch does). */
    static float[] div(float[] a, float d) {
        float[] out = new float[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a[i] / d;
        }
        return out;
    }

    // ---------------------------------------------------------------- argument checks

    /** Checks the step arrays: sample non-empty, model output of the same length. */
    static void checkStepArrays(float[] modelOutput, float[] sample) {
        Check.notEmpty("sample", sample);
        Check.length("modelOutput", modelOutput, sample.length);
    }

    /** The error for step (or another method) called before setTimesteps. */
    static IllegalStateException timestepsNotSet(String className, String method) {
        return new IllegalStateException(className + "." + method
                + " called before setTimesteps: call setTimesteps(numInferenceSteps) first");
    }

    /** Requires a training-timestep value: an integer in [0, numTrainTimesteps - 1]. */
    static int trainTimestep(String name, double timestep, int numTrainTimesteps) {
        if (!(timestep == Math.rint(timestep)) || timestep < 0 || timestep > numTrainTimesteps - 1) {
            throw new IllegalArgumentException(name + " must be an integer in [0, " + (numTrainTimesteps - 1)
                    + "], got " + timestep);
        }
        return (int) timestep;
    }

    /** Validates numInferenceSteps in [1, numTrainTimesteps]. */
    static int checkNumInferenceSteps(int numInferenceSteps, int numTrainTimesteps) {
        return Check.inRange("numInferenceSteps", numInferenceSteps, 1, numTrainTimesteps);
    }

    /** Validates a begin index against the schedule length. */
    static int checkBeginIndex(int beginIndex, int scheduleLength) {
        return Check.inRange("beginIndex", beginIndex, 0, scheduleLength - 1);
    }

    /**
     * Validates {@code addNoise} arguments and returns the per-batch slice length: original non-empty,
     * noise of the same length, timesteps non-empty and dividing the length.
     */
    static int checkAddNoise(float[] original, float[] noise, float[] timesteps) {
        Check.notEmpty("original", original);
        Check.length("noise", noise, original.length);
        Check.notEmpty("timesteps", timesteps);
        if (original.length % timesteps.length != 0) {
            // one timestep per batch element
            throw new IllegalArgumentException("original length must be a multiple of timesteps length ("
                    + timesteps.length + "), got " + original.length);
        }
        return original.length / timesteps.length;
    }

    /** Shifts a multistep history by one (oldest dropped) and stores {@code latest} last. */
    static void push(float[][] history, float[] latest) {
        System.arraycopy(history, 1, history, 0, history.length - 1);
        history[history.length - 1] = latest;
    }

    /**
     * Requires a timestep left to step (the k-diffusion classes; every step index below the number
     * of timesteps has a next sigma).
     */
    static void requireStepLeft(int stepIndex, int numTimesteps) {
        if (stepIndex >= numTimesteps) {
            throw new IllegalStateException("step called after the last timestep (step index " + stepIndex
                    + ", " + numTimesteps + " timesteps); call setTimesteps again");
        }
    }

    /** The error for a step after the last timestep of a multistep solver. */
    static IllegalStateException allStepped(String className, int stepIndex, int numTimesteps) {
        return new IllegalStateException(className + ": all " + numTimesteps + " timesteps have been stepped"
                + " (step index " + stepIndex + "); call setTimesteps to start again");
    }

    /** A copy of integer timesteps as floats, or the not-set error before setTimesteps. */
    static float[] timesteps(String className, long[] timesteps) {
        if (timesteps == null) {
            throw timestepsNotSet(className, "timesteps");
        }
        return toFloats(timesteps);
    }

    /**
     * Rejects an integer schedule that reaches past the last training timestep (a large
     * steps_offset; diffusers accepts it and fails with an IndexError in step).
     */
    static void checkBelowNumTrain(long[] timesteps, int numTrainTimesteps, int stepsOffset, int numInferenceSteps) {
        for (long t : timesteps) {
            if (t > numTrainTimesteps - 1) {
                throw new IllegalArgumentException("steps_offset=" + stepsOffset + " with numInferenceSteps="
                        + numInferenceSteps + " gives timestep " + t + ", beyond num_train_timesteps - 1 = "
                        + (numTrainTimesteps - 1));
            }
        }
    }

    /** Draws n values from a noise source and checks the count. */
    static float[] draw(NoiseSource noise, int n) {
        float[] z = noise.randn(n);
        if (z == null || z.length != n) {
            throw new IllegalStateException("NoiseSource.randn(" + n + ") must return " + n + " values, got "
                    + (z == null ? "null" : z.length + " values"));
        }
        return z;
    }

    // ---------------------------------------------------------------- config reading

    /** num_train_timesteps (default 1000), must be >= 1. */
    static int numTrainTimesteps(SchedulerConfig c) {
        return numTrainTimesteps(c, 1);
    }

    /** num_train_timesteps (default 1000), must be >= {@code min}. */
    static int numTrainTimesteps(SchedulerConfig c, int min) {
        int n = c.getInt("num_train_timesteps", 1000);
        if (n < min) {
            throw new IllegalArgumentException("scheduler config field num_train_timesteps must be >= " + min + ", got " + n);
        }
        return n;
    }

    /** steps_offset (default 0), must be >= 0. */
    static int stepsOffset(SchedulerConfig c) {
        int n = c.getInt("steps_offset", 0);
        if (n < 0) {
            throw new IllegalArgumentException("scheduler config field steps_offset must be >= 0, got " + n);
        }
        return n;
    }

    /** An optional number (null when absent or null), as diffusers' {@code Optional[float]} fields. */
    static Double optionalDouble(SchedulerConfig c, String key) {
        return c.has(key) ? c.getDouble(key, 0) : null;
    }

    /** A finite float config value. */
    static double finiteDouble(SchedulerConfig c, String key, double dflt) {
        double v = c.getDouble(key, dflt);
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("scheduler config field " + key + " must be finite, got " + v);
        }
        return v;
    }

    /**
     * Rejects the DPM-Solver / UniPC options this port does not implement: {@code use_beta_sigmas}
     * (scipy's beta ppf), the flow-matching options {@code use_flow_sigmas},
     * {@code use_dynamic_shifting} and {@code prediction_type="flow_prediction"}, and
     * {@code thresholding}.
     */
    static void rejectUnportedSolverOptions(SchedulerConfig c, String className) {
        rejectTrue(c, "use_beta_sigmas", className, "needs scipy.stats.beta.ppf");
        rejectTrue(c, "use_flow_sigmas", className, "flow-matching sigmas are not ported");
        rejectTrue(c, "use_dynamic_shifting", className, "only used with flow sigmas");
        rejectTrue(c, "thresholding", className,
                "dynamic thresholding is unsuitable for latent diffusion and needs the batch layout");
        if (c.getString("prediction_type", "epsilon").equals("flow_prediction")) {
            throw new UnsupportedOperationException(className + ": scheduler config field"
                    + " prediction_type=\"flow_prediction\" is not supported (flow-matching sigmas are not ported)");
        }
    }

    /** Rejects a boolean option that this port does not implement when it is set to true. */
    static void rejectTrue(SchedulerConfig c, String key, String className, String why) {
        if (c.getBoolean(key, false)) {
            throw new UnsupportedOperationException(className + ": scheduler config field " + key
                    + "=true is not supported (" + why + ")");
        }
    }

    /** Rejects a field that must be absent or null in this port. */
    static void rejectNonNull(SchedulerConfig c, String key, String className, String why) {
        if (c.has(key)) {
            throw new UnsupportedOperationException(className + ": scheduler config field " + key + "="
                    + c.raw(key) + " is not supported (" + why + ")");
        }
    }

    /** A list of integers (e.g. UniPC's disable_corrector); empty when absent or null. */
    static List<Integer> intList(SchedulerConfig c, String key) {
        List<Integer> out = new ArrayList<>();
        if (!c.has(key)) {
            return out;
        }
        JsonNode n = c.raw(key);
        if (!n.isArray()) {
            throw new IllegalArgumentException("scheduler config field " + key + " must be a list of integers, got " + n);
        }
        for (JsonNode e : n) {
            if (!e.canConvertToInt() || (e.isFloatingPointNumber() && e.asDouble() != Math.rint(e.asDouble()))) {
                throw new IllegalArgumentException("scheduler config field " + key
                        + " must be a list of integers, got element " + e);
            }
            out.add(e.asInt());
        }
        return out;
    }

    static float[] toFloats(long[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
