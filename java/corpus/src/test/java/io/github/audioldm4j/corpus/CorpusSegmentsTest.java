package io.github.audioldm4j.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.io.AudioDecoder;
import io.github.audioldm4j.io.AudioEncoder;
import io.github.audioldm4j.io.DecodeOptions;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.TinyBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long files in a corpus job: cut into segments, each a clip, aggregated per file in the report. */
class CorpusSegmentsTest {
    @TempDir
    Path tmp;

    private static float[] signal(int rate, double seconds, double f0) {
        float[] x = new float[(int) Math.round(rate * seconds)];
        for (int k = 0; k < x.length; k++) {
            double t = k / (double) rate;
            // a tone whose pitch and level move, so every segment differs from the others
            x[k] = (float) ((0.2 + 0.15 * Math.sin(2 * Math.PI * 0.05 * t)) * Math.sin(2 * Math.PI * (f0 + 30 * t) * t));
        }
        return x;
    }

    private List<CorpusInput.Clip> corpus() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("corpus"));
        AudioEncoder.encode(signal(22050, 25.3, 200), 22050, dir.resolve("long.wav")); // 10 + 10 + 5.3 s
        AudioEncoder.encode(signal(16000, 20.5, 300), 16000, dir.resolve("tail.flac")); // 10 + 10, 0.5 s left out
        AudioEncoder.encode(signal(16000, 3.0, 400), 16000, dir.resolve("short.wav")); // one segment: itself
        Files.writeString(dir.resolve("broken.wav"), "RIFF....WAVE not audio");
        return CorpusInput.read(dir);
    }

    private static CorpusSpec spec() {
        return new CorpusSpec(List.of("resample-16k", "vae"), "", 4, 3.5, 0.3, 4000, 2, 10.0, 1.0, 3, true);
    }

    @Test
    void longFilesBecomeSegmentsWithTheSamplesOfTheWholeDecode() throws Exception {
        List<CorpusInput.Clip> clips = corpus();
        CorpusSpec spec = spec();
        assertSame(clips, CorpusInput.expand(clips, spec.withSegments(false)), "the first-seconds policy keeps clips");
        List<CorpusInput.Clip> seg = CorpusInput.expand(clips, spec);
        List<String> ids = seg.stream().map(CorpusInput.Clip::id).toList();
        assertEquals(List.of("broken.wav", "long.wav#00000", "long.wav#00001", "long.wav#00002", "short.wav",
                "tail.flac#00000", "tail.flac#00001"), ids);
        assertEquals(seg, CorpusInput.expand(seg, spec), "expanding twice changes nothing");
        assertEquals(20.0, seg.get(3).offsetSeconds(), 1e-12);
        assertEquals("long.wav", seg.get(3).source());
        assertTrue(seg.get(3).segment());
        assertEquals("short.wav", seg.get(4).source());
        assertTrue(!seg.get(4).segment() && !seg.get(0).segment());

        float[] whole = AudioDecoder.decode(seg.get(1).path(), DecodeOptions.of(22050)).samples();
        int n = 10 * 22050;
        try (ClipWorker w = new ClipWorker(spec, tmp.resolve("o"), null)) {
            // in order: one reader serves the segments; then backwards: a new reader skips to each
            List<float[]> forward = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                forward.add(w.prepare(seg.get(1 + k), key -> false).audio());
            }
            for (int k = 2; k >= 0; k--) {
                ClipWorker.Prepared p = w.prepare(seg.get(1 + k), key -> false);
                assertEquals(22050, p.rate());
                float[] expect = Arrays.copyOfRange(whole, k * n, Math.min(whole.length, (k + 1) * n));
                assertArrayEquals(expect, forward.get(k), "segment " + k + " read in order");
                assertArrayEquals(expect, p.audio(), "segment " + k + " read on its own");
            }
            assertEquals(whole.length - 2 * n, forward.get(2).length, "the last segment is the rest (5.3 s)");
            assertNotNull(w.prepare(seg.get(0), key -> false).failure(), "a broken file fails as one clip");
            assertNull(w.prepare(seg.get(4), key -> false).failure());
        }
    }

    @Test
    void theJobRunsEverySegmentAndTheReportAggregatesThemPerFile() throws Exception {
        List<CorpusInput.Clip> clips = corpus();
        CorpusSpec spec = spec();
        Path out = tmp.resolve("out");
        List<String> progress = new ArrayList<>();
        CorpusJob.Outcome o;
        try (ModelRuntime runtime = ModelRuntimes.createDefault()) {
            List<AudioLdm2Pipeline> opened = new ArrayList<>();
            try {
                CorpusJob job = new CorpusJob(spec, out, ModelBundle.open(TinyBundle.dir()), () -> {
                    AudioLdm2Pipeline p = AudioLdm2Pipeline.open(ModelBundle.open(TinyBundle.dir()), runtime,
                            ModuleOptions.CPU_FP32);
                    opened.add(p);
                    return p;
                });
                o = job.run(clips, ProgressListener.NONE, (i, total, id, status) -> progress.add(i + "/" + total + " "
                        + id), CancellationToken.none());
                assertEquals(7, o.clips());
                assertEquals(List.of("1/7 broken.wav", "2/7 long.wav#00000", "3/7 long.wav#00001", "4/7 long.wav#00002",
                        "5/7 short.wav", "6/7 tail.flac#00000", "7/7 tail.flac#00001"), progress);
                CorpusJob.Outcome again = job.run(clips, ProgressListener.NONE, CorpusJob.Listener.NONE,
                        CancellationToken.none());
                assertEquals(0, again.computedRows(), "a rerun reuses every segment's results");
            } finally {
                opened.forEach(AudioLdm2Pipeline::close);
            }
        }
        assertEquals(7 * 2, o.computedRows());
        ObjectMapper m = new ObjectMapper();
        Map<String, List<Double>> lsdBySource = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("clips.jsonl"), StandardCharsets.UTF_8)) {
            JsonNode r = m.readTree(line);
            String id = r.get("clip_id").asText();
            if (id.contains("#")) {
                assertEquals(id.substring(0, id.indexOf('#')), r.get("source_id").asText());
                assertEquals(10.0 * Integer.parseInt(id.substring(id.indexOf('#') + 1)),
                        r.get("offset_seconds").asDouble(), 1e-9);
                if ("vae".equals(r.get("stage").asText())) {
                    lsdBySource.computeIfAbsent(r.get("source_id").asText(), k -> new ArrayList<>())
                            .add(r.get("metrics").get("lsd").asDouble());
                }
            } else {
                assertTrue(!r.has("source_id"), line);
            }
        }
        JsonNode files = m.readTree(out.resolve(CorpusReport.SUMMARY).toFile()).get("files");
        assertEquals(List.of("long.wav", "tail.flac"), List.copyOf(lsdBySource.keySet()));
        assertEquals(2, files.size(), "short.wav and broken.wav are whole clips, not long files: " + files);
        for (Map.Entry<String, List<Double>> e : lsdBySource.entrySet()) {
            JsonNode f = files.get(e.getKey());
            assertEquals(e.getValue().size(), f.get("segments").asInt());
            JsonNode vae = f.get("stages").get("vae");
            double mean = e.getValue().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertEquals(mean, vae.get("mean").get("lsd").asDouble(), 1e-12);
            double worst = e.getValue().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            assertEquals(worst, vae.get("worst_lsd").asDouble(), 0.0);
            assertEquals(10.0 * e.getValue().indexOf(worst), vae.get("worst_offset_seconds").asDouble(), 1e-9);
        }
        String html = Files.readString(out.resolve(CorpusReport.HTML));
        assertTrue(html.contains("Long files (segments of 10.0 s") && html.contains("<td class=\"name\">long.wav</td>"
                + "<td>3</td>"), "the report lists the long files");
    }

    @Test
    void badPoliciesAndOffsetsAreNamed() throws Exception {
        ObjectMapper m = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode j = spec().toJson();
        assertEquals("segments", j.get("long_clips").asText());
        assertEquals(spec(), CorpusSpec.fromJson(j));
        assertEquals(spec().settingsKey(), spec().withSegments(false).settingsKey(),
                "a file that fits one segment is the same result under both policies");
        j.put("long_clips", "all");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CorpusSpec.fromJson(j));
        assertTrue(e.getMessage().contains("\"long_clips\" must be \"first\" or \"segments\", got \"all\""),
                e.getMessage());
        j.remove("long_clips");
        assertEquals(spec().withSegments(false), CorpusSpec.fromJson(j), "specs written before the policy read as first");
        e = assertThrows(IllegalArgumentException.class, () -> new CorpusInput.Clip("a", Path.of("a.wav"), null, -1.0,
                null));
        assertTrue(e.getMessage().startsWith("offsetSeconds must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CorpusInput.Clip("a", Path.of("a.wav"), null,
                Double.NaN, null));
        assertTrue(e.getMessage().startsWith("offsetSeconds must be finite"), e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class, () -> CorpusInput.expand(null, spec()));
        assertTrue(npe.getMessage().startsWith("clips must"), npe.getMessage());
    }
}
