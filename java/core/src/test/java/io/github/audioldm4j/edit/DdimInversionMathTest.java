package io.github.audioldm4j.edit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.random.TorchGenerator;
import io.github.audioldm4j.scheduler.DDIMScheduler;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import org.junit.jupiter.api.Test;

/**
 * The inverse DDIM step is the forward DDIM step reversed: with the same noise prediction at both
 * ends (a model that does not depend on its input), inversion followed by sampling returns the
 * latent to float rounding, over the whole AudioLDM2 schedule.
 */
class DdimInversionMathTest {

    @Test
    void inversionThenSamplingIsTheIdentityForAFixedNoisePrediction() {
        for (int steps : new int[] {10, 50, 200}) {
            DDIMScheduler s = new DDIMScheduler(SchedulerConfig.audioLdm2());
            s.setTimesteps(steps);
            float[] ts = s.timesteps();
            float[] x0 = new TorchGenerator(3).randn(64);
            float[] eps = new TorchGenerator(4).randn(64);
            float[] x = x0.clone();
            for (int k = ts.length - 1; k >= 0; k--) {
                x = DdimInversion.inverseStep(x, eps, s.alphaCumprodAt(s.previousTimestep(ts[k])),
                        s.alphaCumprodAt((int) ts[k]));
            }
            for (float t : ts) {
                x = s.step(eps, t, x, null).prevSample();
            }
            double err = 0;
            double scale = 0;
            for (int i = 0; i < x0.length; i++) {
                err = Math.max(err, Math.abs(x[i] - x0[i]));
                scale = Math.max(scale, Math.abs(x0[i]));
            }
            assertTrue(err <= 1e-4 * scale, steps + " steps: max |x - x0| = " + err);
        }
    }

    @Test
    void posteriorStdIsDdimsEtaOneVariance() {
        DDIMScheduler s = new DDIMScheduler(SchedulerConfig.audioLdm2());
        s.setTimesteps(20);
        for (float t : s.timesteps()) {
            float a = s.alphaCumprodAt((int) t);
            float ap = s.alphaCumprodAt(s.previousTimestep(t));
            double expected = Math.sqrt((1 - ap) / (1 - a) * (1 - a / ap));
            assertTrue(Math.abs(s.posteriorStd(t) - expected) <= 1e-6 * Math.max(1e-3, expected), "t=" + t);
        }
    }
}
