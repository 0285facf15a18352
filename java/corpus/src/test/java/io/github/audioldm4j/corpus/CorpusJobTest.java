package io.github.audioldm4j.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.PipelineCancelledException;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.study.ReconstructionStudy;
import io.github.audioldm4j.testing.TinyBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The corpus job end to end on a generated 50-clip corpus with the tiny bundle. */
class CorpusJobTest {
    static ModelRuntime runtime;
    static Path corpus;
    static List<CorpusInput.Clip> clips;
    @TempDir
    static Path tmp;
    static final CorpusSpec SPEC;

    static {
        List<String> stages = new ArrayList<>(ReconstructionStudy.STAGE_NAMES);
        stages.add(CorpusSpec.GENERATE);
        SPEC = CorpusSpec.defaults().withStages(stages).withSteps(4).withSeed(3).withMaxSeconds(1.0);
    }

    @BeforeAll
    static void make() throws Exception {
        runtime = ModelRuntimes.createDefault();
        Path manifest = TestCorpus.make(tmp.resolve("corpus"), 50);
        corpus = manifest;
        clips = CorpusInput.read(manifest);
    }

    @AfterAll
    static void close() {
        runtime.close();
    }

    static final class Opener implements Supplier<AudioLdm2Pipeline> {
        final List<AudioLdm2Pipeline> opened = new ArrayList<>();

        @Override
        public AudioLdm2Pipeline get() {
            AudioLdm2Pipeline p = AudioLdm2Pipeline.open(ModelBundle.open(TinyBundle.dir()), runtime,
                    ModuleOptions.CPU_FP32);
            opened.add(p);
            return p;
        }

        void close() {
            opened.forEach(AudioLdm2Pipeline::close);
        }
    }

    static CorpusJob.Outcome run(CorpusSpec spec, List<CorpusInput.Clip> which, Path out, Opener opener,
            CorpusJob.Listener listener, CancellationToken cancel) throws Exception {
        return new CorpusJob(spec, out, ModelBundle.open(TinyBundle.dir()), opener).run(which, ProgressListener.NONE,
                listener, cancel);
    }

