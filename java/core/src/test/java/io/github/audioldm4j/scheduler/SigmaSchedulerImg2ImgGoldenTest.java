package io.github.audioldm4j.scheduler;

import static io.github.audioldm4j.scheduler.GoldenCompare.TRAJECTORY_TOL;
import static io.github.audioldm4j.scheduler.GoldenCompare.assertBitExact;
import static io.github.audioldm4j.scheduler.GoldenCompare.maxUlp;
import static io.github.audioldm4j.scheduler.GoldenCompare.relErr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.random.TorchGenerator;
import io.github.audioldm4j.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code scheduler_train_schedules.json}, {@code scheduler_img2img_add_noise.json} and
 * {@code scheduler_img2img_trajectories.json} for the euler, euler_ancestral, lms and heun
 * variants. {@code get_timesteps} (strength to start index) is {@link Img2Img#getTimesteps}.
 */
class SigmaSchedulerImg2ImgGoldenTest {
    /** Scheduler classes checked here (the timestep-indexed ones are in {@link Img2ImgGoldenTest}). */
    private static final Set<String> VARIANTS = GoldenCompare.IMG2IMG_SIGMA_CLASSES;
    static final Map<String, String> REPORT = new TreeMap<>();

    @AfterAll
    static void printReport() {
        REPORT.forEach((k, v) -> System.out.println("[golden] " + k + ": " + v));
    }

    @TestFactory
    List<DynamicTest> trainSchedules() {
        JsonNode schedules = Golden.load("scheduler_train_schedules.json").get("schedules");
        List<DynamicTest> tests = new ArrayList<>();
        for (java.util.Iterator<String> it = schedules.fieldNames(); it.hasNext(); ) {
            String v = it.next();
            JsonNode g = schedules.get(v);
            if (!VARIANTS.contains(g.get("class").asText())) {
                continue; // TrainScheduleGoldenTest covers the others
            }
            tests.add(DynamicTest.dynamicTest(v, () -> {
                Scheduler s = Schedulers.create(g.get("class").asText(), SchedulerConfig.audioLdm2());
                float[] betas;
                float[] cumprod;
                float[] sigmas;
                float[] timesteps = null;
                if (s instanceof EulerDiscreteScheduler e) {
                    betas = e.betas();
                    cumprod = e.alphasCumprod();
                    sigmas = e.initialSigmas();
                    timesteps = e.initialTimesteps();
                } else if (s instanceof EulerAncestralDiscreteScheduler e) {
                    betas = e.betas();
                    cumprod = e.alphasCumprod();
                    sigmas = e.initialSigmas();
                } else if (s instanceof LMSDiscreteScheduler e) {
                    betas = e.betas();
                    cumprod = e.alphasCumprod();
                    sigmas = e.initialSigmas();
                    timesteps = e.initialTimesteps();
                } else {
                    HeunDiscreteScheduler e = (HeunDiscreteScheduler) s;
                    betas = e.betas();
                    cumprod = e.alphasCumprod();
                    sigmas = e.initialSigmas();
                    timesteps = e.initialTimesteps();
                }
                assertBitExact(v + " betas", Golden.floats(g.get("betas")), betas);
                float[] alphas = new float[betas.length];
                for (int i = 0; i < alphas.length; i++) {
                    alphas[i] = 1.0f - betas[i];
                }
                assertBitExact(v + " alphas", Golden.floats(g.get("alphas")), alphas);
                assertBitExact(v + " alphas_cumprod", Golden.floats(g.get("alphas_cumprod")), cumprod);
                assertBitExact(v + " sigmas", Golden.floats(g.get("sigmas")), sigmas);
                if (timesteps != null) {
                    assertBitExact(v + " timesteps", Golden.floats(g.get("timesteps")), timesteps);
                } else {
                    // EulerAncestral keeps float64 training timesteps 999..0 before set_timesteps
                    double[] t = Golden.doubles(g.get("timesteps"));
                    for (int i = 0; i < t.length; i++) {
                        assertEquals(t.length - 1 - i, t[i]);
                    }
                }
                REPORT.put("scheduler_train_schedules.json " + v, "betas/alphas/alphas_cumprod/sigmas"
                        + (timesteps != null ? "/timesteps" : "") + " bit-exact");
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> addNoiseByStrength() {
        JsonNode root = Golden.load("scheduler_img2img_add_noise.json");
        float[] init = Golden.floats(root.get("init_latents"));
        float[] noise = Golden.floats(root.get("noise"));
        List<DynamicTest> tests = new ArrayList<>();
        // the stored tensors are torch.randn with the seeds the file's description names
        for (String tensor : List.of("init_latents", "noise")) {
            long seed = GoldenCompare.describedSeed(root, tensor);
            tests.add(DynamicTest.dynamicTest(tensor + " is torch.randn of the described seed", () -> {
                Assumptions.assumeTrue(seed >= 0, "the description names no seed for " + tensor);
                assertBitExact(tensor + " (TorchGenerator seed " + seed + ")", Golden.floats(root.get(tensor)),
                        new TorchGenerator(seed).randn(Golden.shape(root.get(tensor))));
            }));
        }
        int batch = GoldenCompare.img2imgBatch(root);
        int[] count = {0};
        int expected = 0;
        for (JsonNode c : root.get("strength_cases")) {
            GoldenCompare.assertImg2ImgClassKnown("scheduler_img2img_add_noise.json", c);
            String v = c.get("scheduler_variant").asText();
            if (!VARIANTS.contains(c.get("scheduler_class").asText())) {
                continue;
            }
            expected++;
            String name = v + "_N" + c.get("num_inference_steps").asInt() + "_strength" + c.get("strength").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Scheduler s = Schedulers.create(c.get("scheduler_class").asText(), GoldenCompare.variantConfig(v));
                int n = c.get("num_inference_steps").asInt();
                s.setTimesteps(n);
                assertArrayEquals(Golden.floats(c.get("timesteps_after_set_timesteps")), s.timesteps(), name + " timesteps");
                Img2Img.Schedule got = Img2Img.getTimesteps(s, n, c.get("strength").asDouble());
                float[] ts = got.timesteps();
                assertArrayEquals(Golden.floats(c.get("get_timesteps_timesteps")), ts, name + " get_timesteps");
                assertEquals(c.get("get_timesteps_num_inference_steps").asInt(), got.numInferenceSteps(),
                        name + " get_timesteps num_inference_steps");
                assertEquals(c.get("begin_index").asInt(), GoldenCompare.beginIndex(s).orElse(-1), name + " begin_index");
                float[] latentTimestep = Golden.floats(c.get("latent_timestep"));
                assertArrayEquals(Img2Img.getTimesteps(s, n, c.get("strength").asDouble()).latentTimesteps(batch),
                        latentTimestep, name + " latent_timestep = timesteps[:1].repeat(B)");
                float[] result = s.addNoise(init, noise, latentTimestep);
                assertBitExact(name + " add_noise", Golden.floats(c.get("add_noise_result")), result);
                count[0]++;
            }));
        }
        int expectedCount = expected;
        tests.add(DynamicTest.dynamicTest("all strength cases ran", () -> {
            assertTrue(expectedCount > 0, "no strength case of " + VARIANTS);
            assertEquals(expectedCount, count[0]);
            REPORT.put("scheduler_img2img_add_noise.json", count[0]
                    + " strength cases (euler/euler_ancestral/lms/heun): timesteps, get_timesteps, begin_index exact,"
                    + " add_noise bit-exact");
        }));
        return tests;
    }

    @TestFactory
    List<DynamicTest> trajectories() {
        JsonNode root = Golden.load("scheduler_img2img_trajectories.json");
        float[] init = Golden.floats(root.get("init_latents"));
        float[] noise = Golden.floats(root.get("noise"));
        List<DynamicTest> tests = new ArrayList<>();
        int batch = GoldenCompare.img2imgBatch(root);
        for (JsonNode c : root.get("cases")) {
            GoldenCompare.assertImg2ImgClassKnown("scheduler_img2img_trajectories.json", c);
            String v = c.get("scheduler_variant").asText();
            if (!VARIANTS.contains(c.get("scheduler_class").asText())) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(v, () -> {
                Scheduler s = Schedulers.create(c.get("scheduler_class").asText(),
                        SchedulerConfig.fromJson(c.get("config")));
                int n = c.get("num_inference_steps").asInt();
                s.setTimesteps(n);
                float[] ts = Img2Img.getTimesteps(s, n, c.get("strength").asDouble()).timesteps();
                assertArrayEquals(Golden.floats(c.get("timesteps")), ts, v + " timesteps");
                assertEquals(c.get("begin_index").asInt(), GoldenCompare.beginIndex(s).orElse(-1), v + " begin_index");
                float[] latentTimestep = new float[batch];
                java.util.Arrays.fill(latentTimestep, ts[0]);
                assertArrayEquals(Golden.floats(c.get("latent_timestep")), latentTimestep, v + " latent_timestep");
                float[] sample = s.addNoise(init, noise, latentTimestep);
                assertBitExact(v + " noisy_latents", Golden.floats(c.get("noisy_latents")), sample);
                GoldenCompare.Recording rec = c.get("noise_seed").isNull() ? null
                        : new GoldenCompare.Recording(new TorchGenerator(c.get("noise_seed").asLong()));
                double worst = 0;
                int exact = 0;
                int i = 0;
                for (float t : ts) {
                    JsonNode st = c.get("steps").get(i);
                    float[] scaled = s.scaleModelInput(sample, t);
                    float[] mo = GoldenCompare.standInModel(scaled, t);
                    StepResult r = s.step(mo, t, sample, rec);
                    sample = r.prevSample();
                    float[] expected = Golden.floats(st.get("prev_sample"));
                    double e = relErr(expected, sample);
                    worst = Math.max(worst, e);
                    exact += maxUlp(expected, sample) == 0 ? 1 : 0;
                    assertTrue(e <= TRAJECTORY_TOL, v + " step " + i + " rel err " + e);
                    if (st.has("lms_coefficients")) {
                        double[] ec = Golden.doubles(st.get("lms_coefficients"));
                        double[] ac = ((LMSDiscreteScheduler) s).lastCoefficients();
                        assertEquals(ec.length, ac.length, v + " step " + i + " coefficient count");
                        for (int k = 0; k < ec.length; k++) {
                            assertEquals(ec[k], ac[k], 1e-12 * Math.max(1, Math.abs(ec[k])),
                                    v + " step " + i + " lms coefficient " + k);
                        }
                    }
                    if (rec != null) {
                        assertBitExact(v + " step " + i + " noise", Golden.floats(st.get("noise")), rec.draws.get(i));
                    }
                    i++;
                }
                assertEquals(c.get("steps").size(), i);
                double fin = relErr(Golden.floats(c.get("final_sample")), sample);
                assertTrue(fin <= TRAJECTORY_TOL, v + " final rel err " + fin);
                REPORT.put("scheduler_img2img_trajectories.json " + v, "noisy_latents bit-exact, max rel err "
                        + worst + ", " + exact + "/" + ts.length + " steps bit-exact");
            }));
        }
        assertTrue(!tests.isEmpty(), "no trajectory case of " + VARIANTS);
        return tests;
    }
}
