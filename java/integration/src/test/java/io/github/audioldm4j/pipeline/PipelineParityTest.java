package io.github.audioldm4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.random.TorchGenerator;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.Parity;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java pipelines equal an independent Python run of the same tiny TorchScript modules with
 * diffusers' DDIM math (torchscript-models/make_pipeline_reference.py) to 1e-4.
 */
class PipelineParityTest {
    static final double TOL = 1e-4;
    static ModelRuntime runtime;
    static AudioLdm2Pipeline pipeline;
    static JsonNode cases;

    @BeforeAll
    static void open() throws IOException {
        runtime = ModelRuntimes.createDefault();
        pipeline = AudioLdm2Pipeline.open(ModelBundle.open(TinyBundle.dir()), runtime, ModuleOptions.CPU_FP32);
        cases = new ObjectMapper().readTree(Parity.file("cases.json").toFile()).get("cases");
    }

    @AfterAll
    static void close() {
        pipeline.close();
        runtime.close();
    }

    private static JsonNode caseNamed(String name) {
        for (JsonNode c : cases) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalStateException("no parity case " + name);
    }

    private static float[] npy(JsonNode c, String field) {
        return Npy.read(Parity.file(c.get(field).asText())).floats();
    }

    private static List<String> strings(JsonNode arr) {
        if (arr == null || arr.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "length");
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** max |a-b| / max(1, |a|): the tiny UNet is no real denoiser, its latents grow to ~150. */
    static double maxRelDiff(float[] ref, float[] b) {
        assertEquals(ref.length, b.length, "length");
        double m = 0;
        for (int i = 0; i < ref.length; i++) {
            m = Math.max(m, Math.abs(ref[i] - b[i]) / Math.max(1.0, Math.abs(ref[i])));
        }
        return m;
    }

    private void checkTextToAudio(String name) {
        JsonNode c = caseNamed(name);
        GenerationRequest.Builder b = GenerationRequest.builder(strings(c.get("prompts")))
                .audioLengthS(c.get("audio_length_s").asDouble())
                .numInferenceSteps(c.get("steps").asInt())
                .guidanceScale(c.get("guidance").asDouble())
                .eta(c.get("eta").asDouble())
                .seed(c.get("seed").asLong())
                .numWaveformsPerPrompt(c.get("waveforms_per_prompt").asInt())
                .rankWithClap(false);
        List<String> negs = strings(c.get("negative_prompts"));
        if (negs != null) {
            b.negativePrompts(negs);
        }
        GeneratedAudio out = pipeline.generate(b.build());
        // the seed reproduces torch.randn(shape, generator=manual_seed(seed)) bit-exactly
        float[] init = new TorchGenerator(c.get("seed").asLong()).randn(out.latentShape());
        assertArrayEquals(npy(c, "initial_latents"), init, name + ": initial latents");
        double latErr = maxRelDiff(npy(c, "latents"), out.latents());
        float[] expected = npy(c, "audio");
        float[] actual = new float[expected.length];
        int per = expected.length / out.waveforms().size();
        for (int i = 0; i < out.waveforms().size(); i++) {
            assertEquals(per, out.waveforms().get(i).length, "waveform length");
            System.arraycopy(out.waveforms().get(i), 0, actual, i * per, per);
        }
        double audioErr = maxAbsDiff(expected, actual);
        System.out.printf("[parity] %s: latents max|diff|/max(1,|ref|) %.2e, audio max|diff| %.2e%n", name, latErr, audioErr);
        assertTrue(latErr <= TOL, name + " latents max error relative to max(1,|ref|) " + latErr);
        assertTrue(audioErr <= TOL, name + " audio max abs error " + audioErr);
    }

    @Test
    void singlePromptWithGuidance() {
        checkTextToAudio("t2a_single");
    }

    @Test
    void batchWithNegativesEtaAndRepeats() {
        checkTextToAudio("t2a_batch_eta");
    }

    @Test
    void sdeditMatchesPython() {
        JsonNode c = caseNamed("sdedit");
        float[] input = npy(c, "input");
        AudioToAudioRequest r = AudioToAudioRequest.builder().prompt(c.get("prompt").asText())
                .strength(c.get("strength").asDouble()).numInferenceSteps(c.get("steps").asInt())
                .guidanceScale(c.get("guidance").asDouble()).seed(c.get("seed").asLong()).build();
        AudioLdm2Pipeline.EncodedAudio enc = pipeline.encode(input, true);
        double melErr = maxAbsDiff(npy(c, "fbank"), enc.mel().toArray());
        float[] out = pipeline.refine(input, r);
        double err = maxAbsDiff(npy(c, "audio"), out);
        System.out.printf("[parity] sdedit: fbank max|diff| %.2e, audio max|diff| %.2e%n", melErr, err);
        assertTrue(melErr <= TOL, "fbank max abs error " + melErr);
        assertTrue(err <= TOL, "sdedit audio max abs error " + err);
    }

    @Test
    void initialLatentsOverrideTheSeed() {
        JsonNode c = caseNamed("t2a_single");
        float[] init = npy(c, "initial_latents");
        GeneratedAudio out = pipeline.generate(GenerationRequest.builder("A dog barking").audioLengthS(0.64)
                .numInferenceSteps(10).seed(999).initialLatents(init).build());
        assertTrue(maxRelDiff(npy(c, "latents"), out.latents()) <= TOL);
    }
}
