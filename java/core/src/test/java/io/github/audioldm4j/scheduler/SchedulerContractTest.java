package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link Scheduler} contract and input validation, for every class of this package: errors
 * before {@code setTimesteps}, argument ranges, array lengths, bad config values (the message names
 * the field and the value), state reset and determinism.
 */
class SchedulerContractTest {
    private static SchedulerConfig cfg(String cls) {
        SchedulerConfig c = SchedulerConfig.audioLdm2().with("_class_name", cls);
        return cls.equals("PNDMScheduler") ? c.with("skip_prk_steps", true) : c;
    }

    private static Scheduler make(String cls) {
        return Schedulers.create(cfg(cls));
    }

    private static void assertMessage(Throwable t, String... parts) {
        for (String p : parts) {
            assertTrue(t.getMessage().contains(p), "message \"" + t.getMessage() + "\" should contain \"" + p + "\"");
        }
    }

    private static float[] ramp(int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = scale * (float) Math.sin(0.7 * i + 0.3);
        }
        return x;
    }

    /** Runs a full trajectory with the stand-in model and returns the final sample. */
    private static float[] run(Scheduler s, int n, float[] x0) {
        s.setTimesteps(n);
        float[] x = x0.clone();
        for (float t : s.timesteps()) {
            float[] mo = GoldenCompare.standInModel(s.scaleModelInput(x, t), t);
            x = s.step(mo, t, x, null).prevSample();
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"})
    void stepAndTimestepsBeforeSetTimestepsThrow(String cls) {
        Scheduler s = make(cls);
        assertEquals(0, s.numInferenceSteps());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> s.step(new float[4], 901f, new float[4], null));
        assertMessage(e, cls + ".step", "setTimesteps");
        assertMessage(assertThrows(IllegalStateException.class, s::timesteps), "setTimesteps");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"})
    void setTimestepsRange(String cls) {
        Scheduler s = make(cls);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(0)),
                "numInferenceSteps", "[1, 1000]", "got 0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(-3)), "numInferenceSteps", "-3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(1001)),
                "numInferenceSteps", "[1, 1000]", "got 1001");
        s.setTimesteps(999);
        assertTrue(s.timesteps().length >= 999);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"})
    void stepArgumentChecks(String cls) {
        Scheduler s = make(cls);
        s.setTimesteps(10);
        float t = s.timesteps()[0];
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.step(new float[3], t, new float[4], null)),
                "modelOutput", "length 4", "got 3");
        assertMessage(assertThrows(NullPointerException.class, () -> s.step(new float[4], t, null, null)), "sample");
        assertMessage(assertThrows(NullPointerException.class, () -> s.step(null, t, new float[4], null)), "modelOutput");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.step(new float[0], t, new float[0], null)),
                "sample", "empty");
        assertMessage(assertThrows(NullPointerException.class, () -> s.scaleModelInput(null, t)), "sample");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler"})
    void trainTimestepChecks(String cls) {
        Scheduler s = make(cls);
        s.setTimesteps(10);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.step(new float[4], 12.5f, new float[4], null)),
                "timestep", "integer in [0, 999]", "12.5");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.step(new float[4], 1000f, new float[4], null)),
                "timestep", "1000.0");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> s.addNoise(new float[4], new float[4], new float[] {-1f})), "timesteps[0]", "[0, 999]", "-1.0");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DPMSolverMultistepScheduler", "UniPCMultistepScheduler"})
    void sigmaSchedulersIndexChecks(String cls) {
        Scheduler s = make(cls);
        assertMessage(assertThrows(IllegalStateException.class,
                () -> s.addNoise(new float[4], new float[4], new float[] {901f})), "addNoise", "setTimesteps");
        s.setTimesteps(10);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> s.addNoise(new float[4], new float[4], new float[] {900f})), "timesteps[0]", "900.0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.step(new float[4], 900f, new float[4], null)),
                "timestep must be one of", "900.0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.setBeginIndex(-1)), "beginIndex", "-1");
        // stepping past the last timestep
        float[] x = ramp(4, 1f);
        for (float t : s.timesteps()) {
            x = s.step(GoldenCompare.standInModel(x, t), t, x, null).prevSample();
        }
        float[] last = x;
        assertMessage(assertThrows(IllegalStateException.class, () -> s.step(last, 91f, last, null)),
                "all 10 timesteps", "setTimesteps");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"})
    void addNoiseArgumentChecks(String cls) {
        Scheduler s = make(cls);
        s.setTimesteps(10);
        float t = s.timesteps()[0];
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> s.addNoise(new float[6], new float[5], new float[] {t})), "noise", "length 6", "got 5");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> s.addNoise(new float[6], new float[6], new float[] {t, t, t, t})),
                "original length must be a multiple of timesteps length", "6", "4");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> s.addNoise(new float[6], new float[6], new float[0])), "timesteps", "empty");
        // per-batch timesteps: each slice is noised at its own level
        float[] orig = ramp(8, 1f);
        float[] noise = ramp(8, -0.5f);
        float t2 = s.timesteps()[3];
        float[] both = s.addNoise(orig, noise, new float[] {t, t2});
        float[] first = s.addNoise(Arrays.copyOf(orig, 4), Arrays.copyOf(noise, 4), new float[] {t});
        float[] second = s.addNoise(Arrays.copyOfRange(orig, 4, 8), Arrays.copyOfRange(noise, 4, 8), new float[] {t2});
        assertArrayEquals(first, Arrays.copyOf(both, 4));
        assertArrayEquals(second, Arrays.copyOfRange(both, 4, 8));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"})
    void setTimestepsResetsStateAndResultsAreDeterministic(String cls) {
        float[] x0 = ramp(32, 1.3f);
        float[] fresh = run(make(cls), 12, x0);
        Scheduler reused = make(cls);
        run(reused, 7, ramp(32, -0.4f)); // leave multistep history behind
        assertArrayEquals(fresh, run(reused, 12, x0), "setTimesteps resets the multistep state");
        assertArrayEquals(fresh, run(make(cls), 12, x0), "same inputs, same result");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"})
    void callerArraysAreNotAliased(String cls) {
        Scheduler s = make(cls);
        s.setTimesteps(10);
        float[] x = ramp(16, 1f);
        assertNotSame(x, s.scaleModelInput(x, s.timesteps()[0]));
        float[] ts = s.timesteps();
        ts[0] = -5f;
        assertTrue(s.timesteps()[0] != -5f, "timesteps() returns a copy");
        // mutating returned arrays and inputs after a step does not change later steps
        float[] expected = run(make(cls), 10, x);
        Scheduler t = make(cls);
        t.setTimesteps(10);
        float[] y = x.clone();
        for (float step : t.timesteps()) {
            float[] mo = GoldenCompare.standInModel(y, step);
            StepResult r = t.step(mo, step, y, null);
            Arrays.fill(mo, 1e6f);
            Arrays.fill(y, 1e6f);
            if (r.predOriginalSample() != null) {
                Arrays.fill(r.predOriginalSample(), 1e6f);
            }
            y = r.prevSample().clone();
            Arrays.fill(r.prevSample(), 1e6f);
        }
        assertArrayEquals(expected, y);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"})
    void badConfigValuesNameFieldAndValue(String cls) {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("beta_schedule", "cosine"))),
                "beta_schedule", "linear, scaled_linear, squaredcos_cap_v2", "\"cosine\"");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("prediction_type", "x0"))), "prediction_type", "\"x0\"");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("timestep_spacing", "uniform"))),
                "timestep_spacing", "leading, trailing, linspace", "\"uniform\"");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("num_train_timesteps", 0))), "num_train_timesteps", ">= 1", "0");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("steps_offset", -1))), "steps_offset", ">= 0", "-1");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("beta_start", "big"))), "beta_start", "number", "big");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("beta_end", "inf"))), "beta_end", "finite", "Infinity");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("trained_betas", new double[] {0.1, 0.2}))),
                "trained_betas", "num_train_timesteps (1000)", "got 2");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("num_train_timesteps", 2).with("trained_betas",
                        new double[] {0.1, 1.5}))), "trained_betas", "[0, 1)", "1.5", "index 1");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(cls).with("steps_offset", 2.5))), "steps_offset", "integer", "2.5");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler"})
    void thresholdingIsRejected(String cls) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Schedulers.create(cfg(cls).with("thresholding", true)));
        assertMessage(e, cls, "thresholding=true");
    }

    @Test
    void ddimSpecificChecks() {
        DDIMScheduler d = new DDIMScheduler(cfg("DDIMScheduler"));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> d.setEta(-0.5)), "eta", ">= 0", "-0.5");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> d.setEta(Double.NaN)), "eta", "NaN");
        d.setTimesteps(10);
        d.setEta(1.0);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> d.step(new float[4], 901f, new float[4], null)),
                "noise", "eta > 0", "eta=1.0");
        assertMessage(assertThrows(IllegalStateException.class,
                () -> d.step(new float[4], 901f, new float[4], n -> new float[n - 1])), "randn(4)", "3 values");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new DDIMScheduler(cfg("DDIMScheduler").with("clip_sample_range", 0.0))), "clip_sample_range", "0.0");
        // eta = 0 never draws noise
        DDIMScheduler e0 = new DDIMScheduler(cfg("DDIMScheduler"));
        e0.setTimesteps(10);
        e0.step(new float[4], 901f, new float[4], n -> {
            throw new AssertionError("eta=0 must not draw noise");
        });
        // an offset that pushes the leading schedule past the last training timestep
        DDIMScheduler off = new DDIMScheduler(cfg("DDIMScheduler").with("steps_offset", 5));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> off.setTimesteps(200)),
                "steps_offset=5", "timestep 1000", "999");
    }

    @Test
    void pndmSpecificChecks() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg("PNDMScheduler").with("prediction_type", "sample"))),
                "prediction_type", "epsilon, v_prediction", "\"sample\"");
        PNDMScheduler prk = new PNDMScheduler(cfg("PNDMScheduler").with("skip_prk_steps", false));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> prk.setTimesteps(3)),
                "numInferenceSteps", ">= 4", "skip_prk_steps=false", "got 3");
        prk.setTimesteps(10);
        // PRK: 12 Runge-Kutta stages (half-step timesteps) then PLMS over the remaining N-3
        assertEquals(12 + 7, prk.timesteps().length);
        assertEquals(10, prk.numInferenceSteps());
        PNDMScheduler plms = new PNDMScheduler(cfg("PNDMScheduler"));
        plms.setTimesteps(1);
        assertArrayEquals(new float[] {1f}, plms.timesteps());
        plms.setTimesteps(10);
        assertEquals(11, plms.timesteps().length, "PLMS repeats the second timestep");
    }

    @Test
    void dpmSpecificChecks() {
        String d = "DPMSolverMultistepScheduler";
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Schedulers.create(cfg(d).with("solver_order", 4))),
                "solver_order", "1, 2 or 3", "4");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(d).with("algorithm_type", "dpm"))), "algorithm_type", "\"dpm\"");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(d).with("solver_type", "rk4"))), "solver_type", "midpoint, heun", "\"rk4\"");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(d).with("final_sigmas_type", "one"))), "final_sigmas_type", "\"one\"");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(d).with("algorithm_type", "dpmsolver"))),
                "final_sigmas_type", "\"zero\"", "dpmsolver", "sigma_min");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(d).with("use_karras_sigmas", true).with("use_exponential_sigmas", true))),
                "use_karras_sigmas=true", "use_exponential_sigmas=true");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(d).with("lambda_min_clipped", "-infinity"))), "lambda_min_clipped");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(d).with("algorithm_type", "sde-dpmsolver").with("solver_order", 3)
                        .with("final_sigmas_type", "sigma_min"))), "solver_order", "sde-dpmsolver", "got 3");
        assertMessage(assertThrows(UnsupportedOperationException.class,
                () -> Schedulers.create(cfg(d).with("use_beta_sigmas", true))), "use_beta_sigmas=true");
        assertMessage(assertThrows(UnsupportedOperationException.class,
                () -> Schedulers.create(cfg(d).with("use_flow_sigmas", true))), "use_flow_sigmas=true");
        assertMessage(assertThrows(UnsupportedOperationException.class,
                () -> Schedulers.create(cfg(d).with("variance_type", "learned_range"))), "variance_type", "learned_range");
        assertMessage(assertThrows(UnsupportedOperationException.class,
                () -> Schedulers.create(cfg(d).with("prediction_type", "flow_prediction"))), "flow_prediction");
        // "-inf" string and "deis" alias are accepted as in diffusers
        Schedulers.create(cfg(d).with("lambda_min_clipped", "-inf").with("algorithm_type", "deis"));
        Scheduler sde = Schedulers.create(cfg(d).with("algorithm_type", "sde-dpmsolver++"));
        sde.setTimesteps(5);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> sde.step(new float[4], sde.timesteps()[0], new float[4], null)), "noise", "sde-dpmsolver++");
    }

    @Test
    void uniPCSpecificChecks() {
        String u = "UniPCMultistepScheduler";
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Schedulers.create(cfg(u).with("solver_order", 0))),
                "solver_order", ">= 1", "0");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(u).with("solver_type", "bh3"))), "solver_type", "bh1, bh2", "\"bh3\"");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(u).with("solver_type", "bh1"))), "final_sigmas_type", "bh1", "sigma_min");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(u).with("predict_x0", false))), "final_sigmas_type", "predict_x0=false");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(u).with("disable_corrector", "0"))), "disable_corrector", "list of integers");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(u).with("sigma_min", -1.0))), "sigma_min", "> 0", "-1.0");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(cfg(u).with("shift_terminal", 0.1))), "shift_terminal", "use_flow_sigmas");
        assertMessage(assertThrows(UnsupportedOperationException.class,
                () -> Schedulers.create(cfg(u).with("solver_p", "DDIMScheduler"))), "solver_p");
        assertMessage(assertThrows(UnsupportedOperationException.class,
                () -> Schedulers.create(cfg(u).with("use_flow_sigmas", true))), "use_flow_sigmas=true");
        // midpoint/heun/logrho map to bh2 as in diffusers
        Schedulers.create(cfg(u).with("solver_type", "midpoint"));
    }
}
