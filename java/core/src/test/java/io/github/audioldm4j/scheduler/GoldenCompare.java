package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.testing.Golden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shared machinery for the scheduler golden tests: the stand-in model of the golden README, the
 * two comparisons the tests use, noise sources that replay or record noise, and accessors that
 * work on any of the eight scheduler classes.
 *
 * <p>{@link #assertClose} (the DDIM/PNDM/DPM-Solver/UniPC tests): element-wise
 * {@code |actual - expected| <= TOL * max(1, |expected|)} with {@code TOL = 1e-5} (relative for
 * |expected| >= 1, absolute below), recording the worst errors per golden file; the reported "rel"
 * error is {@code max |a - e| / max(1, |e|)}. {@link #assertBitExact} / {@link #maxUlp} (the
 * Euler-family tests): bit-exact schedules and teacher-forced steps, and free-running trajectories
 * within {@link #TRAJECTORY_TOL} of {@link #relErr}, a max-norm relative error.
 */
final class GoldenCompare {
    static final double TOL = 1e-5;
    /** Largest accepted free-running trajectory error of the Euler-family tests, {@link #relErr} definition. */
    static final double TRAJECTORY_TOL = 1e-5;

    /** Worst errors per golden file: [max abs, max rel, number of values compared]. */
    private static final Map<String, double[]> WORST = new ConcurrentHashMap<>();

    private GoldenCompare() {}

    /** The golden README's stand-in UNet: float32(float32(0.3f * x) + float32(0.05 * sin(t / 100))). */
    static float[] standInModel(float[] scaledInput, float t) {
        float c = (float) (0.05 * Math.sin(t / 100.0));
        float[] out = new float[scaledInput.length];
        for (int i = 0; i < out.length; i++) {
            float p = 0.3f * scaledInput[i];
            out[i] = p + c;
        }
        return out;
    }

    /** The case config with {@code _class_name} set, as a SchedulerConfig. */
    static SchedulerConfig config(JsonNode c) {
        return SchedulerConfig.fromJson(c.get("config")).with("_class_name", c.get("scheduler_class").asText());
    }

    /**
     * The full config of a golden variant (e.g. "dpmpp2m"), taken from the first case of
     * {@code scheduler_<variant>.json}, with {@code _class_name} set.
     */
    static SchedulerConfig variantConfig(String variant) {
        return config(Golden.load("scheduler_" + variant + ".json").get("cases").get(0));
    }

    /** Asserts closeness to the golden array and records the error under {@code file}. */
    static void assertClose(String file, String what, JsonNode expectedNode, float[] actual) {
        assertClose(file, what, Golden.floats(expectedNode), actual);
    }

    static void assertClose(String file, String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        double maxAbs = 0;
        double maxRel = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            double abs;
            double rel;
            if (a == e || (Double.isNaN(a) && Double.isNaN(e))) {
                abs = 0; // equal, including equal infinities and NaN against NaN
                rel = 0;
            } else if (!Double.isFinite(a) || !Double.isFinite(e)) {
                abs = Double.POSITIVE_INFINITY;
                rel = Double.POSITIVE_INFINITY;
            } else {
                abs = Math.abs(a - e);
                rel = abs / Math.max(1.0, Math.abs(e));
            }
            maxAbs = Math.max(maxAbs, abs);
            maxRel = Math.max(maxRel, rel);
        }
        record(file, maxAbs, maxRel, expected.length);
        if (maxRel > TOL) {
            int bad = 0;
            for (int i = 0; i < expected.length; i++) {
                double e = expected[i];
                double a = actual[i];
                boolean same = a == e || (Double.isNaN(a) && Double.isNaN(e));
                if (!same && (!Double.isFinite(a) || !Double.isFinite(e) || Math.abs(a - e) / Math.max(1.0, Math.abs(e)) > TOL)) {
                    bad = i;
                    break;
                }
            }
            fail(String.format(Locale.ROOT, "%s: max rel error %.3g > %.0e (max abs %.3g); first bad index %d:"
                    + " expected %s, got %s", what, maxRel, TOL, maxAbs, bad, expected[bad], actual[bad]));
        }
    }

    static void record(String file, double abs, double rel, int count) {
        WORST.merge(file, new double[] {abs, rel, count},
                (x, y) -> new double[] {Math.max(x[0], y[0]), Math.max(x[1], y[1]), x[2] + y[2]});
    }

    /** Prints the recorded worst errors of one file (for the report; no assertion). */
    static void report(String file) {
        double[] w = WORST.get(file);
        if (w != null) {
            System.out.printf(Locale.ROOT, "[golden] %-40s max abs %.3e  max rel %.3e  (%d values)%n", file, w[0], w[1],
                    (long) w[2]);
        }
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

    /** The sigmas of any scheduler class that has them (the four k-diffusion classes, DPM-Solver, UniPC). */
    static float[] sigmas(Scheduler s) {
        if (s instanceof EulerDiscreteScheduler e) {
            return e.sigmas();
        } else if (s instanceof EulerAncestralDiscreteScheduler e) {
            return e.sigmas();
        } else if (s instanceof LMSDiscreteScheduler e) {
            return e.sigmas();
        } else if (s instanceof HeunDiscreteScheduler e) {
            return e.sigmas();
        } else if (s instanceof DPMSolverMultistepScheduler d) {
            return d.sigmas();
        }
        return ((UniPCMultistepScheduler) s).sigmas();
    }

    /** The begin index of a scheduler with step indices; empty for DDIM and PNDM (no set_begin_index upstream). */
    static OptionalInt beginIndex(Scheduler s) {
        if (s instanceof EulerDiscreteScheduler e) {
            return e.beginIndex();
        } else if (s instanceof EulerAncestralDiscreteScheduler e) {
            return e.beginIndex();
        } else if (s instanceof LMSDiscreteScheduler e) {
            return e.beginIndex();
        } else if (s instanceof HeunDiscreteScheduler e) {
            return e.beginIndex();
        } else if (s instanceof DPMSolverMultistepScheduler d) {
            return d.beginIndex();
        } else if (s instanceof UniPCMultistepScheduler u) {
            return u.beginIndex();
        }
        return OptionalInt.empty();
    }

    /** Integer-valued float timesteps as longs. */
    /** Scheduler classes whose img2img cases {@code Img2ImgGoldenTest} checks. */
    static final java.util.Set<String> IMG2IMG_TIMESTEP_CLASSES = java.util.Set.of("DDIMScheduler", "PNDMScheduler",
            "DPMSolverMultistepScheduler", "UniPCMultistepScheduler");
    /** Scheduler classes whose img2img cases {@code SigmaSchedulerImg2ImgGoldenTest} checks. */
    static final java.util.Set<String> IMG2IMG_SIGMA_CLASSES = java.util.Set.of("EulerDiscreteScheduler",
            "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler", "HeunDiscreteScheduler");

    /**
     * Fails when a golden img2img case names a scheduler class neither img2img test checks, so a
     * golden folder with other cases cannot pass by being filtered away.
     */
    static void assertImg2ImgClassKnown(String file, JsonNode c) {
        String cls = c.get("scheduler_class").asText();
        if (!IMG2IMG_TIMESTEP_CLASSES.contains(cls) && !IMG2IMG_SIGMA_CLASSES.contains(cls)) {
            fail(file + ": case of scheduler_class " + cls + " is checked by no img2img golden test");
        }
    }

    /**
     * The batch size B of {@code latent_timestep = timesteps[:1].repeat(B)}: the batch dimension of
     * the file's {@code init_latents}.
     */
    static int img2imgBatch(JsonNode root) {
        return (int) Golden.shape(root.get("init_latents"))[0];
    }

    /**
     * The torch seed the file's description names for a stored tensor
     * ({@code "<tensor> = torch.randn(..., manual_seed(N))"}), or -1 when it names none.
     */
    static long describedSeed(JsonNode root, String tensor) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?<![A-Za-z_])" + java.util.regex.Pattern.quote(tensor)
                        + " = torch\\.randn\\([^;]*?manual_seed\\((\\d+)\\)")
                .matcher(root.get("description").asText());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * The trajectory files ({@code scheduler_<variant>.json}, not the train-schedule or img2img
     * files) of the golden folder in use whose cases are of one of {@code classes}, sorted by name.
     */
    static List<String> trajectoryFiles(java.util.Set<String> classes) {
        List<String> out = new java.util.ArrayList<>();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(Golden.dir())) {
            for (String f : files.map(p -> p.getFileName().toString()).sorted().toList()) {
                if (!f.startsWith("scheduler_") || !f.endsWith(".json") || f.equals("scheduler_train_schedules.json")
                        || f.startsWith("scheduler_img2img_")) {
                    continue;
                }
                JsonNode cases = Golden.load(f).get("cases");
                if (cases == null || cases.isEmpty()) {
                    fail(f + " has no cases");
                }
                String cls = cases.get(0).get("scheduler_class").asText();
                if (!IMG2IMG_TIMESTEP_CLASSES.contains(cls) && !IMG2IMG_SIGMA_CLASSES.contains(cls)) {
                    fail(f + ": scheduler_class " + cls + " is checked by no trajectory golden test");
                }
                if (classes.contains(cls)) {
                    out.add(f);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    static long[] asLongs(float[] ts) {
        long[] out = new long[ts.length];
        for (int i = 0; i < ts.length; i++) {
            out[i] = (long) ts[i];
        }
        return out;
    }

    /** A JSON test resource next to this class (the upstream-extra fixtures). */
    static JsonNode resource(String name) {
        try (InputStream in = GoldenCompare.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded {@code noise} of the golden steps that have one, in order. */
    static List<float[]> stepNoise(JsonNode steps) {
        List<float[]> draws = new ArrayList<>();
        for (JsonNode st : steps) {
            if (st.has("noise")) {
                draws.add(Golden.floats(st.get("noise")));
            }
        }
        return draws;
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

    /** A noise source that replays recorded arrays in order and checks each request's size. */
    static final class Replay implements NoiseSource {
        private final Deque<float[]> queue = new ArrayDeque<>();
        private int calls;

        Replay(List<float[]> draws) {
            queue.addAll(draws);
        }

        @Override
        public float[] randn(int n) {
            float[] next = queue.poll();
            if (next == null) {
                fail("noise source asked for draw " + (calls + 1) + " but only " + calls + " were recorded");
            }
            assertEquals(next.length, n, "noise draw " + calls + " size");
            calls++;
            return next.clone();
        }

        int calls() {
            return calls;
        }

        int remaining() {
            return queue.size();
        }
    }
}
