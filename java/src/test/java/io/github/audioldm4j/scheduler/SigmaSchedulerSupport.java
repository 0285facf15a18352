package io.github.audioldm4j.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.testing.Golden;
import java.util.ArrayList;
import java.util.List;

/** Test helpers shared by the sigma-scheduler golden tests. */
final class SigmaSchedulerSupport {
    private SigmaSchedulerSupport() {}

    /** Largest accepted trajectory error, {@link #relErr} definition. */
    static final double TRAJECTORY_TOL = 1e-5;

    /** Builds the scheduler named by a diffusers class name. */
    static Scheduler create(String className, SchedulerConfig config) {
        switch (className) {
            case "EulerDiscreteScheduler": return new EulerDiscreteScheduler(config);
            case "EulerAncestralDiscreteScheduler": return new EulerAncestralDiscreteScheduler(config);
            case "LMSDiscreteScheduler": return new LMSDiscreteScheduler(config);
            case "HeunDiscreteScheduler": return new HeunDiscreteScheduler(config);
            default: throw new IllegalArgumentException("not a sigma scheduler of this branch: " + className);
        }
    }

    static float[] sigmasOf(Scheduler s) {
        if (s instanceof EulerDiscreteScheduler e) {
            return e.sigmas();
        } else if (s instanceof EulerAncestralDiscreteScheduler e) {
            return e.sigmas();
        } else if (s instanceof LMSDiscreteScheduler e) {
            return e.sigmas();
        }
        return ((HeunDiscreteScheduler) s).sigmas();
    }

    /**
     * The golden stand-in UNet: {@code float32(float32(0.3f * x) + float32(0.05 * sin(t / 100)))}.
     */
    static float[] standInModel(float[] scaled, float t) {
        float c = (float) (0.05 * StrictMath.sin(t / 100.0));
        float[] out = new float[scaled.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = 0.3f * scaled[i] + c;
        }
        return out;
    }

    /** Max-norm relative error: {@code max|a - e| / max(max|e|, 1e-30)}. */
    static double relErr(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, d);
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / Math.max(maxRef, 1e-30);
    }

    /** Largest ulp distance between two float arrays (0 = bit-exact up to the sign of zero). */
    static long maxUlp(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        long max = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                max = Math.max(max, Math.max(1, Math.abs(ordered(expected[i]) - ordered(actual[i]))));
            }
        }
        return max;
    }

    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits < 0 ? (long) Integer.MIN_VALUE - bits : bits;
    }

    /** Throws unless the arrays are bit-identical; the message gives the max ulp distance. */
    static void assertBitExact(String what, float[] expected, float[] actual) {
        long ulp = maxUlp(expected, actual);
        if (ulp != 0) {
            throw new AssertionError(what + ": not bit-exact, max " + ulp + " ulp, rel err "
                    + relErr(expected, actual));
        }
    }

    static long[] shape(JsonNode node) {
        long[] s = new long[node.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = node.get(i).asLong();
        }
        return s;
    }

    static int numel(long[] shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        return n;
    }

    /**
     * Test-side port of {@code StableDiffusionImg2ImgPipeline.get_timesteps}
     * (diffusers {@code pipelines/stable_diffusion/pipeline_stable_diffusion_img2img.py}):
     * {@code init_timestep = min(int(N * strength), N)}, {@code t_start = max(N - init_timestep, 0)},
     * returns {@code timesteps[t_start * order:]} and sets the begin index.
     */
    static float[] getTimesteps(Scheduler s, int numInferenceSteps, double strength) {
        return getTimestepsAndCount(s, numInferenceSteps, strength).timesteps();
    }

    /** {@code get_timesteps}' two results: the timesteps and {@code num_inference_steps - t_start}. */
    record Img2ImgTimesteps(float[] timesteps, int numInferenceSteps) {}

    static Img2ImgTimesteps getTimestepsAndCount(Scheduler s, int numInferenceSteps, double strength) {
        int initTimestep = Math.min((int) (numInferenceSteps * strength), numInferenceSteps);
        int tStart = Math.max(numInferenceSteps - initTimestep, 0);
        float[] all = s.timesteps();
        float[] out = new float[all.length - tStart * s.order()];
        System.arraycopy(all, tStart * s.order(), out, 0, out.length);
        s.setBeginIndex(tStart * s.order());
        return new Img2ImgTimesteps(out, numInferenceSteps - tStart);
    }

    /** A NoiseSource that records what another one returns. */
    static final class Recording implements NoiseSource {
        final NoiseSource inner;
        final List<float[]> draws = new ArrayList<>();

        Recording(NoiseSource inner) {
            this.inner = inner;
        }

        @Override
        public float[] randn(int n) {
            float[] r = inner.randn(n);
            draws.add(r.clone());
            return r;
        }
    }

    /** A NoiseSource replaying stored arrays in order. */
    static NoiseSource replay(List<float[]> arrays) {
        int[] next = {0};
        return n -> {
            float[] a = arrays.get(next[0]++);
            if (a.length != n) {
                throw new AssertionError("replayed noise has length " + a.length + ", requested " + n);
            }
            return a.clone();
        };
    }

    static float[] floats(JsonNode n) {
        return Golden.floats(n);
    }
}
