package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Img2Img} argument checks and the begin-index hand-off (the values are checked against golden elsewhere). */
class Img2ImgTest {
    private static void assertMessage(Throwable t, String... parts) {
        for (String p : parts) {
            assertTrue(t.getMessage().contains(p), "message \"" + t.getMessage() + "\" should contain \"" + p + "\"");
        }
    }

    @Test
    void validatesArguments() {
        Scheduler s = Schedulers.create(SchedulerConfig.audioLdm2());
        assertMessage(assertThrows(IllegalStateException.class, () -> Img2Img.getTimesteps(s, 10, 0.5)), "setTimesteps");
        s.setTimesteps(10);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Img2Img.getTimesteps(s, 10, 1.5)),
                "strength", "(0.0, 1.0]", "1.5");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Img2Img.getTimesteps(s, 10, 0.0)),
                "strength", "0.0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Img2Img.getTimesteps(s, 10, Double.NaN)),
                "strength", "NaN");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Img2Img.getTimesteps(s, 20, 0.5)),
                "numInferenceSteps", "10", "got 20");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Img2Img.getTimesteps(s, 0, 0.5)),
                "numInferenceSteps", "got 0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Img2Img.getTimesteps(s, 10, 0.05)),
                "strength * numInferenceSteps", "strength=0.05", "numInferenceSteps=10");
        assertThrows(NullPointerException.class, () -> Img2Img.getTimesteps(null, 10, 0.5));
        Img2Img.Schedule p = Img2Img.getTimesteps(s, 10, 0.5);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> p.latentTimesteps(0)), "batchSize", "got 0");
    }

    @Test
    void setsBeginIndexOnStepIndexedSchedulers() {
        DPMSolverMultistepScheduler d = new DPMSolverMultistepScheduler(SchedulerConfig.audioLdm2());
        d.setTimesteps(10);
        Img2Img.Schedule p = Img2Img.getTimesteps(d, 10, 0.35); // int(3.5) = 3 steps
        assertEquals(3, p.numInferenceSteps());
        assertEquals(7, p.tStart());
        assertEquals(7, d.beginIndex().getAsInt());
        float[] all = d.timesteps();
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 7, 10), p.timesteps());
        assertArrayEquals(new float[] {all[7], all[7]}, p.latentTimesteps(2));
        // a new setTimesteps forgets the begin index
        d.setTimesteps(10);
        assertTrue(d.beginIndex().isEmpty());
        // strength 1 keeps every step
        Img2Img.Schedule full = Img2Img.getTimesteps(d, 10, 1.0);
        assertArrayEquals(d.timesteps(), full.timesteps());
        assertEquals(0, d.beginIndex().getAsInt());
    }
}
