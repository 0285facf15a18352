package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.random.TorchGenerator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The scheduler registry: one entry per class, with its eta capability. */
class SchedulerTypeTest {

    @Test
    void registryListsEveryClassOnce() {
        assertEquals(Arrays.stream(SchedulerType.values()).map(SchedulerType::className).toList(), Schedulers.SUPPORTED);
        for (SchedulerType t : SchedulerType.values()) {
            Scheduler s = Schedulers.create(SchedulerConfig.audioLdm2().with("_class_name", t.className()));
            assertEquals(t.className(), s.getClass().getSimpleName());
            assertEquals(t, SchedulerType.byClassName(t.className()).orElseThrow());
        }
        assertFalse(SchedulerType.byClassName("KarrasVeScheduler").isPresent());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(SchedulerConfig.audioLdm2().with("_class_name", "KarrasVeScheduler"), 0.5));
        assertTrue(e.getMessage().startsWith("scheduler config field _class_name must be one of DDIMScheduler"),
                e.getMessage());
    }

    @Test
    void etaReachesDdimOnly() {
        assertTrue(SchedulerType.DDIM.supportsEta());
        assertEquals(1, Arrays.stream(SchedulerType.values()).filter(SchedulerType::supportsEta).count());
        SchedulerConfig cfg = SchedulerConfig.audioLdm2();
        float[] viaRegistry = run(Schedulers.create(cfg, 1.0));
        DDIMScheduler manual = new DDIMScheduler(cfg);
        manual.setEta(1.0);
        assertArrayEquals(run(manual), viaRegistry, "create(config, eta) equals setEta");
        assertFalse(Arrays.equals(run(Schedulers.create(cfg, 0.0)), viaRegistry), "eta changes DDIM's steps");
        // other classes ignore eta, as diffusers' pipelines do
        SchedulerConfig euler = cfg.with("_class_name", "EulerDiscreteScheduler");
        assertArrayEquals(run(Schedulers.create(euler, 0.0)), run(Schedulers.create(euler, 1.0)));
    }

    private static float[] run(Scheduler s) {
        s.setTimesteps(10);
        TorchGenerator g = new TorchGenerator(5);
        float[] x = new TorchGenerator(1).randn(32);
        for (float t : s.timesteps()) {
            float[] in = s.scaleModelInput(x, t);
            float[] eps = new float[in.length];
            for (int i = 0; i < eps.length; i++) {
                eps[i] = 0.3f * in[i];
            }
            x = s.step(eps, t, x, g).prevSample();
        }
        return x;
    }
}
