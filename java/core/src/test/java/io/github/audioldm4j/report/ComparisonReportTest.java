package io.github.audioldm4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.testing.TestOutput;
import io.github.audioldm4j.testing.TestSignals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

class ComparisonReportTest {
    static final int SR = 16000;

    /** A 2 s test input: a chirp with a steady tone plus a little broadband noise. */
    static float[] reference() {
        float[] chirp = SpectrogramImageTest.chirp();
        return TestSignals.add(chirp, TestSignals.whiteNoise(chirp.length, 0.02, 5));
    }

    /** A report with five stages: identity, gain, low-pass, added noise, one skipped. */
    static ComparisonReport sampleReport() {
        float[] ref = reference();
        float[] noisy = TestSignals.add(ref, TestSignals.whiteNoise(ref.length, 0.05, 6));
        return ComparisonReport.builder(ref, SR)
                .title("Test comparison <synthetic>")
                .inputDescription("chirp 200 Hz - 6 kHz + 1 kHz tone + noise, 2 s")
                .addStage("identity", "output = input", ref.clone(), 0.01)
                .addStage("gain 0.5", "output = input / 2", TestSignals.scale(ref, 0.5f), 0.02)
                .addStage("low-pass 3.9 kHz", "brick-wall low-pass", TestSignals.lowPass(ref, SR, 3900), 0.5)
                .addStage("noisy", "input + noise (sigma 0.05)", noisy, 1.25)
                .skipStage("vocoder", "HiFi-GAN vocoder", "no vocoder in this bundle")
                .build();
    }

