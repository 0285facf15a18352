package io.github.audioldm4j.scheduler;

import static io.github.audioldm4j.scheduler.GoldenCompare.TRAJECTORY_TOL;
import static io.github.audioldm4j.scheduler.GoldenCompare.maxUlp;
import static io.github.audioldm4j.scheduler.GoldenCompare.relErr;
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
 * Options the shared golden files do not exercise (linspace/trailing spacing, v_prediction and
 * sample prediction, Karras and exponential sigmas, final_sigmas_type, zero-terminal-SNR
 * rescaling, other beta schedules, Euler's s_churn, class defaults), against vectors produced by
 * diffusers' own scheduler files ({@code upstream-extra/gen_upstream_extra.py}; see its
 * docstring). Schedules must be bit-exact except where noted; trajectories within
 * {@link GoldenCompare#TRAJECTORY_TOL}.
 */
class SigmaSchedulerUpstreamExtraTest {
    static final Map<String, String> REPORT = new TreeMap<>();

    @AfterAll
    static void printReport() {
        REPORT.forEach((k, v) -> System.out.println("[extra] " + k + ": " + v));
    }

    static JsonNode load() {
        return GoldenCompare.resource("upstream-extra/upstream_extra.json");
    }

    /**
     * Karras and exponential schedules take np.log of float32 sigmas (numpy's own SIMD float32 log)
     * and float64 pow/exp; one ulp there can move a float32 timestep or sigma by an ulp.
     */
    static boolean scheduleMayDifferByUlp(JsonNode config) {
        return config.path("use_karras_sigmas").asBoolean(false) || config.path("use_exponential_sigmas").asBoolean(false);
    }

    @TestFactory
    List<DynamicTest> upstreamCases() {
        JsonNode root = load();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> run(c)));
        }
        assertTrue(tests.size() >= 25, "expected the upstream-extra cases, got " + tests.size());
        return tests;
    }

    static void run(JsonNode c) {
        String name = c.get("name").asText();
        Scheduler s = Schedulers.create(c.get("scheduler_class").asText(),
                SchedulerConfig.fromJson(c.get("config")));
        s.setTimesteps(c.get("num_inference_steps").asInt());
        float[] ts = s.timesteps();
        long tsUlp = maxUlp(Golden.floats(c.get("timesteps")), ts);
        long sigmaUlp = maxUlp(Golden.floats(c.get("sigmas")), GoldenCompare.sigmas(s));
        long allowed = scheduleMayDifferByUlp(c.get("config")) ? 2 : 0;
        assertTrue(tsUlp <= allowed, name + " timesteps differ by " + tsUlp + " ulp");
        assertTrue(sigmaUlp <= allowed, name + " sigmas differ by " + sigmaUlp + " ulp");
        assertEquals((float) c.get("init_noise_sigma").asDouble(), s.initNoiseSigma(), name + " init_noise_sigma");

        long[] shape = Golden.longs(c.get("latent_shape"));
        float[] sample = new TorchGenerator(c.get("latent_seed").asLong()).randn(shape);
        for (int i = 0; i < sample.length; i++) {
            sample[i] *= s.initNoiseSigma();
        }
        assertEquals(0, maxUlp(Golden.floats(c.get("initial_sample")), sample), name + " initial_sample");
        NoiseSource noise = c.has("noise_seed") ? new TorchGenerator(c.get("noise_seed").asLong()) : null;
        JsonNode kw = c.path("step_kwargs");
        double worst = 0;
        int exact = 0;
        for (int i = 0; i < ts.length; i++) {
            float t = ts[i];
            JsonNode st = c.get("steps").get(i);
            float[] scaled = s.scaleModelInput(sample, t);
            float[] mo = GoldenCompare.standInModel(scaled, t);
            StepResult r;
            if (kw.has("s_churn")) {
                r = ((EulerDiscreteScheduler) s).step(mo, t, sample, noise, kw.get("s_churn").asDouble(),
                        kw.get("s_tmin").asDouble(), kw.get("s_tmax").asDouble(), kw.get("s_noise").asDouble());
            } else {
                r = s.step(mo, t, sample, noise);
            }
            sample = r.prevSample();
            float[] expected = Golden.floats(st.get("prev_sample"));
            double e = relErr(expected, sample);
            worst = Math.max(worst, e);
            exact += maxUlp(expected, sample) == 0 ? 1 : 0;
            assertTrue(e <= TRAJECTORY_TOL, name + " step " + i + " rel err " + e);
            double ep = relErr(Golden.floats(st.get("pred_original_sample")), r.predOriginalSample());
            assertTrue(ep <= TRAJECTORY_TOL, name + " step " + i + " pred_original_sample rel err " + ep);
        }
        assertEquals(c.get("steps").size(), ts.length);
        REPORT.put(name, "timesteps " + tsUlp + " ulp, sigmas " + sigmaUlp + " ulp, max rel err " + worst + ", "
                + exact + "/" + ts.length + " steps bit-exact");
    }
}
