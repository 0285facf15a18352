package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.testing.Golden;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shared machinery for the scheduler golden tests: the stand-in model of the golden README, a
 * tolerance check that records the worst errors per golden file, and a noise source replaying
 * recorded noise.
 *
 * <p>Tolerance: element-wise {@code |actual - expected| <= TOL * max(1, |expected|)} with
 * {@code TOL = 1e-5} (relative for |expected| >= 1, absolute below). The reported "rel" error is
 * {@code max |a - e| / max(1, |e|)}.
 */
final class GoldenCompare {
    static final double TOL = 1e-5;

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