    private static List<String> keys(JsonNode node) {
        List<String> out = new ArrayList<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void jsonSchemaKeysAreStable() throws IOException {
        JsonNode root = new ObjectMapper().readTree(ReportJson.toJson(sampleReport()));
        assertEquals(List.of("schema_version", "generator", "title", "input", "metric_info", "bands", "reference",
                "stages"), keys(root));
        assertEquals(1, root.get("schema_version").asInt());
        assertEquals(List.of("description", "sample_rate", "num_samples", "duration_seconds", "audio_file"),
                keys(root.get("input")));
        List<String> metricKeys = List.of("lsd", "multi_resolution_stft", "log_mel_l1", "si_sdr_db",
                "spectral_convergence", "mcd_db", "high_frequency_loss_above_4k_db", "high_frequency_loss_above_8k_db",
                "spectral_centroid_hz", "spectral_rolloff_hz");
        assertEquals(metricKeys, keys(root.get("metric_info")));
        for (String k : metricKeys) {
            assertEquals(List.of("label", "unit", "better"), keys(root.get("metric_info").get(k)));
        }
        assertEquals(List.of("label", "low_hz", "high_hz"), keys(root.get("bands").get(0)));
        assertEquals(List.of("band_levels_db", "spectral_centroid_hz", "spectral_rolloff_hz"),
                keys(root.get("reference")));
        List<String> stageKeys = List.of("index", "name", "description", "status", "skip_reason", "elapsed_seconds",
                "num_samples", "compared_samples", "audio_file", "metrics");
        List<String> allMetricKeys = new ArrayList<>(metricKeys);
        allMetricKeys.add("band_levels_db");
        allMetricKeys.add("band_difference_db");
        for (JsonNode s : root.get("stages")) {
            assertEquals(stageKeys, keys(s));
            if (s.get("status").asText().equals("ran")) {
                assertEquals(allMetricKeys, keys(s.get("metrics")));
            } else {
                assertTrue(s.get("metrics").isNull());
            }
        }
    }

    @Test
    void jsonValuesMatchTheModel() throws IOException {
        ComparisonReport report = sampleReport();
        JsonNode root = new ObjectMapper().readTree(ReportJson.toJson(report));
        assertEquals("audioldm4j", root.get("generator").asText());
        assertEquals("Test comparison <synthetic>", root.get("title").asText());
        assertEquals(SR, root.get("input").get("sample_rate").asInt());
        assertEquals(32000, root.get("input").get("num_samples").asInt());
        assertEquals(2.0, root.get("input").get("duration_seconds").asDouble());
        assertEquals("audio/00_reference.wav", root.get("input").get("audio_file").asText());
        assertEquals(4, root.get("bands").size());
        assertEquals("4-8 kHz", root.get("bands").get(3).get("label").asText());
        assertEquals("lower", root.get("metric_info").get("lsd").get("better").asText());
        assertEquals("higher", root.get("metric_info").get("si_sdr_db").get("better").asText());
        JsonNode stages = root.get("stages");
        assertEquals(5, stages.size());
        JsonNode identity = stages.get(0);
        assertEquals(1, identity.get("index").asInt());
        assertEquals("ran", identity.get("status").asText());
        assertTrue(identity.get("skip_reason").isNull());
        assertEquals("audio/01_identity.wav", identity.get("audio_file").asText());
        assertEquals("Infinity", identity.get("metrics").get("si_sdr_db").asText(), "non-finite as a string");
        assertEquals(0.0, identity.get("metrics").get("log_mel_l1").asDouble());
        assertTrue(identity.get("metrics").get("high_frequency_loss_above_8k_db").isNull(), "no 8 kHz band at 16 kHz");
        JsonNode gain = stages.get(1);
        assertEquals("audio/02_gain-0-5.wav", gain.get("audio_file").asText());
        assertEquals(Math.log(2), gain.get("metrics").get("log_mel_l1").asDouble(), 1e-5);
        for (JsonNode d : gain.get("metrics").get("band_difference_db")) {
            assertEquals(-6.0206, d.asDouble(), 1e-3);
        }
        JsonNode lowPass = stages.get(2);
        assertTrue(lowPass.get("metrics").get("high_frequency_loss_above_4k_db").asDouble() < -20);
        assertEquals(0.5, lowPass.get("elapsed_seconds").asDouble());
        JsonNode skipped = stages.get(4);
        assertEquals("skipped", skipped.get("status").asText());
        assertEquals("no vocoder in this bundle", skipped.get("skip_reason").asText());
        assertEquals("HiFi-GAN vocoder", skipped.get("description").asText());
        assertTrue(skipped.get("elapsed_seconds").isNull());
        assertTrue(skipped.get("audio_file").isNull());
        // the JSON numbers are the model's numbers
        ComparisonReport.Stage noisy = report.stages().get(3);
        assertEquals(noisy.metrics().logSpectralDistance(),
                stages.get(3).get("metrics").get("lsd").asDouble());
        assertEquals(report.referenceShape().centroidHz(),
                root.get("reference").get("spectral_centroid_hz").asDouble());
        // deterministic
        assertEquals(ReportJson.toJson(report), ReportJson.toJson(sampleReport()));
    }

    @Test
    void htmlHasTheTableBestValuesImagesAudioAndSkippedReason() {
        ComparisonReport report = sampleReport();
        String html = ReportHtml.toHtml(report);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<title>Test comparison &lt;synthetic&gt;</title>"), "title escaped");
        assertFalse(html.contains("<synthetic>"), "no raw user text");
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("<link"), "no external resources");
        // 1 band chart + 1 reference + 4 stage spectrograms, all embedded
        assertEquals(6, count(html, "src=\"data:image/png;base64,"));
        assertEquals(5, count(html, "<audio controls"));
        assertTrue(html.contains("src=\"audio/00_reference.wav\""));
        assertTrue(html.contains("src=\"audio/03_low-pass-3-9-khz.wav\""));
        assertTrue(html.contains("skipped: no vocoder in this bundle"));
        assertFalse(html.contains("HF loss &gt;8 kHz"), "no 8 kHz column at 16 kHz");
        // the identity stage is best in every distance column; its SI-SDR is +inf
        String identityRow = row(html, "identity");
        assertTrue(identityRow.contains("<td class=\"best\">+&infin;</td>"), identityRow);
        assertTrue(count(identityRow, "class=\"best\"") >= 8, identityRow);
        // the gain stage keeps SI-SDR at +inf too: both are highlighted (a tie)
        assertTrue(row(html, "gain 0.5").contains("<td class=\"best\">+&infin;</td>"));
        assertEquals(ReportHtml.toHtml(report), html, "deterministic");
    }

    /** The metrics-table row of a stage. */
    private static String row(String html, String name) {
        Matcher m = Pattern.compile("<tr><td class=\"name\">" + Pattern.quote(name) + "</td>.*?</tr>").matcher(html);
        assertTrue(m.find(), "row " + name);
        return m.group();
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void writesJsonHtmlAndPlayableWavs() throws Exception {
        Path dir = TestOutput.dir("report");
        ComparisonReport report = sampleReport();
        Path html = ReportWriter.write(report, dir);
        assertEquals(dir.resolve("report.html"), html);
        assertEquals(ReportJson.toJson(report), Files.readString(dir.resolve("report.json")));
        assertTrue(Files.size(html) > 50_000, "embedded images make the page large: " + Files.size(html));
        for (String f : List.of("00_reference.wav", "01_identity.wav", "02_gain-0-5.wav", "03_low-pass-3-9-khz.wav",
                "04_noisy.wav")) {
            Path wav = dir.resolve("audio").resolve(f);
            try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
                assertEquals(SR, (int) in.getFormat().getSampleRate(), f);
                assertEquals(16, in.getFormat().getSampleSizeInBits(), f);
                assertEquals(32000, in.getFrameLength(), f);
            }
        }
        assertFalse(Files.exists(dir.resolve("audio").resolve("05_vocoder.wav")), "skipped stages have no audio");
    }

