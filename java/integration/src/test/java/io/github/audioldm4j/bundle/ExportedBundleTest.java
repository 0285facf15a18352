package io.github.audioldm4j.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.model.AudioLdm2Models;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.GeneratedAudio;
import io.github.audioldm4j.pipeline.GenerationRequest;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle written by {@code torchscript-models/export_audioldm2.py} (through
 * {@code tests/export_standin_bundle.py}: the real export code path with stand-in models) is accepted
 * by {@link ModelBundle#open}, every component reproduces the exporter's reference outputs through
 * the runtime, and the Java pipeline reproduces the exporter's pipeline reference. Skipped (JUnit
 * assumption) where {@code /usr/bin/python3} with torch is not installed.
 */
class ExportedBundleTest {
    private static final Path PYTHON = Paths.get("/usr/bin/python3");

    @TempDir
    static Path tmp;
    static Path bundleDir;
    static ModelRuntime runtime;

    @BeforeAll
    static void export() throws IOException, InterruptedException {
        assumeTrue(pythonWithTorch(), "needs /usr/bin/python3 with torch and numpy");
        Path script = TinyBundle.dir().getParent().resolve("tests").resolve("export_standin_bundle.py");
        bundleDir = tmp.resolve("exported");
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), bundleDir.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "export timed out");
        assertEquals(0, p.exitValue(), "export_standin_bundle.py failed:\n" + log);
        runtime = ModelRuntimes.createDefault();
    }

    @AfterAll
    static void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    static boolean pythonWithTorch() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, numpy").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void manifestIsAcceptedWithAllComponentsAndProvenance() throws IOException {
        ModelBundle b = ModelBundle.open(bundleDir);
        Manifest m = b.manifest();
        assertEquals(ModelBundle.COMPONENTS, new ArrayList<>(m.components().keySet()));
        assertEquals("audioldm4j/standin-export-test", m.modelId());
        assertEquals(16000, m.sampleRate());
        assertEquals(0.4110932946205139, m.vae().scalingFactor());
        assertEquals(1, m.tokenizers().clap().padId());
        assertEquals(0, m.tokenizers().t5().padId());
        assertEquals("DDIMScheduler", m.scheduler().className());
        assertTrue(m.components().get("clap_audio").optional());
        JsonNode export = m.export();
        assertEquals("export_audioldm2 1", export.get("tool").asText());
        for (String k : List.of("diffusers", "transformers", "torch", "date")) {
            assertTrue(export.has(k), "export." + k);
        }
        // the UNet trace was checked at a latent height that is not a multiple of 8 (forwarded upsample size)
        JsonNode unet = new ObjectMapper().readTree(bundleDir.resolve("manifest.json").toFile())
                .path("components").path("unet");
        assertEquals("forwarded", unet.path("upsample_size").asText());
        assertEquals("[10,16]", unet.path("latent_heights_checked").toString());
    }

    @Test
    void everyComponentReproducesTheExportReference() throws IOException {
        ModelBundle b = ModelBundle.open(bundleDir);
        JsonNode index = new ObjectMapper().readTree(b.referenceDir().resolve("index.json").toFile());
        assertEquals("component_io", index.get("kind").asText());
        for (String name : ModelBundle.COMPONENTS) {
            JsonNode ref = index.get("components").get(name);
            List<HostTensor> inputs = new ArrayList<>();
            for (JsonNode p : ref.get("inputs")) {
                inputs.add(Npy.read(bundleDir.resolve(p.asText())));
            }
            try (LoadedModule m = runtime.load(b.componentFile(name, "test"), ModuleOptions.CPU_FP32)) {
                List<HostTensor> outputs = m.forward(inputs);
                assertEquals(ref.get("outputs").size(), outputs.size(), name);
                for (int i = 0; i < outputs.size(); i++) {
                    HostTensor want = Npy.read(bundleDir.resolve(ref.get("outputs").get(i).asText()));
                    HostTensor got = outputs.get(i);
                    assertArrayEquals(want.shape(), got.shape(), name + " output " + i);
                    // the outputs honour the manifest contract
                    b.manifest().components().get(name).outputs().get(i).check(name, got, new java.util.HashMap<>());
                    if (want.dtype() == HostTensor.DType.FLOAT32) {
                        double err = 0;
                        for (int j = 0; j < want.floats().length; j++) {
                            err = Math.max(err, Math.abs(want.floats()[j] - got.floats()[j]));
                        }
                        assertTrue(err <= 1e-5, name + " output " + i + " max abs error " + err);
                    } else {
                        assertArrayEquals(want.longs(), got.longs(), name + " output " + i);
                    }
                }
            }
        }
    }

    @Test
    void javaPipelineReproducesTheExportPipelineReference() throws IOException {
        ModelBundle b = ModelBundle.open(bundleDir);
        JsonNode p = new ObjectMapper().readTree(b.referenceDir().resolve("pipeline.json").toFile());
        JsonNode t = p.get("tensors");
        HostTensor init = Npy.read(bundleDir.resolve(t.get("initial_latents").asText()));
        HostTensor finalLatents = Npy.read(bundleDir.resolve(t.get("final_latents").asText()));
        HostTensor wave = Npy.read(bundleDir.resolve(t.get("waveform").asText()));
        List<String> prompts = new ArrayList<>();
        p.get("prompts").forEach(x -> prompts.add(x.asText()));
        GenerationRequest req = GenerationRequest.builder(prompts).audioLengthS(p.get("audio_length_s").asDouble())
                .numInferenceSteps(p.get("num_inference_steps").asInt()).guidanceScale(p.get("guidance_scale").asDouble())
                .eta(p.get("eta").asDouble()).seed(p.get("seed").asLong()).initialLatents(init.floats()).build();
        try (AudioLdm2Models models = AudioLdm2Models.open(b, runtime, ModuleOptions.CPU_FP32)) {
            GeneratedAudio out = new AudioLdm2Pipeline(models).generate(req);
            assertArrayEquals(finalLatents.shape(), out.latentShape());
            assertTrue(maxRel(out.latents(), finalLatents.floats()) < 1e-5,
                    "final latents rel error " + maxRel(out.latents(), finalLatents.floats()));
            float[] w = out.waveforms().get(0);
            assertEquals(wave.dim(1), w.length);
            assertTrue(maxRel(w, wave.floats()) < 1e-5, "waveform rel error " + maxRel(w, wave.floats()));
        }
    }

    private static double maxRel(float[] a, float[] e) {
        double err = 0;
        double peak = 0;
        for (int i = 0; i < e.length; i++) {
            err = Math.max(err, Math.abs((double) a[i] - e[i]));
            peak = Math.max(peak, Math.abs((double) e[i]));
        }
        return err / Math.max(peak, 1e-30);
    }
}
