package io.github.audioldm4j.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.analysis.MetricRegistry;
import io.github.audioldm4j.analysis.MetricSet;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.io.SampleInput;
import io.github.audioldm4j.io.SampleSource;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.LatentSampling;
import io.github.audioldm4j.pipeline.LongAudio;
import io.github.audioldm4j.pipeline.WindowPlan;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.TinyBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The long-audio study: per-segment metrics of the chunked stages, aggregated, with seams and progress. */
class LongStudyTest {
    @TempDir
    Path dir;

    @Test
    void segmentsAreMeasuredAggregatedAndReportedWithProgressPerWindow() throws Exception {
        float[] x = new float[16000 * 7 + 500];
        for (int i = 0; i < x.length; i++) {
            double t = i / 16000.0;
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * (220 + 40 * t) * t) + 0.1 * Math.sin(2 * Math.PI * 3000 * t));
        }
        SampleInput in = SampleInput.of(x, 16000);
        try (ModelRuntime runtime = ModelRuntimes.createDefault();
                AudioLdm2Pipeline p = AudioLdm2Pipeline.open(ModelBundle.open(TinyBundle.dir()), runtime,
                        ModuleOptions.CPU_FP32)) {
            WindowPlan plan = WindowPlan.seconds(1.28, 0.32, p.models().bundle().manifest());
            LongStudy.Options o = new LongStudy.Options(ReconstructionStudy.Options.defaults().withSteps(6), plan, 2.0);
            List<String> events = new ArrayList<>();
            LongStudy.Result r = LongStudy.run(in, p, o, new LinkedHashSet<>(List.of("vae", "sdedit")),
                    new LongStudy.Listener() {
                        @Override
                        public void onStage(int index, int total, String stage, String status) {
                            events.add(stage + ":" + status.split(" ")[0]);
                        }

                        @Override
                        public void onWindow(String stage, int windows, long samples, long hint) {
                            events.add(stage + "#" + windows);
                        }
                    }, CancellationToken.none());
            assertEquals(List.of("vae", "sdedit"), r.stages().stream().map(LongStudy.StageResult::name).toList());
            int windows = plan.windowsFor(x.length);
            assertTrue(events.contains("vae#" + windows) && events.contains("sdedit#" + windows), events.toString());
            assertEquals("vae:running", events.get(0));
            LongStudy.StageResult vae = r.stages().get(0);
            assertEquals(x.length, vae.samples());
            assertEquals(windows, vae.windows());
            assertEquals(4, vae.segmentValues().size(), "3 whole segments of 2 s and the 1.03 s rest");
            // the per-segment metrics are those of the stage's output, segment by segment
            float[] out = SampleSource.readAll(new LongAudio(p, plan).vaeRoundTrip(in, LatentSampling.MODE, true,
                    o.study().seed(), LongAudio.Progress.NONE), 1 << 22);
            for (int s = 0; s < 4; s++) {
                int a = s * 32000;
                int b = Math.min(x.length, a + 32000);
                MetricSet m = MetricSet.compute(Arrays.copyOfRange(x, a, b), Arrays.copyOfRange(out, a, b), 16000);
                assertEquals(m.logSpectralDistance(), vae.segmentValues().get(s).get(MetricRegistry.LSD.key()), 1e-12);
            }
            LongStudy.Summary lsd = vae.summaries().get(MetricRegistry.LSD.key());
            double mean = vae.segmentValues().stream().mapToDouble(v -> v.get("lsd")).average().orElseThrow();
            assertEquals(mean, lsd.mean(), 1e-12);
            assertEquals(lsd.max(), vae.segmentValues().get(lsd.worstSegment()).get("lsd"), 0.0, "LSD: lower is better");
            LongStudy.Summary sisdr = vae.summaries().get(MetricRegistry.SI_SDR.key());
            assertEquals(sisdr.min(), vae.segmentValues().get(sisdr.worstSegment()).get(MetricRegistry.SI_SDR.key()), 0.0,
                    "SI-SDR: higher is better");
            assertTrue(vae.seams().framesNearSeams() > 0 && vae.seams().framesElsewhere() > 0);
            LongStudy.write(r, dir);
            JsonNode j = new ObjectMapper().readTree(dir.resolve("long-study.json").toFile());
            assertEquals(2, j.get("stages").size());
            assertEquals(lsd.mean(), j.get("stages").get(0).get("metrics").get("lsd").get("mean").asDouble(), 1e-12);
            assertTrue(Files.readString(dir.resolve("long-study.html")).contains("<td style=\"text-align:left\">sdedit"));
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> LongStudy.run(in, p, o, Set.of("ddim-inversion"), LongStudy.Listener.NONE,
                            CancellationToken.none()));
            assertTrue(bad.getMessage().contains("stages must be among") && bad.getMessage().contains("ddim-inversion"),
                    bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new LongStudy.Options(o.study(), plan, 0.5));
        }
    }
}
