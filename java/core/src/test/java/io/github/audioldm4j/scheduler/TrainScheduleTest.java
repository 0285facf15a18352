package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The per-class options of the one {@link TrainSchedule} all eight schedulers build (the values
 * themselves are checked against diffusers in the golden tests): class defaults, accepted
 * beta_schedule values, what each class does with rescale_betas_zero_snr, and the betas range check.
 */
class TrainScheduleTest {
    private static SchedulerConfig linear(String cls) {
        // a config with no beta_start/beta_end, so that the class defaults apply
        return SchedulerConfig.audioLdm2().with("_class_name", cls).with("beta_schedule", "linear")
                .with("beta_start", null).with("beta_end", null).with("steps_offset", 0);
    }

    private static float[] betas(Scheduler s) {
        if (s instanceof HeunDiscreteScheduler h) {
            return h.betas();
        } else if (s instanceof EulerDiscreteScheduler e) {
            return e.betas();
        } else if (s instanceof DDIMScheduler d) {
            return d.betas();
        } else if (s instanceof PNDMScheduler p) {
            return p.betas();
        }
        throw new AssertionError("no betas accessor used here for " + s.getClass());
    }

    @Test
    void heunHasItsOwnBetaDefaults() {
        float[] heun = betas(Schedulers.create(linear("HeunDiscreteScheduler")));
        float[] euler = betas(Schedulers.create(linear("EulerDiscreteScheduler")));
        // diffusers: Heun beta_start=0.00085, beta_end=0.012; the other classes 0.0001 / 0.02
        assertEquals(0.00085f, heun[0]);
        assertEquals(0.012f, heun[heun.length - 1]);
        assertEquals(0.0001f, euler[0]);
        assertEquals(0.02f, euler[euler.length - 1]);
        assertArrayEquals(TrainSchedule.torchLinspaceF32(0.00085, 0.012, 1000), heun);
    }

    @Test
    void onlyHeunAcceptsTheExpSchedule() {
        float[] exp = betas(Schedulers.create(linear("HeunDiscreteScheduler").with("beta_schedule", "exp")));
        assertArrayEquals(TrainSchedule.betasForAlphaBar(1000, 0.999, true), exp);
        // exp(-12 t): every beta is 1 - exp(-12/1000)
        assertEquals((float) (1 - Math.exp(-0.012)), exp[500], 1e-7f);
        for (String cls : Schedulers.SUPPORTED) {
            if (cls.equals("HeunDiscreteScheduler")) {
                continue;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Schedulers.create(linear(cls).with("beta_schedule", "exp")), cls);
            assertEquals("scheduler config field beta_schedule must be one of linear, scaled_linear,"
                    + " squaredcos_cap_v2, got \"exp\"", e.getMessage(), cls);
        }
    }

    @Test
    void zeroSnrRescalingFollowsEachClass() {
        SchedulerConfig base = SchedulerConfig.audioLdm2().with("rescale_betas_zero_snr", true)
                .with("timestep_spacing", "trailing");
        // DDIM rescales: the last alphas_cumprod is 0
        DDIMScheduler ddim = new DDIMScheduler(base);
        assertEquals(0f, ddim.alphasCumprod()[999]);
        assertEquals(1f, ddim.betas()[999]);
        // Euler, Euler Ancestral, DPM-Solver and UniPC rescale and then clamp it to 2**-24
        float[] clamped = {
            new EulerDiscreteScheduler(base).alphasCumprod()[999],
            new EulerAncestralDiscreteScheduler(base).alphasCumprod()[999],
            new DPMSolverMultistepScheduler(base).alphasCumprod()[999],
            new UniPCMultistepScheduler(base).alphasCumprod()[999]};
        for (float a : clamped) {
            assertEquals(0x1p-24f, a);
        }
        // PNDM, LMS and Heun have no such field: the betas are not rescaled
        float[] plain = new DDIMScheduler(SchedulerConfig.audioLdm2()).betas();
        assertArrayEquals(plain, new PNDMScheduler(base).betas());
        assertArrayEquals(plain, new LMSDiscreteScheduler(base).betas());
        assertArrayEquals(plain, new HeunDiscreteScheduler(base).betas());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler",
        "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler", "HeunDiscreteScheduler"})
    void betasOutsideTheUnitIntervalAreRejected(String cls) {
        SchedulerConfig c = SchedulerConfig.audioLdm2().with("_class_name", cls);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(c.with("beta_end", 1.5)));
        assertTrue(e.getMessage().startsWith("betas must be in [0, 1) (check beta_start, beta_end, beta_schedule,"
                + " trained_betas), got "), e.getMessage());
        assertTrue(e.getMessage().matches(".* at index \\d+"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(c.with("beta_schedule", "linear").with("beta_start", -0.01)));
        assertTrue(e.getMessage().endsWith("got -0.01 at index 0"), e.getMessage());
        assertEquals("scheduler config fields beta_start and beta_end must be >= 0 for beta_schedule scaled_linear,"
                + " got beta_start=-0.1, beta_end=0.0195", assertThrows(IllegalArgumentException.class,
                        () -> Schedulers.create(c.with("beta_start", -0.1))).getMessage());
    }
}
