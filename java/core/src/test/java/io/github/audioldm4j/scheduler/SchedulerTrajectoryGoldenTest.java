package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.testing.Golden;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Full denoising trajectories against {@code scheduler_<variant>.json}: every case is re-run from
 * its initial sample through our scheduler (built with {@link Schedulers#create} from the case's
 * full config) and the stand-in model, free-running; each step's prev_sample, pred_original_sample /
 * converted model output and the final sample are compared (see {@link GoldenCompare} for the
 * tolerance). Timesteps must match exactly, and the inputs fed to the model must match too.
 */
class SchedulerTrajectoryGoldenTest {
    /** Every trajectory file of the golden folder for DDIM, PNDM, DPM-Solver++ and UniPC (found, not listed). */
    static final List<String> FILES = GoldenCompare.trajectoryFiles(GoldenCompare.IMG2IMG_TIMESTEP_CLASSES);

    @AfterAll
    static void report() {
        for (String f : FILES) {
            GoldenCompare.report(f);
        }
    }

    static Stream<String> files() {
        assertTrue(!FILES.isEmpty(), "no DDIM/PNDM/DPM/UniPC trajectory file in " + Golden.dir());
        return FILES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void trajectoriesMatchDiffusers(String file) {
        JsonNode root = Golden.load(file);
        JsonNode cases = root.get("cases");
        assertTrue(cases.size() > 0, file + " has cases");
        for (JsonNode c : cases) {
            runCase(file, c);
        }
    }

    static void runCase(String file, JsonNode c) {
        String name = c.get("name").asText();
        Scheduler s = Schedulers.create(GoldenCompare.config(c));
        assertEquals(c.get("scheduler_class").asText(), s.getClass().getSimpleName(), name);
        int n = c.get("num_inference_steps").asInt();
        s.setTimesteps(n);
        assertEquals(n, s.numInferenceSteps(), name + ": numInferenceSteps");

        // timesteps exact
        long[] expectedTs = Golden.longs(c.get("timesteps"));
        float[] ts = s.timesteps();
        long[] actualTs = new long[ts.length];
        for (int i = 0; i < ts.length; i++) {
            actualTs[i] = (long) ts[i];
            assertEquals((float) actualTs[i], ts[i], name + ": integral timestep");
        }
        assertArrayEquals(expectedTs, actualTs, name + ": timesteps");
        if (c.has("sigmas")) {
            GoldenCompare.assertClose(file, name + ": sigmas", c.get("sigmas"), GoldenCompare.sigmas(s));
        }
        assertEquals(c.get("init_noise_sigma").asDouble(), s.initNoiseSigma(), 0.0, name + ": init_noise_sigma");
        assertEquals(c.get("order").asInt(), s.order(), name + ": order");

        // DDIM step kwargs
        JsonNode kw = c.get("step_kwargs");
        double eta = kw != null && kw.has("eta") ? kw.get("eta").asDouble() : 0.0;
        if (s instanceof DDIMScheduler d) {
            d.setEta(eta);
        }
        JsonNode steps = c.get("steps");
        List<float[]> draws = GoldenCompare.stepNoise(steps);
        GoldenCompare.Replay noise = new GoldenCompare.Replay(draws);

        float[] initialNoise = Golden.floats(c.get("initial_noise"));
        float[] sample = new float[initialNoise.length];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = initialNoise[i] * s.initNoiseSigma();
        }
        GoldenCompare.assertClose(file, name + ": initial_sample", c.get("initial_sample"), sample);

        assertEquals(ts.length, steps.size(), name + ": number of steps");
        for (int i = 0; i < ts.length; i++) {
            JsonNode st = steps.get(i);
            String at = name + " step " + i + " (t=" + ts[i] + ")";
            assertEquals(st.get("t").asDouble(), ts[i], 0.0, at + ": t");
            float[] scaled = s.scaleModelInput(sample, ts[i]);
            GoldenCompare.assertClose(file, at + ": scaled_input", st.get("scaled_input"), scaled);
            float[] mo = GoldenCompare.standInModel(scaled, ts[i]);
            GoldenCompare.assertClose(file, at + ": model_output", st.get("model_output"), mo);
            StepResult r = s.step(mo, ts[i], sample, noise);
            if (st.has("pred_original_sample")) {
                assertNotNull(r.predOriginalSample(), at + ": pred_original_sample");
                GoldenCompare.assertClose(file, at + ": pred_original_sample", st.get("pred_original_sample"),
                        r.predOriginalSample());
            }
            if (st.has("converted_model_output")) {
                // dpmsolver++ and UniPC(predict_x0) report their converted output (x_0) as predOriginalSample
                assertNotNull(r.predOriginalSample(), at + ": converted_model_output");
                GoldenCompare.assertClose(file, at + ": converted_model_output", st.get("converted_model_output"),
                        r.predOriginalSample());
            }
            if (!st.has("pred_original_sample") && !st.has("converted_model_output")) {
                assertNull(r.predOriginalSample(), at + ": no pred_original_sample upstream");
            }
            GoldenCompare.assertClose(file, at + ": prev_sample", st.get("prev_sample"), r.prevSample());
            sample = r.prevSample();
        }
        GoldenCompare.assertClose(file, name + ": final_sample", c.get("final_sample"), sample);
        assertEquals(draws.size(), noise.calls(), name + ": every recorded noise draw was used");
        assertEquals(0, noise.remaining(), name + ": no noise left");
    }
}
