package io.github.audioldm4j.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.PipelineCancelledException;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.report.ComparisonReport;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.TinyBundle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconstructionStudyTest {
    /** 1 s at 32 kHz: a 440 Hz tone plus a 12 kHz tone that 16 kHz processing must lose. */
    static float[] signal() {
        float[] x = new float[32000];
        for (int i = 0; i < x.length; i++) {
            double t = i / 32000.0;
            x[i] = (float) (0.4 * Math.sin(2 * Math.PI * 440 * t) + 0.2 * Math.sin(2 * Math.PI * 12000 * t));
        }
        return x;
    }

    static final ReconstructionStudy.Options QUICK = ReconstructionStudy.Options.defaults().withSteps(10)
            .withPrompt("hammer hitting wood");

    @Test
    void withoutABundleOnlyTheModelFreeStagesRun() {
        List<String> events = new ArrayList<>();
        ComparisonReport r = ReconstructionStudy.run(signal(), 32000, "test", null, QUICK, ProgressListener.NONE,
                (i, name, status) -> events.add(i + " " + name + " " + status), CancellationToken.none());
        assertEquals(ReconstructionStudy.STAGES, r.stages().size());
        assertEquals("ddpm-inversion", r.stages().get(9).name());
        assertTrue(r.stages().get(0).ran() && r.stages().get(1).ran());
        for (int i = 2; i < ReconstructionStudy.STAGES; i++) {
            assertEquals("no model bundle given", r.stages().get(i).skipReason());
        }
        // the 12 kHz tone is gone after 16 kHz resampling: > 40 dB lost above 8 kHz
        double loss = r.stages().get(0).metrics().highFrequencyLossAbove8kDb().getAsDouble();
        assertTrue(loss < -40, "loss above 8 kHz " + loss);
        assertTrue(events.contains("1 resample-16k running"), events.toString());
        assertTrue(events.contains("3 mel-vocoder skipped: no model bundle given"), events.toString());
    }

    @Test
    void withTheTinyBundleEveryStageRunsAndIsDeterministic() {
        try (ModelRuntime rt = ModelRuntimes.createDefault();
                AudioLdm2Pipeline p = AudioLdm2Pipeline.open(ModelBundle.open(TinyBundle.dir()), rt,
                        ModuleOptions.CPU_FP32)) {
            ComparisonReport a = ReconstructionStudy.run(signal(), 32000, "test", p, QUICK, ProgressListener.NONE,
                    ReconstructionStudy.StageListener.NONE, CancellationToken.none());
            ComparisonReport b = ReconstructionStudy.run(signal(), 32000, "test", p, QUICK, ProgressListener.NONE,
                    ReconstructionStudy.StageListener.NONE, CancellationToken.none());
            for (int i = 0; i < ReconstructionStudy.STAGES; i++) {
                ComparisonReport.Stage s = a.stages().get(i);
                assertTrue(s.ran(), s.name() + ": " + s.skipReason());
                assertEquals(s.metrics().logSpectralDistance(), b.stages().get(i).metrics().logSpectralDistance(),
                        s.name() + " is deterministic");
            }
            // the DDPM inversion stage returns the VAE latent: its audio equals the vae stage's
            double vaeLsd = a.stages().get(3).metrics().logSpectralDistance();
            double ddpmLsd = a.stages().get(9).metrics().logSpectralDistance();
            assertEquals(vaeLsd, ddpmLsd, 1e-3 * vaeLsd, "ddpm-inversion reconstructs the VAE stage");
            // the editing sweep
            ComparisonReport e2 = ReconstructionStudy.run(signal(), 32000, "test", p, QUICK.withEditTarget("a dog barking"),
                    ProgressListener.NONE, ReconstructionStudy.StageListener.NONE, CancellationToken.none());
            assertEquals(ReconstructionStudy.STAGES + ReconstructionStudy.EDIT_SWEEP.length, e2.stages().size());
            ComparisonReport.Stage edit = e2.stages().get(ReconstructionStudy.STAGES);
            assertEquals("edit-t0.25", edit.name());
            assertTrue(edit.ran(), edit.skipReason());
            assertTrue(edit.description().contains("CLAP score to the target"), edit.description());
            CancellationToken cancel = new CancellationToken();
            PipelineCancelledException e = assertThrows(PipelineCancelledException.class,
                    () -> ReconstructionStudy.run(signal(), 32000, "test", p, QUICK, ProgressListener.NONE,
                            (i, name, status) -> {
                                if (name.equals("vae") && status.startsWith("done")) {
                                    cancel.cancel();
                                }
                            }, cancel));
            assertTrue(e.getMessage().contains("sdedit"), e.getMessage());
        }
    }

    @Test
    void validation() {
        float[] loud = signal();
        loud[3] = 1.5f;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReconstructionStudy.run(loud,
                32000, "", null, QUICK, ProgressListener.NONE, ReconstructionStudy.StageListener.NONE,
                CancellationToken.none()));
        assertTrue(e.getMessage().contains("[-1.0, 1.0]") && e.getMessage().contains("index 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReconstructionStudy.run(new float[100], 32000, "", null,
                QUICK, ProgressListener.NONE, ReconstructionStudy.StageListener.NONE, CancellationToken.none()));
        assertTrue(e.getMessage().contains("0.25 s"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QUICK.withStrength(0));
        assertTrue(e.getMessage().contains("strength"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QUICK.withCutoff(9000));
        assertTrue(e.getMessage().contains("cutoffHz") && e.getMessage().contains("9000"), e.getMessage());
    }
}