    @Test
    void stagesOfOtherLengthsAreRejectedOrCropped() {
        float[] ref = reference();
        float[] longer = java.util.Arrays.copyOf(ref, ref.length + 160);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ComparisonReport.builder(ref, SR).addStage("vae", "", longer, 1));
        assertEquals("stage \"vae\" waveform.length must equal reference.length 32000 (or enable "
                + "cropToCommonLength), got 32160", e.getMessage());
        ComparisonReport r = ComparisonReport.builder(ref, SR).cropToCommonLength(true)
                .addStage("vae", "", longer, 1)
                .addStage("short", "", java.util.Arrays.copyOf(ref, 20000), 1).build();
        ComparisonReport.Stage vae = r.stages().get(0);
        assertEquals(32160, vae.numSamples());
        assertEquals(32000, vae.comparedSamples());
        assertEquals(0.0, vae.metrics().logMelL1(), "the first 32000 samples are identical");
        ComparisonReport.Stage shorter = r.stages().get(1);
        assertEquals(20000, shorter.comparedSamples());
        assertEquals(Double.POSITIVE_INFINITY, shorter.metrics().siSdrDb());
        assertEquals(32000, r.referenceLength(), "the reference is kept whole");
        assertTrue(ReportHtml.toHtml(r).contains("compared over the first 20000 samples"));
        assertEquals("stage \"tiny\" common length must be >= 1025 samples, got 1000", assertThrows(
                IllegalArgumentException.class, () -> ComparisonReport.builder(ref, SR).cropToCommonLength(true)
                        .addStage("tiny", "", new float[1000], 0)).getMessage());
    }

    @Test
    void invalidInputsAreRejected() {
        float[] ref = reference();
        ComparisonReport.Builder b = ComparisonReport.builder(ref, SR).addStage("a", "", ref, 0);
        assertEquals("name must be unique among stages, got duplicate \"a\"",
                assertThrows(IllegalArgumentException.class, () -> b.skipStage("a", "x")).getMessage());
        assertEquals("name must not be blank, got \" \"",
                assertThrows(IllegalArgumentException.class, () -> b.addStage(" ", "", ref, 0)).getMessage());
        assertEquals("reason must not be blank, got \"\"",
                assertThrows(IllegalArgumentException.class, () -> b.skipStage("s", "")).getMessage());
        assertEquals("elapsedSeconds must be finite and >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> b.addStage("n", "", ref, -1)).getMessage());
        assertEquals("elapsedSeconds must be finite and >= 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> b.addStage("n", "", ref, Double.NaN))
                        .getMessage());
        float[] nan = ref.clone();
        nan[5] = Float.NaN;
        assertEquals("waveform must contain only finite values, got NaN at index 5",
                assertThrows(IllegalArgumentException.class, () -> b.addStage("n", "", nan, 0)).getMessage());
        assertEquals("waveform must not be null",
                assertThrows(NullPointerException.class, () -> b.addStage("n", "", null, 0)).getMessage());
        assertEquals("description must not be null",
                assertThrows(NullPointerException.class, () -> b.addStage("n", null, ref, 0)).getMessage());
        assertEquals("title must not be blank, got \"\"",
                assertThrows(IllegalArgumentException.class, () -> b.title("")).getMessage());
        assertEquals("sampleRate must be > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> ComparisonReport.builder(ref, 0)).getMessage());
        assertEquals("reference.length must be >= 1025 samples, got 100", assertThrows(
                IllegalArgumentException.class, () -> ComparisonReport.builder(new float[100], SR)).getMessage());
        assertEquals("reference must not be null",
                assertThrows(NullPointerException.class, () -> ComparisonReport.builder(null, SR)).getMessage());
        assertEquals("directory must not be null",
                assertThrows(NullPointerException.class, () -> ReportWriter.write(b.build(), null)).getMessage());
        assertEquals("report must not be null",
                assertThrows(NullPointerException.class, () -> ReportWriter.write(null, Path.of("x"))).getMessage());
        // the builder keeps its own copy of the inputs
        float[] mutable = ref.clone();
        ComparisonReport r = ComparisonReport.builder(mutable, SR).addStage("copy", "", mutable, 0).build();
        mutable[0] = 0.9f;
        assertEquals(ref[0], r.reference()[0]);
        assertEquals(ref[0], r.stages().get(0).waveform()[0]);
        assertNull(ComparisonReport.builder(ref, SR).skipStage("s", "r").build().stages().get(0).waveform());
        assertArrayEquals(ref, r.reference());
    }

    @Test
    void slugsAreSafeFileNames() {
        assertEquals("gain-0-5", ComparisonReport.slug("Gain 0.5"));
        assertEquals("stage", ComparisonReport.slug("***"));
        assertEquals("vae-decode", ComparisonReport.slug("  VAE / decode! "));
        assertEquals(40, ComparisonReport.slug("x".repeat(100)).length());
    }
}
