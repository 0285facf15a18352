package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.testing.Golden;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The code paths the shared golden vectors do not reach, against {@code upstream_extra.json} (test
 * resource next to this class, produced by {@code gen_upstream_extra.py} from the real diffusers
 * scheduler modules at the golden commit): timestep spacings for many N, PNDM's Runge-Kutta warm-up,
 * DPM-Solver orders 1 and 3 / heun / noise prediction / SDE variants / Lu, exponential and Karras
 * sigmas / lambda_min_clipped, UniPC orders 1, 3 and 4 / bh1 / predict_x0=false / disable_corrector,
 * and DDIM clipping, sample prediction, eta 0.5, zero terminal SNR and trained_betas. Same
 * tolerance as the golden tests ({@link GoldenCompare}).
 *
 * <p>The one intended difference: for N where numpy's float {@code arange} gives "trailing" an extra
 * timestep -1, upstream lists it and this port drops it (see {@link TimestepSpacing}).
 */
class UpstreamExtraPathsTest {
    private static final String FILE = "upstream_extra.json";
    private static JsonNode root;

    @BeforeAll
    static void load() {
        root = GoldenCompare.resource(FILE);
    }

    @AfterAll
    static void report() {
        GoldenCompare.report(FILE);
    }

    private static SchedulerConfig config(String className, JsonNode overridesOrConfig, boolean full) {
        SchedulerConfig c = full ? SchedulerConfig.fromJson(overridesOrConfig) : SchedulerConfig.audioLdm2();
        if (!full) {
            Iterator<Map.Entry<String, JsonNode>> it = overridesOrConfig.fields();
            Map<String, JsonNode> m = new java.util.LinkedHashMap<>(c.asMap());
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), e.getValue());
            }
            c = SchedulerConfig.fromJson(new ObjectMapper().valueToTree(m));
        }
        return c.with("_class_name", className);
    }

    @Test
    void timestepSchedules() {
        int checked = 0;
        for (JsonNode e : root.get("timesteps")) {
            String cls = e.get("scheduler_class").asText();
            int n = e.get("num_inference_steps").asInt();
            String what = cls + " " + e.get("overrides") + " N=" + n;
            Scheduler s = Schedulers.create(config(cls, e.get("overrides"), false));
            long[] upstream = Golden.longs(e.get("timesteps"));
            if (!(s instanceof DPMSolverMultistepScheduler) && !(s instanceof UniPCMultistepScheduler)
                    && Arrays.stream(upstream).anyMatch(t -> t > 999)) {
                // upstream accepts the schedule and fails with an IndexError in step; here setTimesteps rejects it
                IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class, () -> s.setTimesteps(n), what);
                assertTrue(ex.getMessage().contains("steps_offset=1") && ex.getMessage().contains("1000"),
                        ex.getMessage());
                checked++;
                continue;
            }
            s.setTimesteps(n);
            long[] expected = Arrays.stream(upstream).filter(t -> t >= 0).toArray();
            assertArrayEquals(expected, GoldenCompare.asLongs(s.timesteps()), what + ": timesteps");
            if (e.has("sigmas") && expected.length == upstream.length) {
                GoldenCompare.assertClose(FILE, what + ": sigmas", e.get("sigmas"), GoldenCompare.sigmas(s));
            }
            checked++;
        }
        assertEquals(root.get("timesteps").size(), checked);
        assertTrue(checked > 150);
    }

    /** {@link Libm#expm1f} reproduces torch.expm1 on float32 (glibc's expm1f) bit for bit. */
    @Test
    void expm1fMatchesTorchBitForBit() {
        float[] x = Golden.floats(root.get("expm1f").get("x"));
        float[] expected = Golden.floats(root.get("expm1f").get("torch_expm1"));
        assertTrue(x.length > 2000);
        int correctlyRoundedDiffers = 0;
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(Libm.expm1f(x[i])),
                    "expm1f(" + x[i] + ")");
            if ((float) Math.expm1(x[i]) != expected[i]) {
                correctlyRoundedDiffers++;
            }
        }
        // the reason for the port: the correctly rounded value is not what torch computes
        assertTrue(correctlyRoundedDiffers > 0, "some of torch's expm1 results are not correctly rounded");
    }

    @Test
    void trajectories() {
        for (JsonNode c : root.get("trajectories")) {
            String name = c.get("name").asText();
            String cls = c.get("scheduler_class").asText();
            Scheduler s = Schedulers.create(config(cls, c.get("config"), true));
            int n = c.get("num_inference_steps").asInt();
            s.setTimesteps(n);
            float[] ts = s.timesteps();
            assertArrayEquals(Golden.longs(c.get("timesteps")), GoldenCompare.asLongs(ts), name + ": timesteps");
            if (c.has("sigmas")) {
                GoldenCompare.assertClose(FILE, name + ": sigmas", c.get("sigmas"), GoldenCompare.sigmas(s));
            }
            if (s instanceof DDIMScheduler d) {
                d.setEta(c.get("eta").asDouble());
                d.setUseClippedModelOutput(c.get("use_clipped_model_output").asBoolean());
            }
            JsonNode steps = c.get("steps");
            List<float[]> draws = GoldenCompare.stepNoise(steps);
            GoldenCompare.Replay noise = new GoldenCompare.Replay(draws);
            float[] sample = Golden.floats(c.get("initial_sample"));
            assertEquals(steps.size(), ts.length, name + ": steps");
            for (int i = 0; i < ts.length; i++) {
                JsonNode st = steps.get(i);
                String at = name + " step " + i + " (t=" + ts[i] + ")";
                float[] mo = GoldenCompare.standInModel(s.scaleModelInput(sample, ts[i]), ts[i]);
                StepResult r = s.step(mo, ts[i], sample, noise);
                if (st.has("pred_original_sample")) {
                    GoldenCompare.assertClose(FILE, at + ": pred_original_sample", st.get("pred_original_sample"),
                            r.predOriginalSample());
                } else if (st.has("converted_model_output") && r.predOriginalSample() != null) {
                    GoldenCompare.assertClose(FILE, at + ": converted_model_output", st.get("converted_model_output"),
                            r.predOriginalSample());
                }
                GoldenCompare.assertClose(FILE, at + ": prev_sample", st.get("prev_sample"), r.prevSample());
                sample = r.prevSample();
            }
            GoldenCompare.assertClose(FILE, name + ": final_sample", c.get("final_sample"), sample);
            assertEquals(draws.size(), noise.calls(), name + ": noise draws used");
        }
    }
}
