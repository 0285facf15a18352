package io.github.audioldm4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.bundle.BundleException;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.model.NonFiniteOutputException;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Functional and error-path tests of every pipeline on the tiny bundle (CPU). */
class AudioLdm2PipelineTest {
    static ModelRuntime runtime;
    static AudioLdm2Pipeline pipeline;
    static float[] signal;

    @BeforeAll
    static void open() {
        runtime = ModelRuntimes.createDefault();
        pipeline = AudioLdm2Pipeline.open(ModelBundle.open(TinyBundle.dir()), runtime, ModuleOptions.CPU_FP32);
        signal = new float[8000];
        for (int i = 0; i < signal.length; i++) {
            double t = i / 16000.0;
            signal[i] = (float) (0.4 * Math.sin(2 * Math.PI * 330 * t) + 0.2 * Math.sin(2 * Math.PI * 5000 * t));
        }
    }

    @AfterAll
    static void close() {
        pipeline.close();
        runtime.close();
    }

    private static GenerationRequest.Builder quick(String... prompts) {
        return GenerationRequest.builder(prompts).audioLengthS(0.32).numInferenceSteps(4);
    }

    private static AudioToAudioRequest.Builder quickA2A() {
        return AudioToAudioRequest.builder().prompt("hammer hitting wood").numInferenceSteps(8).strength(0.5);
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected \"" + p + "\" in: " + message);
        }
    }

    @Test
    void lengthArithmeticFollowsPython() {
        AudioLength a = AudioLength.of(0.29, 160, 16000, 4); // 0.29/0.01 = 28.999... -> 28
        assertEquals(28, a.melFrames());
        assertEquals(7, a.latentFrames());
        assertEquals(4640, a.waveformSamples());
        AudioLength b = AudioLength.of(10.0, 160, 16000, 4);
        assertEquals(1000, b.melFrames());
        assertEquals(250, b.latentFrames());
        AudioLength c = AudioLength.of(0.05, 160, 16000, 4); // 5 frames -> 8
        assertEquals(8, c.melFrames());
        assertEquals(1024, AudioLength.of(10.24, 160, 16000, 4).melFrames());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioLength.of(0.03, 160, 16000, 4));
        assertContains(e.getMessage(), "audioLengthS", "0.04", "got 0.03");
    }

    @Test
    void generateIsDeterministicForASeedAndSeedsDiffer() {
        GeneratedAudio a = pipeline.generate(quick("A dog barking").seed(3).build());
        GeneratedAudio b = pipeline.generate(quick("A dog barking").seed(3).build());
        GeneratedAudio c = pipeline.generate(quick("A dog barking").seed(4).build());
        assertArrayEquals(a.waveforms().get(0), b.waveforms().get(0));
        assertFalse(Arrays.equals(a.waveforms().get(0), c.waveforms().get(0)));
        assertEquals(5120, a.waveforms().get(0).length);
        assertEquals("[1, 8, 8, 16]", Arrays.toString(a.latentShape()));
        assertNull(a.clapScores());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"DDIMScheduler", "PNDMScheduler",
            "DPMSolverMultistepScheduler", "UniPCMultistepScheduler", "EulerDiscreteScheduler",
            "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler", "HeunDiscreteScheduler"})
    void everySchedulerRunsTextToAudioAndSdedit(String name) {
        SchedulerConfig cfg = SchedulerConfig.audioLdm2().with("_class_name", name);
        GeneratedAudio a = pipeline.generate(quick("A dog barking").scheduler(cfg).build());
        GeneratedAudio b = pipeline.generate(quick("A dog barking").scheduler(cfg).build());
        assertEquals(5120, a.waveforms().get(0).length);
        assertArrayEquals(a.waveforms().get(0), b.waveforms().get(0), name + " is deterministic for a seed");
        for (float v : a.waveforms().get(0)) {
            assertTrue(Float.isFinite(v));
        }
        float[] r = pipeline.refine(signal, quickA2A().scheduler(cfg).build());
        assertEquals(signal.length, r.length);
    }

    @Test
    void clapScoresFollowTheBundlesFeatureExtractorSettings(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        float base = pipeline.clapScore("a tone", signal);
        java.nio.file.Path b = TinyBundle.copyTo(tmp.resolve("b"));
        java.nio.file.Path mf = b.resolve("manifest.json");
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(mf.toFile());
        // cvssp/audioldm2's settings written out equal the default; another frequency_min changes the features
        com.fasterxml.jackson.databind.node.ObjectNode c = root.putObject("clap_features");
        c.put("sampling_rate", 48000).put("feature_size", 64).put("fft_window_size", 1024).put("hop_length", 480)
                .put("frequency_min", 50).put("frequency_max", 14000).put("nb_max_samples", 480000)
                .put("padding", "repeatpad").put("truncation", "rand_trunc").putNull("top_db");
        mapper.writeValue(mf.toFile(), root);
        try (AudioLdm2Pipeline same = AudioLdm2Pipeline.open(ModelBundle.open(b), runtime, ModuleOptions.CPU_FP32)) {
            assertEquals(base, same.clapScore("a tone", signal));
        }
        c.put("frequency_min", 0);
        mapper.writeValue(mf.toFile(), root);
        try (AudioLdm2Pipeline other = AudioLdm2Pipeline.open(ModelBundle.open(b), runtime, ModuleOptions.CPU_FP32)) {
            float s = other.clapScore("a tone", signal);
            assertTrue(s != base, "frequency_min 0 vs 50: " + s + " vs " + base);
        }
    }

    @Test
    void severalWaveformsPerPromptAreRankedWithClap() {
        GeneratedAudio out = pipeline.generate(quick("A dog barking", "music").numWaveformsPerPrompt(3).build());
        assertEquals(6, out.waveforms().size());
        assertNotNull(out.clapScores());
        for (int p = 0; p < 2; p++) {
            for (int k = 1; k < 3; k++) {
                assertTrue(out.clapScores()[p * 3 + k - 1] >= out.clapScores()[p * 3 + k], "sorted best first");
            }
        }
        GeneratedAudio unranked = pipeline.generate(quick("A dog barking", "music").numWaveformsPerPrompt(3)
                .rankWithClap(false).build());
        // ranking only permutes each prompt's own candidates
        for (int p = 0; p < 2; p++) {
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                a.add(Arrays.toString(out.waveforms().get(p * 3 + k)));
                b.add(Arrays.toString(unranked.waveforms().get(p * 3 + k)));
            }
            assertTrue(a.containsAll(b) && b.containsAll(a), "prompt " + p + " keeps its own candidates");
        }
    }

    @Test
    void progressListenerAndCancellation() {
        List<String> steps = new ArrayList<>();
        pipeline.generate(quick("A dog barking").build(), (step, total, t) -> steps.add(step + "/" + total + "@" + t),
                CancellationToken.none());
        assertEquals(List.of("1/4@751.0", "2/4@501.0", "3/4@251.0", "4/4@1.0"), steps);
        CancellationToken token = new CancellationToken();
        List<Integer> seen = new ArrayList<>();
        PipelineCancelledException e = assertThrows(PipelineCancelledException.class,
                () -> pipeline.generate(quick("A dog barking").build(), (step, total, t) -> {
                    seen.add(step);
                    if (step == 2) {
                        token.cancel();
                    }
                }, token));
        assertEquals(List.of(1, 2), seen, "no step runs after cancellation");
        assertContains(e.getMessage(), "step 3 of 4");
    }

    @Test
    void requestValidation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GenerationRequest.builder(List.of()).build());
        assertContains(e.getMessage(), "prompts must not be empty");
        e = assertThrows(IllegalArgumentException.class, () -> quick("a").audioLengthS(61).build());
        assertContains(e.getMessage(), "audioLengthS", "60.0", "61.0");
        e = assertThrows(IllegalArgumentException.class, () -> quick("a").numInferenceSteps(0).build());
        assertContains(e.getMessage(), "numInferenceSteps", "[1, 1000]", "got 0");
        e = assertThrows(IllegalArgumentException.class, () -> quick("a").guidanceScale(Double.NaN).build());
        assertContains(e.getMessage(), "guidanceScale", "NaN");
        e = assertThrows(IllegalArgumentException.class, () -> quick("a", "b").negativePrompts("x").build());
        assertContains(e.getMessage(), "negativePrompts", "(2)", "got 1");
        e = assertThrows(IllegalArgumentException.class, () -> quick("a").numWaveformsPerPrompt(0).build());
        assertContains(e.getMessage(), "numWaveformsPerPrompt", "got 0");
        e = assertThrows(IllegalArgumentException.class, () -> AudioToAudioRequest.builder().strength(1.5).build());
        assertContains(e.getMessage(), "strength", "(0.0, 1.0]", "1.5");
        e = assertThrows(IllegalArgumentException.class, () -> AudioToAudioRequest.builder().strength(0).build());
        assertContains(e.getMessage(), "strength", "got 0.0");
        e = assertThrows(IllegalArgumentException.class,
                () -> AudioToAudioRequest.builder().strength(0.001).numInferenceSteps(10).build());
        assertContains(e.getMessage(), "strength * numInferenceSteps", "0.001");
        e = assertThrows(IllegalArgumentException.class,
                () -> pipeline.generate(quick("a").initialLatents(new float[10]).build()));
        assertContains(e.getMessage(), "initialLatents", "[1, 8, 8, 16]", "got 10");
        e = assertThrows(IllegalArgumentException.class,
                () -> quick("a").initialLatents(new float[] {Float.NaN}).build());
        assertContains(e.getMessage(), "initialLatents", "finite", "NaN");
    }

    @Test
    void audioInputValidation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pipeline.vaeRoundTrip(new float[100], LatentSampling.MODE, true, 0));
        assertContains(e.getMessage(), "audio", "at least", "got 100");
        float[] nan = signal.clone();
        nan[17] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> pipeline.vaeRoundTrip(nan, LatentSampling.MODE, true, 0));
        assertContains(e.getMessage(), "audio", "finite", "index 17");
        e = assertThrows(IllegalArgumentException.class,
                () -> pipeline.vaeRoundTrip(new float[8000], LatentSampling.MODE, true, 0));
        assertContains(e.getMessage(), "constant");
        float[] loud = signal.clone();
        loud[5] = 3f;
        e = assertThrows(IllegalArgumentException.class, () -> pipeline.vaeRoundTrip(loud, LatentSampling.MODE, false, 0));
        assertContains(e.getMessage(), "[-1.0, 1.0]", "3.0");
    }

    @Test
    void vaeAndVocoderRoundTripsKeepLength() {
        float[] vae = pipeline.vaeRoundTrip(signal, LatentSampling.MODE, true, 0);
        assertEquals(signal.length, vae.length);
        assertArrayEquals(vae, pipeline.vaeRoundTrip(signal, LatentSampling.MODE, true, 0));
        float[] sampled = pipeline.vaeRoundTrip(signal, LatentSampling.SAMPLE, true, 1);
        assertFalse(Arrays.equals(vae, sampled), "sampling the posterior differs from its mode");
        float[] voc = pipeline.vocoderRoundTrip(signal, true);
        assertEquals(signal.length, voc.length);
        float[] raw = pipeline.vocoderRoundTrip(signal, false);
        assertEquals(signal.length, raw.length);
    }

    @Test
    void normalisationGainIsUndone() {
        float[] quiet = new float[signal.length];
        for (int i = 0; i < quiet.length; i++) {
            quiet[i] = signal[i] * 0.25f;
        }
        float[] loudOut = pipeline.vaeRoundTrip(signal, LatentSampling.MODE, true, 0);
        float[] quietOut = pipeline.vaeRoundTrip(quiet, LatentSampling.MODE, true, 0);
        // the model sees identical normalised input, so outputs differ exactly by the input gain
        for (int i = 0; i < loudOut.length; i += 97) {
            assertEquals(loudOut[i] * 0.25f, quietOut[i], 1e-5 + 1e-4 * Math.abs(loudOut[i]));
        }
    }

    @Test
    void sdeditStrengthControlsHowMuchChanges() {
        float[] low = pipeline.refine(signal, quickA2A().strength(0.25).build());
        float[] high = pipeline.refine(signal, quickA2A().strength(1.0).build());
        float[] vae = pipeline.vaeRoundTrip(signal, LatentSampling.MODE, true, 0);
        assertEquals(signal.length, low.length);
        assertTrue(rms(diff(low, vae)) < rms(diff(high, vae)), "lower strength stays closer to the VAE reconstruction");
        assertArrayEquals(low, pipeline.refine(signal, quickA2A().strength(0.25).build()), "deterministic");
    }

    @Test
    void guidedReconstructionKeepsMaskedCells() {
        AudioToAudioRequest r = quickA2A().strength(1.0).build();
        LatentMask keepAll = LatentMask.keepAll(125, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pipeline.guidedReconstruct(signal, r, keepAll, ProgressListener.NONE, CancellationToken.none()));
        assertContains(e.getMessage(), "mask must be 13 x 16", "got 125 x 16");
        int frames = AudioLength.of(0.5, 160, 16000, 4).latentFrames();
        float[] kept = pipeline.guidedReconstruct(signal, r, LatentMask.keepAll(frames, 16), ProgressListener.NONE,
                CancellationToken.none());
        float[] free = pipeline.refine(signal, r);
        float[] vae = pipeline.vaeRoundTrip(signal, LatentSampling.MODE, true, 0);
        assertTrue(rms(diff(kept, vae)) < rms(diff(free, vae)),
                "re-injecting the original everywhere stays closer to it than free diffusion");
        float[] inpaint = pipeline.inpaintTime(signal, r, 0.4, 0.6, ProgressListener.NONE, CancellationToken.none());
        assertEquals(signal.length, inpaint.length);
    }

    @Test
    void bandSplitAndCascade() {
        AudioToAudioRequest r = quickA2A().build();
        float[] split = pipeline.bandSplit(signal, r, 4000, 500, ProgressListener.NONE, CancellationToken.none());
        assertEquals(signal.length, split.length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pipeline.bandSplit(signal, r, 9000, 500, ProgressListener.NONE, CancellationToken.none()));
        assertContains(e.getMessage(), "cutoffHz", "9000");
        float[] cascade = pipeline.cascade(signal, quickA2A().strength(0.25).build(), ProgressListener.NONE,
                CancellationToken.none());
        assertEquals(signal.length, cascade.length);
    }

    @Test
    void nanOutputsAreReportedWithTheComponent(@TempDir Path tmp) {
        Path bad = TinyBundle.withComponent(tmp.resolve("b"), "vae_decoder", TinyBundle.fixture("nan_vae_decoder.pt"));
        try (AudioLdm2Pipeline p = AudioLdm2Pipeline.open(ModelBundle.open(bad), runtime, ModuleOptions.CPU_FP32)) {
            NonFiniteOutputException e = assertThrows(NonFiniteOutputException.class,
                    () -> p.generate(quick("a dog").build()));
            assertEquals("vae_decoder", e.component());
            assertContains(e.getMessage(), "vae_decoder output 'mel'", "non-finite", "NaN");
        }
    }

    @Test
    void missingComponentIsNamedWhenNeeded(@TempDir Path tmp) throws IOException {
        Path b = TinyBundle.copyTo(tmp.resolve("b"));
        Path mf = b.resolve("manifest.json");
        String json = Files.readString(mf);
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(json);
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("components")).remove("unet");
        m.writeValue(mf.toFile(), root);
        try (AudioLdm2Pipeline p = AudioLdm2Pipeline.open(ModelBundle.open(b), runtime, ModuleOptions.CPU_FP32)) {
            // VAE-only work does not need the UNet
            assertEquals(signal.length, p.vaeRoundTrip(signal, LatentSampling.MODE, true, 0).length);
            BundleException e = assertThrows(BundleException.class, () -> p.generate(quick("a dog").build()));
            assertContains(e.getMessage(), "unet.pt", "diffusion needs component 'unet'");
        }
    }

    static float[] diff(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    static double rms(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v * v;
        }
        return Math.sqrt(s / x.length);
    }
}