    @Test
    void endToEndRerunAndResumeAfterACrash() throws Exception {
        assertEquals(52, clips.size(), "50 clips + corrupt + short");
        Path full = tmp.resolve("full");
        Opener o1 = new Opener();
        long t0 = System.nanoTime();
        CorpusJob.Outcome first = run(SPEC, clips, full, o1, CorpusJob.Listener.NONE, CancellationToken.none());
        System.out.printf("[corpus] 52 clips x %d stages in %.1f s%n", SPEC.stages().size(), (System.nanoTime() - t0) / 1e9);
        o1.close();
        assertEquals(2, first.failedClips(), "the corrupt and the short clip");
        assertEquals(52 * SPEC.stages().size(), first.computedRows());
        JsonNode summary = new ObjectMapper().readTree(full.resolve(CorpusReport.SUMMARY).toFile());
        assertEquals(1, summary.get("schema_version").asInt());
        assertEquals(2, summary.get("clips_failed").asInt());
        JsonNode vae = summary.get("stages").get("vae");
        assertEquals(50, vae.get("ran").asInt());
        assertTrue(vae.get("metrics").get("lsd").get("ci95_low").asDouble()
                <= vae.get("metrics").get("lsd").get("mean").asDouble());
        assertTrue(vae.get("fad").isNumber() && vae.get("kad").isNumber(), vae.toString());
        assertTrue(vae.has("paired_difference_to_mel-vocoder"), vae.toString());
        JsonNode gen = summary.get("stages").get("generate");
        assertTrue(gen.get("ran").asInt() > 0 && gen.get("skipped").asInt() > 0, "captioned clips generate: " + gen);
        assertTrue(gen.get("metrics").has("clap_text_score"), gen.toString());
        String html = Files.readString(full.resolve(CorpusReport.HTML));
        assertTrue(html.contains("Distribution distances") && html.contains("data:image/png;base64,"), "report");
        assertTrue(html.contains("<audio controls"), "worst clips have players");
        List<String> csv = Files.readAllLines(full.resolve("clips.csv"));
        assertEquals(1 + 52 * SPEC.stages().size(), csv.size());
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("corrupt,vae,failed,")), "corrupt recorded");

        // a rerun is a no-op: no model loads, nothing computed, the same summary
        Opener o2 = new Opener();
        CorpusJob.Outcome again = run(SPEC, clips, full, o2, CorpusJob.Listener.NONE, CancellationToken.none());
        assertEquals(0, again.computedRows());
        assertFalse(again.modelsLoaded());
        assertEquals(0, o2.opened.size());
        assertEquals(summary.toString(), new ObjectMapper().readTree(full.resolve(CorpusReport.SUMMARY).toFile()).toString());

    }

    @Test
    void aKilledJobResumesToIdenticalResults() throws Exception {
        CorpusSpec spec = CorpusSpec.defaults().withStages(List.of("resample-16k", "mel-vocoder", "vae", "ddpm-inversion",
                CorpusSpec.GENERATE)).withSteps(4).withSeed(9).withMaxSeconds(1.0);
        List<CorpusInput.Clip> some = clips.subList(0, 24);
        Path whole = tmp.resolve("whole");
        Opener o0 = new Opener();
        run(spec, some, whole, o0, CorpusJob.Listener.NONE, CancellationToken.none());
        o0.close();
        // "kill" after 10 clips (and a half-written line), restart: identical results
        Path crashed = tmp.resolve("crashed");
        Opener o3 = new Opener();
        CancellationToken cancel = new CancellationToken();
        assertThrows(PipelineCancelledException.class, () -> run(spec, some, crashed, o3, (i, n, id, status) -> {
            if (i == 10) {
                cancel.cancel();
            }
        }, cancel));
        o3.close();
        Files.writeString(crashed.resolve(CorpusJob.RESULTS), "{\"key\": \"half-writ", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        Opener o4 = new Opener();
        CorpusJob.Outcome resumed = run(spec, some, crashed, o4, CorpusJob.Listener.NONE, CancellationToken.none());
        o4.close();
        assertEquals(14 * spec.stages().size(), resumed.computedRows(), "only the clips after the crash");
        assertEquals(10 * spec.stages().size(), resumed.reusedRows());
        assertEquals(Files.readString(whole.resolve(CorpusReport.SUMMARY)), Files.readString(crashed.resolve(
                CorpusReport.SUMMARY)), "resumed results equal the uninterrupted run");
        assertEquals(Files.readString(whole.resolve("clips.csv")), Files.readString(crashed.resolve("clips.csv")));
    }

    @Test
    void withoutABundleTheModelStagesAreSkippedWithTheReason() throws Exception {
        Path out = tmp.resolve("nomodel");
        CorpusSpec spec = CorpusSpec.defaults().withStages(List.of("resample-16k", "mel-griffin-lim", "vae"));
        CorpusJob.Outcome o = new CorpusJob(spec, out, null, null).run(clips.subList(0, 6), ProgressListener.NONE,
                CorpusJob.Listener.NONE, CancellationToken.none());
        assertFalse(o.modelsLoaded());
        JsonNode s = new ObjectMapper().readTree(out.resolve(CorpusReport.SUMMARY).toFile());
        assertEquals(6, s.get("stages").get("resample-16k").get("ran").asInt());
        assertEquals(6, s.get("stages").get("vae").get("skipped").asInt());
        assertEquals("no model bundle given", s.get("stages").get("vae").get("first_skip_reason").asText());
        assertTrue(s.get("stages").get("resample-16k").get("fad").isNull(), "no CLAP without a bundle");
        // the report renders in headless Chromium (box plots and tables visible)
        Path chromium = Path.of("/usr/bin/chromium");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(chromium), "chromium is not installed");
        Path shot = out.resolve("report.png");
        Path profile = Files.createTempDirectory("corpus-chromium-");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + shot,
                "--window-size=1200,1600", out.resolve(CorpusReport.HTML).toUri().toString()).redirectErrorStream(true)
                .redirectOutput(out.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, p.exitValue(), "chromium exit code (see chromium.log)");
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(shot.toFile());
        assertEquals(1200, img.getWidth());
        int blue = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (rgb == 0x0072B2 || rgb == 0xCFE3F2) {
                    blue++;
                }
            }
        }
        assertTrue(blue > 50, "the box plots were drawn (" + blue + " box pixels)");
    }

    @Test
    void clipsWithTheSameContentAreSeparateResults() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dupes"));
        Files.copy(clips.get(3).path(), dir.resolve("a.wav"));
        Files.copy(clips.get(3).path(), dir.resolve("b.wav"));
        Files.copy(clips.get(4).path(), dir.resolve("c.wav"));
        Path out = tmp.resolve("dupes-out");
        CorpusJob.Outcome o = new CorpusJob(CorpusSpec.defaults().withStages(List.of("resample-16k")), out, null, null)
                .run(CorpusInput.read(dir), ProgressListener.NONE, CorpusJob.Listener.NONE, CancellationToken.none());
        assertEquals(3, o.computedRows());
        JsonNode s = new ObjectMapper().readTree(out.resolve(CorpusReport.SUMMARY).toFile());
        assertEquals(3, s.get("stages").get("resample-16k").get("ran").asInt());
    }

    @Test
    void inputsAndSpecsAreValidated() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CorpusSpec.defaults().withStages(List.of("vae", "magic")));
        assertTrue(e.getMessage().contains("got \"magic\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CorpusSpec.defaults().withMaxSeconds(100));
        assertTrue(e.getMessage().startsWith("maxSeconds must be in [0.25, 60.0]"), e.getMessage());
        Path csv = tmp.resolve("m.csv");
        Files.writeString(csv, "path,id,caption\n\"corpus/clip-00.wav\",a,\"a tone, loud\"\ncorpus/clip-04.wav,b,\n");
        List<CorpusInput.Clip> c = CorpusInput.read(csv);
        assertEquals("a tone, loud", c.get(0).caption());
        assertEquals(null, c.get(1).caption());
        Files.writeString(csv, "file,id\nx.wav,a\n");
        e = assertThrows(IllegalArgumentException.class, () -> CorpusInput.read(csv));
        assertTrue(e.getMessage().contains("must have a 'path' column"), e.getMessage());
        Files.writeString(csv, "path,id\nx.wav,a\ny.wav,a\n");
        e = assertThrows(IllegalArgumentException.class, () -> CorpusInput.read(csv));
        assertTrue(e.getMessage().contains("clip ids must be unique"), e.getMessage());
        List<CorpusInput.Clip> folder = CorpusInput.read(corpus.getParent());
        assertTrue(folder.size() >= 50, "a folder is read recursively by extension");
        assertEquals(SPEC.clipSeed("clip-07"), SPEC.clipSeed("clip-07"));
        assertFalse(SPEC.clipSeed("clip-07") == SPEC.clipSeed("clip-08"));
    }
}
