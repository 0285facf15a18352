package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.testing.Golden;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * img2img / SDEdit against {@code scheduler_img2img_add_noise.json} and
 * {@code scheduler_img2img_trajectories.json}: {@link Img2Img#getTimesteps} (timesteps, remaining
 * steps, begin index), {@link Scheduler#addNoise} for the strength cases and the raw per-batch
 * cases, and partial denoising trajectories.
 */
class Img2ImgGoldenTest {
    private static final String ADD = "scheduler_img2img_add_noise.json";
    private static final String TRAJ = "scheduler_img2img_trajectories.json";
    /** The classes checked here; the Euler family is in {@link SigmaSchedulerImg2ImgGoldenTest}. */
    private static final Set<String> OURS = GoldenCompare.IMG2IMG_TIMESTEP_CLASSES;

    @AfterAll
    static void report() {
        GoldenCompare.report(ADD);
        GoldenCompare.report(TRAJ);
    }

    private static void checkBeginIndex(String what, JsonNode expected, Scheduler s) {
        OptionalInt actual = GoldenCompare.beginIndex(s);
        if (expected == null || expected.isNull()) {
            assertFalse(actual.isPresent(), what + ": no begin index (diffusers' class has no set_begin_index)");
        } else {
            assertTrue(actual.isPresent(), what + ": begin index set");
            assertEquals(expected.asInt(), actual.getAsInt(), what + ": begin_index");
        }
    }

    @Test
    void strengthCasesAndAddNoise() {
        JsonNode root = Golden.load(ADD);
        float[] init = Golden.floats(root.get("init_latents"));
        float[] noise = Golden.floats(root.get("noise"));
        int batch = GoldenCompare.img2imgBatch(root);
        int checked = 0;
        int expected = 0;
        for (JsonNode c : root.get("strength_cases")) {
            GoldenCompare.assertImg2ImgClassKnown(ADD, c);
            if (OURS.contains(c.get("scheduler_class").asText())) {
                expected++;
            }
            if (!OURS.contains(c.get("scheduler_class").asText())) {
                continue;
            }
            String what = c.get("scheduler_variant").asText() + " N=" + c.get("num_inference_steps").asInt()
                    + " strength=" + c.get("strength").asDouble();
            Scheduler s = Schedulers.create(GoldenCompare.variantConfig(c.get("scheduler_variant").asText()));
            assertEquals(c.get("scheduler_class").asText(), s.getClass().getSimpleName(), what);
            int n = c.get("num_inference_steps").asInt();
            s.setTimesteps(n);
            assertArrayEquals(Golden.longs(c.get("timesteps_after_set_timesteps")), GoldenCompare.asLongs(s.timesteps()),
                    what + ": set_timesteps");
            Img2Img.Schedule p = Img2Img.getTimesteps(s, n, c.get("strength").asDouble());
            assertArrayEquals(Golden.longs(c.get("get_timesteps_timesteps")), GoldenCompare.asLongs(p.timesteps()),
                    what + ": get_timesteps timesteps");
            assertEquals(c.get("get_timesteps_num_inference_steps").asInt(), p.numInferenceSteps(), what + ": steps");
            checkBeginIndex(what, c.get("begin_index"), s);
            float[] latentT = p.latentTimesteps(batch);
            assertArrayEquals(Golden.longs(c.get("latent_timestep")), GoldenCompare.asLongs(latentT), what + ": latent_timestep");
            GoldenCompare.assertClose(ADD, what + ": add_noise", c.get("add_noise_result"), s.addNoise(init, noise, latentT));
            checked++;
        }
        assertEquals(expected, checked, "strength cases of " + OURS);
        assertTrue(checked > 0, ADD + " has no strength case of " + OURS);
    }

    @Test
    void rawAddNoisePerBatchTimesteps() {
        int checked = 0;
        JsonNode raw = Golden.load(ADD).get("raw_add_noise");
        for (JsonNode c : raw) {
            String what = c.get("scheduler_variant").asText() + " raw add_noise";
            Scheduler s = Schedulers.create(GoldenCompare.variantConfig(c.get("scheduler_variant").asText()));
            assertEquals(c.get("scheduler_class").asText(), s.getClass().getSimpleName(), what);
            if (!c.get("set_timesteps").isNull()) {
                s.setTimesteps(c.get("set_timesteps").asInt());
            }
            long[] ts = Golden.longs(c.get("timesteps"));
            float[] t = new float[ts.length];
            for (int i = 0; i < ts.length; i++) {
                t[i] = ts[i];
            }
            float[] out = s.addNoise(Golden.floats(c.get("original")), Golden.floats(c.get("noise")), t);
            GoldenCompare.assertClose(ADD, what, c.get("result"), out);
            checked++;
        }
        assertEquals(raw.size(), checked);
        assertTrue(checked > 0, ADD + " has no raw_add_noise case");
    }

    @Test
    void partialDenoisingTrajectories() {
        JsonNode root = Golden.load(TRAJ);
        float[] init = Golden.floats(root.get("init_latents"));
        float[] noise = Golden.floats(root.get("noise"));
        int batch = GoldenCompare.img2imgBatch(root);
        int checked = 0;
        int expected = 0;
        for (JsonNode c : root.get("cases")) {
            GoldenCompare.assertImg2ImgClassKnown(TRAJ, c);
            if (OURS.contains(c.get("scheduler_class").asText())) {
                expected++;
            }
            if (!OURS.contains(c.get("scheduler_class").asText())) {
                continue;
            }
            String name = c.get("scheduler_variant").asText() + " SDEdit";
            Scheduler s = Schedulers.create(GoldenCompare.config(c));
            int n = c.get("num_inference_steps").asInt();
            s.setTimesteps(n);
            Img2Img.Schedule p = Img2Img.getTimesteps(s, n, c.get("strength").asDouble());
            assertArrayEquals(Golden.longs(c.get("timesteps")), GoldenCompare.asLongs(p.timesteps()), name + ": timesteps");
            checkBeginIndex(name, c.get("begin_index"), s);
            float[] latentT = p.latentTimesteps(batch);
            assertArrayEquals(Golden.longs(c.get("latent_timestep")), GoldenCompare.asLongs(latentT), name + ": latent_timestep");
            float[] sample = s.addNoise(init, noise, latentT);
            GoldenCompare.assertClose(TRAJ, name + ": noisy_latents", c.get("noisy_latents"), sample);
            JsonNode kw = c.get("step_kwargs");
            if (s instanceof DDIMScheduler d) {
                d.setEta(kw.has("eta") ? kw.get("eta").asDouble() : 0.0);
            }
            JsonNode steps = c.get("steps");
            float[] ts = p.timesteps();
            assertEquals(steps.size(), ts.length, name + ": steps");
            for (int i = 0; i < ts.length; i++) {
                JsonNode st = steps.get(i);
                String at = name + " step " + i + " (t=" + ts[i] + ")";
                float[] scaled = s.scaleModelInput(sample, ts[i]);
                GoldenCompare.assertClose(TRAJ, at + ": scaled_input", st.get("scaled_input"), scaled);
                float[] mo = GoldenCompare.standInModel(scaled, ts[i]);
                StepResult r = s.step(mo, ts[i], sample, null);
                JsonNode x0 = st.has("pred_original_sample") ? st.get("pred_original_sample")
                        : st.get("converted_model_output");
                if (x0 != null) {
                    GoldenCompare.assertClose(TRAJ, at + ": x0", x0, r.predOriginalSample());
                }
                GoldenCompare.assertClose(TRAJ, at + ": prev_sample", st.get("prev_sample"), r.prevSample());
                sample = r.prevSample();
            }
            GoldenCompare.assertClose(TRAJ, name + ": final_sample", c.get("final_sample"), sample);
            checked++;
        }
        assertEquals(expected, checked, "trajectory cases of " + OURS);
        assertTrue(checked > 0, TRAJ + " has no trajectory case of " + OURS);
    }
}
