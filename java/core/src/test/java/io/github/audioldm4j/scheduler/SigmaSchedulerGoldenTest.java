package io.github.audioldm4j.scheduler;

import static io.github.audioldm4j.scheduler.GoldenCompare.TRAJECTORY_TOL;
import static io.github.audioldm4j.scheduler.GoldenCompare.assertBitExact;
import static io.github.audioldm4j.scheduler.GoldenCompare.maxUlp;
import static io.github.audioldm4j.scheduler.GoldenCompare.relErr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.random.TorchGenerator;
import io.github.audioldm4j.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The full-trajectory golden files of the Euler, Euler Ancestral, LMS and Heun schedulers
 * ({@code scheduler_euler.json}, {@code scheduler_euler_ancestral.json}, {@code scheduler_lms.json},
 * {@code scheduler_heun.json}). For each case:
 * <ol>
 *   <li>the schedule (timesteps, sigmas, init_noise_sigma, order) must be bit-exact;</li>
 *   <li>the initial noise from {@link TorchGenerator} must equal the stored torch.randn;</li>
 *   <li>teacher-forced steps (each step fed the golden sample, model output and noise) must give
 *       bit-exact scaled inputs, x0 predictions and samples, and LMS coefficients within 1e-12;</li>
 *   <li>the free-running loop (our own samples, noise from TorchGenerator) must stay within
 *       {@link GoldenCompare#TRAJECTORY_TOL} max-norm relative error of every golden step,
 *       and draw exactly the stored noise.</li>
 * </ol>
 */
class SigmaSchedulerGoldenTest {
    static final Map<String, String> REPORT = new TreeMap<>();

    @AfterAll
    static void printReport() {
        REPORT.forEach((k, v) -> System.out.println("[golden] " + k + ": " + v));
    }

    /** Every trajectory file of the golden folder for the Euler, Euler ancestral, LMS and Heun classes. */
    @TestFactory
    List<DynamicTest> sigmaSchedulerFiles() {
        List<String> files = GoldenCompare.trajectoryFiles(GoldenCompare.IMG2IMG_SIGMA_CLASSES);
        assertTrue(!files.isEmpty(), "no Euler/LMS/Heun trajectory file in the golden folder");
        List<DynamicTest> tests = new ArrayList<>();
        for (String f : files) {
            tests.addAll(cases(f));
        }
        return tests;
    }

    private static List<DynamicTest> cases(String file) {
        JsonNode root = Golden.load(file);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name + " schedule", () -> schedule(c)));
            tests.add(DynamicTest.dynamicTest(name + " teacher-forced", () -> teacherForced(file, c)));
            tests.add(DynamicTest.dynamicTest(name + " free-running", () -> freeRunning(file, c)));
        }
        assertTrue(!tests.isEmpty(), "expected golden cases in " + file);
        return tests;
    }

    static Scheduler build(JsonNode c) {
        Scheduler s = Schedulers.create(c.get("scheduler_class").asText(),
                SchedulerConfig.fromJson(c.get("config")));
        s.setTimesteps(c.get("num_inference_steps").asInt());
        return s;
    }

    static void schedule(JsonNode c) {
        Scheduler s = build(c);
        assertArrayEquals(Golden.floats(c.get("timesteps")), s.timesteps(), "timesteps");
        assertBitExact("sigmas", Golden.floats(c.get("sigmas")), GoldenCompare.sigmas(s));
        assertEquals((float) c.get("init_noise_sigma").asDouble(), s.initNoiseSigma(), "init_noise_sigma");
        assertEquals(c.get("order").asInt(), s.order(), "order");
        assertEquals(c.get("num_inference_steps").asInt(), s.numInferenceSteps());

        long[] shape = Golden.longs(c.get("latent_shape"));
        float[] noise = new TorchGenerator(c.get("latent_seed").asLong()).randn(shape);
        assertBitExact("initial_noise (TorchGenerator)", Golden.floats(c.get("initial_noise")), noise);
        float[] init = new float[noise.length];
        for (int i = 0; i < init.length; i++) {
            init[i] = noise[i] * s.initNoiseSigma();
        }
        assertBitExact("initial_sample", Golden.floats(c.get("initial_sample")), init);
    }

    static void teacherForced(String file, JsonNode c) {
        Scheduler s = build(c);
        NoiseSource noise = new GoldenCompare.Replay(GoldenCompare.stepNoise(c.get("steps")));
        float[] sample = Golden.floats(c.get("initial_sample"));
        long worstUlp = 0;
        double worstCoeff = 0;
        int stepCount = 0;
        for (JsonNode st : c.get("steps")) {
            float t = (float) st.get("t").asDouble();
            String where = c.get("name").asText() + " step " + st.get("i").asInt() + " (t=" + t + ")";
            float[] scaled = s.scaleModelInput(sample, t);
            assertBitExact(where + " scaled_input", Golden.floats(st.get("scaled_input")), scaled);
            float[] goldenMo = Golden.floats(st.get("model_output"));
            assertBitExact(where + " model_output (stand-in)", goldenMo,
                    GoldenCompare.standInModel(Golden.floats(st.get("scaled_input")), t));
            StepResult r = s.step(goldenMo, t, sample, noise);
            worstUlp = Math.max(worstUlp, maxUlp(Golden.floats(st.get("prev_sample")), r.prevSample()));
            assertBitExact(where + " prev_sample", Golden.floats(st.get("prev_sample")), r.prevSample());
            if (st.has("pred_original_sample")) {
                assertBitExact(where + " pred_original_sample", Golden.floats(st.get("pred_original_sample")),
                        r.predOriginalSample());
            }
            if (st.has("lms_coefficients")) {
                double[] expected = Golden.doubles(st.get("lms_coefficients"));
                double[] actual = ((LMSDiscreteScheduler) s).lastCoefficients();
                assertEquals(expected.length, actual.length, where + " number of LMS coefficients");
                for (int k = 0; k < expected.length; k++) {
                    double d = Math.abs(expected[k] - actual[k]);
                    worstCoeff = Math.max(worstCoeff, d);
                    assertTrue(d <= 1e-12 * Math.max(1, Math.abs(expected[k])), where + " lms coefficient " + k
                            + ": expected " + expected[k] + ", got " + actual[k]);
                }
            }
            sample = Golden.floats(st.get("prev_sample"));
            stepCount++;
        }
        assertEquals(c.get("steps").size(), stepCount);
        REPORT.put(file + " " + c.get("name").asText() + " teacher-forced",
                stepCount + " steps bit-exact (max " + worstUlp + " ulp)"
                        + (c.get("steps").get(0).has("lms_coefficients") ? ", LMS coeff max abs diff " + worstCoeff : ""));
    }

    static void freeRunning(String file, JsonNode c) {
        Scheduler s = build(c);
        long[] shape = Golden.longs(c.get("latent_shape"));
        TorchGenerator latentGen = new TorchGenerator(c.get("latent_seed").asLong());
        float[] sample = latentGen.randn(shape);
        for (int i = 0; i < sample.length; i++) {
            sample[i] *= s.initNoiseSigma();
        }
        GoldenCompare.Recording noise = null;
        if (c.has("noise_source")) {
            // a separate generator (noise_seed), or the latent generator itself (shared_generator)
            NoiseSource src = c.has("noise_seed") ? new TorchGenerator(c.get("noise_seed").asLong()) : latentGen;
            noise = new GoldenCompare.Recording(src);
        }
        double worst = 0;
        int exactSteps = 0;
        int i = 0;
        float[] ts = s.timesteps();
        assertEquals(c.get("steps").size(), ts.length);
        for (float t : ts) {
            JsonNode st = c.get("steps").get(i);
            float[] scaled = s.scaleModelInput(sample, t);
            float[] mo = GoldenCompare.standInModel(scaled, t);
            sample = s.step(mo, t, sample, noise).prevSample();
            float[] expected = Golden.floats(st.get("prev_sample"));
            double e = relErr(expected, sample);
            worst = Math.max(worst, e);
            if (maxUlp(expected, sample) == 0) {
                exactSteps++;
            }
            assertTrue(e <= TRAJECTORY_TOL, c.get("name").asText() + " step " + i + ": rel err " + e);
            if (noise != null) {
                assertBitExact(c.get("name").asText() + " step " + i + " noise drawn by the scheduler",
                        Golden.floats(st.get("noise")), noise.draws.get(i));
            }
            i++;
        }
        double fin = relErr(Golden.floats(c.get("final_sample")), sample);
        assertTrue(fin <= TRAJECTORY_TOL, "final_sample rel err " + fin);
        REPORT.put(file + " " + c.get("name").asText() + " free-running",
                "max rel err " + worst + ", " + exactSteps + "/" + ts.length + " steps bit-exact"
                        + (noise != null ? ", noise bit-exact" : ""));
    }
}
