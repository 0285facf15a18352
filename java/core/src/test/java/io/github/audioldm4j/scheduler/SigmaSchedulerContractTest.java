package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.random.TorchGenerator;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Contract and error tests of the four sigma schedulers; every error message is checked. */
class SigmaSchedulerContractTest {
    static final List<String> CLASSES = List.of("EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler",
            "LMSDiscreteScheduler", "HeunDiscreteScheduler");

    static Scheduler audioLdm2(String cls) {
        return Schedulers.create(cls, SchedulerConfig.audioLdm2());
    }

    static NoiseSource noise() {
        return new TorchGenerator(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler",
        "HeunDiscreteScheduler"})
    void usingBeforeSetTimestepsFails(String cls) {
        Scheduler s = audioLdm2(cls);
        float[] x = new float[4];
        String msg = "setTimesteps must be called before using the scheduler";
        assertEquals(msg, assertThrows(IllegalStateException.class, () -> s.step(x, 1f, x, noise())).getMessage());
        assertEquals(msg, assertThrows(IllegalStateException.class, () -> s.scaleModelInput(x, 1f)).getMessage());
        assertEquals(msg, assertThrows(IllegalStateException.class, s::timesteps).getMessage());
        assertEquals(msg, assertThrows(IllegalStateException.class, () -> s.addNoise(x, x, new float[] {1f}))
                .getMessage());
        assertEquals(msg, assertThrows(IllegalStateException.class, () -> s.setBeginIndex(0)).getMessage());
        assertEquals(0, s.numInferenceSteps());
        assertTrue(s.initNoiseSigma() > 1, "init_noise_sigma is defined from construction, as in diffusers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler",
        "HeunDiscreteScheduler"})
    void badNumberOfSteps(String cls) {
        Scheduler s = audioLdm2(cls);
        assertEquals("numInferenceSteps must be in [1, 1000], got 0",
                assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(0)).getMessage());
        assertEquals("numInferenceSteps must be in [1, 1000], got 1001",
                assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(1001)).getMessage());
        s.setTimesteps(1); // a one-step schedule is valid
        assertEquals(1, s.timesteps().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler",
        "HeunDiscreteScheduler"})
    void mismatchedLengthsAndNulls(String cls) {
        Scheduler s = audioLdm2(cls);
        s.setTimesteps(10);
        float t = s.timesteps()[0];
        assertEquals("modelOutput must have length 4, got 3", assertThrows(IllegalArgumentException.class,
                () -> s.step(new float[3], t, new float[4], noise())).getMessage());
        assertEquals("sample must not be null", assertThrows(NullPointerException.class,
                () -> s.step(new float[3], t, null, noise())).getMessage());
        assertEquals("modelOutput must not be null", assertThrows(NullPointerException.class,
                () -> s.step(null, t, new float[4], noise())).getMessage());
        assertEquals("sample must not be null", assertThrows(NullPointerException.class,
                () -> s.scaleModelInput(null, t)).getMessage());
        assertEquals("noise must have length 8, got 4", assertThrows(IllegalArgumentException.class,
                () -> s.addNoise(new float[8], new float[4], new float[] {t})).getMessage());
        assertEquals("timesteps must not be empty, got length 0", assertThrows(IllegalArgumentException.class,
                () -> s.addNoise(new float[8], new float[8], new float[0])).getMessage());
        assertEquals("original length must be a multiple of timesteps length (3), got 8",
                assertThrows(IllegalArgumentException.class,
                        () -> s.addNoise(new float[8], new float[8], new float[] {t, t, t})).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler",
        "HeunDiscreteScheduler"})
    void emptyArraysAndUnknownNoiseTimestepsFail(String cls) {
        Scheduler s = audioLdm2(cls);
        s.setTimesteps(10);
        float t = s.timesteps()[0];
        assertEquals("sample must not be empty, got length 0", assertThrows(IllegalArgumentException.class,
                () -> s.step(new float[0], t, new float[0], noise())).getMessage());
        assertEquals("original must not be empty, got length 0", assertThrows(IllegalArgumentException.class,
                () -> s.addNoise(new float[0], new float[0], new float[] {t})).getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.addNoise(new float[4], new float[4], new float[] {t, 500.5f}));
        assertTrue(e.getMessage().startsWith("timesteps[1] must be one of the scheduler's timesteps ["), e.getMessage());
        assertTrue(e.getMessage().endsWith("got 500.5"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler",
        "HeunDiscreteScheduler"})
    void timestepMustBeInTheSchedule(String cls) {
        Scheduler s = audioLdm2(cls);
        s.setTimesteps(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.step(new float[2], 500.5f, new float[2], noise()));
        assertTrue(e.getMessage().startsWith("timestep must be one of the scheduler's timesteps ["), e.getMessage());
        assertTrue(e.getMessage().endsWith("got 500.5"), e.getMessage());
        assertEquals("beginIndex must be in [0, " + (s.timesteps().length - 1) + "], got -1",
                assertThrows(IllegalArgumentException.class, () -> s.setBeginIndex(-1)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler",
        "HeunDiscreteScheduler"})
    void stepAfterTheLastTimestepFails(String cls) {
        Scheduler s = audioLdm2(cls);
        s.setTimesteps(3);
        float[] x = {1f, 2f};
        TorchGenerator g = new TorchGenerator(1);
        float[] ts = s.timesteps();
        for (float t : ts) {
            x = s.step(x.clone(), t, x, g).prevSample();
        }
        float[] y = x;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> s.step(y, ts[ts.length - 1], y, g));
        assertEquals("step called after the last timestep (step index " + ts.length + ", " + ts.length
                + " timesteps); call setTimesteps again", e.getMessage());
        // setTimesteps resets the state
        s.setTimesteps(3);
        s.step(y, s.timesteps()[0], y, g);
    }

    @Test
    void ancestralNeedsANoiseSource() {
        EulerAncestralDiscreteScheduler s = new EulerAncestralDiscreteScheduler(SchedulerConfig.audioLdm2());
        s.setTimesteps(5);
        float[] x = new float[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.step(x, s.timesteps()[0], x, null));
        assertEquals("noise must not be null: EulerAncestralDiscreteScheduler draws noise in every step",
                e.getMessage());
        assertEquals("noise.randn(n) must have length 8, got 3", assertThrows(IllegalArgumentException.class,
                () -> s.step(x, s.timesteps()[0], x, n -> new float[3])).getMessage());
    }

    @Test
    void eulerChurnNeedsANoiseSourceOnlyWhenItAddsNoise() {
        EulerDiscreteScheduler s = new EulerDiscreteScheduler(SchedulerConfig.audioLdm2());
        s.setTimesteps(5);
        float[] x = {1f, -1f};
        float t = s.timesteps()[0];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.step(x, t, x, null, 1.0, 0.0, Double.POSITIVE_INFINITY, 1.0));
        assertTrue(e.getMessage().startsWith("noise must not be null when sChurn > 0 adds noise (gamma = "),
                e.getMessage());
        // deterministic default path and churn outside [s_tmin, s_tmax] need no noise
        s.step(x, t, x, null, 1.0, 0.0, 1.0, 1.0);
        assertEquals("sChurn must be finite and >= 0, got -1.0", assertThrows(IllegalArgumentException.class,
                () -> s.step(x, s.timesteps()[1], x, null, -1.0, 0, 1, 1)).getMessage());
    }

    @Test
    void lmsOrderMustBePositive() {
        LMSDiscreteScheduler s = new LMSDiscreteScheduler(SchedulerConfig.audioLdm2());
        s.setTimesteps(5);
        float[] x = new float[2];
        assertEquals("order must be > 0, got 0", assertThrows(IllegalArgumentException.class,
                () -> s.step(x, s.timesteps()[0], x, 0)).getMessage());
    }

    @Test
    void badConfigValues() {
        SchedulerConfig base = SchedulerConfig.audioLdm2();
        for (String cls : CLASSES) {
            Function<SchedulerConfig, Scheduler> make = c -> Schedulers.create(cls, c);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> make.apply(base.with("timestep_spacing", "uniform")));
            assertEquals("scheduler config field timestep_spacing must be one of linspace, leading, trailing,"
                    + " got \"uniform\"", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> make.apply(base.with("prediction_type", "eps")));
            assertTrue(e.getMessage().startsWith("scheduler config field prediction_type must be one of epsilon, "
                    + "v_prediction"), e.getMessage());
            assertTrue(e.getMessage().endsWith("got \"eps\""), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> make.apply(base.with("beta_schedule", "cubic")));
            assertTrue(e.getMessage().startsWith("scheduler config field beta_schedule must be one of linear, "
                    + "scaled_linear, squaredcos_cap_v2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> make.apply(base.with("num_train_timesteps", 1)));
            assertEquals("scheduler config field num_train_timesteps must be >= 2, got 1", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> make.apply(base.with("steps_offset", -1)));
            assertEquals("scheduler config field steps_offset must be >= 0, got -1", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> make.apply(base.with("beta_end", 1.5)));
            assertTrue(e.getMessage().startsWith("betas must be in [0, 1) (check beta_start, beta_end, "
                    + "beta_schedule, trained_betas), got "), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> make.apply(base.with("trained_betas", List.of(0.1, 0.2))));
            assertEquals("scheduler config field trained_betas must have num_train_timesteps (1000) entries, got 2",
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> make.apply(base.with("beta_start", "x")));
            assertEquals("scheduler config field beta_start must be a number, got \"x\"", e.getMessage());
            assertEquals("config must not be null",
                    assertThrows(NullPointerException.class, () -> make.apply(null)).getMessage());
        }
        assertEquals("scheduler config field prediction_type must be one of epsilon, v_prediction, got \"sample\"",
                assertThrows(IllegalArgumentException.class, () -> new EulerAncestralDiscreteScheduler(
                        base.with("prediction_type", "sample"))).getMessage());
        for (String cls : List.of("EulerDiscreteScheduler", "LMSDiscreteScheduler", "HeunDiscreteScheduler")) {
            assertEquals("only one of scheduler config fields use_beta_sigmas, use_exponential_sigmas,"
                    + " use_karras_sigmas can be true, got false, true, true", assertThrows(
                    IllegalArgumentException.class, () -> Schedulers.create(cls,
                            base.with("use_karras_sigmas", true).with("use_exponential_sigmas", true))).getMessage());
            assertEquals("scheduler config field use_beta_sigmas is not supported (scipy beta quantiles), got true",
                    assertThrows(IllegalArgumentException.class, () -> Schedulers.create(cls,
                            base.with("use_beta_sigmas", true))).getMessage());
        }
        assertEquals("scheduler config field interpolation_type must be one of linear, got \"log_linear\"",
                assertThrows(IllegalArgumentException.class, () -> new EulerDiscreteScheduler(
                        base.with("interpolation_type", "log_linear"))).getMessage());
        assertEquals("scheduler config field timestep_type must be one of discrete, got \"continuous\"",
                assertThrows(IllegalArgumentException.class, () -> new EulerDiscreteScheduler(
                        base.with("timestep_type", "continuous"))).getMessage());
        assertEquals("scheduler config field final_sigmas_type must be one of zero, sigma_min, got \"one\"",
                assertThrows(IllegalArgumentException.class, () -> new EulerDiscreteScheduler(
                        base.with("final_sigmas_type", "one"))).getMessage());
        assertEquals("scheduler config field clip_sample_range must be finite and > 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> new HeunDiscreteScheduler(
                        base.with("clip_sample", true).with("clip_sample_range", -1.0))).getMessage());
    }

    @Test
    void heunAlternatesFirstAndSecondOrder() {
        HeunDiscreteScheduler s = new HeunDiscreteScheduler(SchedulerConfig.audioLdm2());
        s.setTimesteps(4);
        assertEquals(7, s.timesteps().length);
        assertEquals(8, s.sigmas().length);
        assertEquals(4, s.numInferenceSteps());
        float[] x = {0.5f, -0.25f};
        boolean expectFirst = true;
        for (float t : s.timesteps()) {
            assertEquals(expectFirst, s.stateInFirstOrder());
            x = s.step(GoldenCompare.standInModel(s.scaleModelInput(x, t), t), t, x, null).prevSample();
            expectFirst = !expectFirst;
        }
        assertFalse(s.stateInFirstOrder(), "the final Euler step leaves a pending correction, as upstream");
    }

    @Test
    void addNoiseUsesBeginIndexThenStepIndex() {
        EulerDiscreteScheduler s = new EulerDiscreteScheduler(SchedulerConfig.audioLdm2());
        s.setTimesteps(10);
        float[] sig = s.sigmas();
        float[] ts = s.timesteps();
        float[] x = {1f, 2f, 3f, 4f};
        float[] n = {1f, 1f, 1f, 1f};
        // no begin index: per-batch lookup by timestep value
        float[] r = s.addNoise(x, n, new float[] {ts[2], ts[5]});
        assertArrayEquals(new float[] {1 + sig[2], 2 + sig[2], 3 + sig[5], 4 + sig[5]}, r);
        // begin index set: every batch element uses it, whatever the timestep
        s.setBeginIndex(3);
        assertArrayEquals(new float[] {1 + sig[3], 2 + sig[3], 3 + sig[3], 4 + sig[3]},
                s.addNoise(x, n, new float[] {ts[0], ts[9]}));
        // after a step the step index wins
        s.step(new float[4], ts[3], x, null);
        assertEquals(4, s.stepIndex().getAsInt());
        assertArrayEquals(new float[] {1 + sig[4], 2 + sig[4], 3 + sig[4], 4 + sig[4]},
                s.addNoise(x, n, new float[] {ts[0], ts[0]}));
        // setTimesteps clears both indices
        s.setTimesteps(10);
        assertTrue(s.stepIndex().isEmpty());
        assertTrue(s.beginIndex().isEmpty());
    }

    @Test
    void duplicateTimestepLooksUpTheSecondMatch() {
        // Heun repeats timesteps: starting the loop at a repeated value picks its second occurrence
        HeunDiscreteScheduler s = new HeunDiscreteScheduler(SchedulerConfig.audioLdm2());
        s.setTimesteps(5);
        float[] ts = s.timesteps();
        s.scaleModelInput(new float[1], ts[1]);
        assertEquals(2, s.stepIndex().getAsInt());
    }

    @Test
    void sameSeedSameResultAndGeneratorsMatter() {
        EulerAncestralDiscreteScheduler a = new EulerAncestralDiscreteScheduler(SchedulerConfig.audioLdm2());
        EulerAncestralDiscreteScheduler b = new EulerAncestralDiscreteScheduler(SchedulerConfig.audioLdm2());
        a.setTimesteps(5);
        b.setTimesteps(5);
        float[] x = new TorchGenerator(3).randn(2, 8, 4);
        float t = a.timesteps()[0];
        float[] ra = a.step(x, t, x, new TorchGenerator(9)).prevSample();
        float[] rb = b.step(x, t, x, new TorchGenerator(9)).prevSample();
        assertArrayEquals(ra, rb);
        b.setTimesteps(5);
        assertNotEquals(ra[0], b.step(x, t, x, new TorchGenerator(10)).prevSample()[0]);
    }
}
