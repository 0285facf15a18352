package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Schedulers#create}: dispatch on {@code _class_name} and its errors. */
class SchedulersTest {
    @Test
    void createsEachSupportedClass() {
        SchedulerConfig c = SchedulerConfig.audioLdm2();
        assertInstanceOf(DDIMScheduler.class, Schedulers.create(c));
        assertInstanceOf(PNDMScheduler.class, Schedulers.create("PNDMScheduler", c));
        assertInstanceOf(DPMSolverMultistepScheduler.class, Schedulers.create("DPMSolverMultistepScheduler", c));
        assertInstanceOf(UniPCMultistepScheduler.class, Schedulers.create("UniPCMultistepScheduler", c));
        assertInstanceOf(EulerDiscreteScheduler.class, Schedulers.create("EulerDiscreteScheduler", c));
        assertInstanceOf(EulerAncestralDiscreteScheduler.class, Schedulers.create("EulerAncestralDiscreteScheduler", c));
        assertInstanceOf(LMSDiscreteScheduler.class, Schedulers.create("LMSDiscreteScheduler", c));
        assertInstanceOf(HeunDiscreteScheduler.class, Schedulers.create("HeunDiscreteScheduler", c));
        assertEquals(8, Schedulers.SUPPORTED.size());
    }

    @Test
    void audioLdm2DefaultsGiveDiffusersLeadingSchedule() {
        Scheduler s = Schedulers.create(SchedulerConfig.audioLdm2());
        s.setTimesteps(200);
        float[] ts = s.timesteps();
        assertEquals(200, ts.length);
        assertEquals(996f, ts[0]); // 199 * (1000 // 200) + steps_offset 1
        assertEquals(1f, ts[199]);
        assertEquals(1.0f, s.initNoiseSigma());
        assertEquals(1, s.order());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"KDPM2DiscreteScheduler", "DEISMultistepScheduler", "ddimscheduler"})
    void unsupportedNamesListTheSupportedOnes(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(SchedulerConfig.audioLdm2().with("_class_name", name)));
        assertTrue(e.getMessage().contains("_class_name"), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + name + "\""), e.getMessage());
        for (String s : Schedulers.SUPPORTED) {
            assertTrue(e.getMessage().contains(s), e.getMessage());
        }
    }

    @Test
    void missingClassName() {
        SchedulerConfig noName = SchedulerConfig.audioLdm2().with("_class_name", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedulers.create(noName));
        assertTrue(e.getMessage().contains("_class_name") && e.getMessage().contains("got null"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Schedulers.create(null));
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.create(" ", SchedulerConfig.audioLdm2()));
        assertTrue(blank.getMessage().contains("className"), blank.getMessage());
    }
}
