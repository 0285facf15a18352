package io.github.audioldm4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.runtime.HostTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VerifyBundle against the committed tiny bundle, corrupted copies of it, and a bundle written by the exporter. */
class VerifyBundleTest {

    /** Exit code and captured output of one run. */
    record Result(int code, String out, String err) {
        long count(String regex) {
            Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(out);
            long n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = VerifyBundle.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path tinyBundle() {
        String p = System.getProperty("audioldm4j.tinyBundle");
        if (p != null && Files.isRegularFile(Paths.get(p, "manifest.json"))) {
            return Paths.get(p).toAbsolutePath().normalize();
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path c = d.resolve("torchscript-models").resolve("tiny-bundle");
            if (Files.isRegularFile(c.resolve("manifest.json"))) {
                return c;
            }
        }
        throw new IllegalStateException("torchscript-models/tiny-bundle not found");
    }

    static Path copyTiny(Path target) {
        Path src = tinyBundle();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path s : (Iterable<Path>) files::iterator) {
                Path t = target.resolve(src.relativize(s).toString());
                if (Files.isDirectory(s)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(s, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    // ------------------------------------------------------------------------------------------
    // arguments
    // ------------------------------------------------------------------------------------------

    @Test
    void helpPrintsUsageAndExitsZero() {
        Result r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Usage: audioldm4j verify-bundle "), r.out());
        assertTrue(r.out().contains("--runtime=NAME") && r.out().contains("--tolerance=T"), r.out());
        assertEquals(0, run("-h").code());
    }

    @Test
    void badArgumentsExitTwoWithAClearMessage() {
        String dir = tinyBundle().toString();
        assertUsageError(run(), "Missing required parameter: 'BUNDLE_DIR'");
        assertUsageError(run("/no/such/bundle"), "BUNDLE_DIR must be an existing directory, got \"/no/such/bundle\" (not found)");
        assertUsageError(run(dir + "/manifest.json"), "(a file)");
        assertUsageError(run(dir, dir), "Unmatched argument at index 2");
        assertUsageError(run(dir, "--frobnicate"), "Unknown option: '--frobnicate'");
        assertUsageError(run(dir, "--tolerance"), "Missing required parameter for option '--tolerance' (T)");
        assertUsageError(run(dir, "--tolerance", "abc"), "Invalid value for option '--tolerance': 'abc' is not a double");
        assertUsageError(run(dir, "--tolerance", "-1"), "option --tolerance must be a finite number > 0, got -1.0");
        assertUsageError(run(dir, "--pipeline-tolerance", "0"), "option --pipeline-tolerance must be a finite number > 0, got 0.0");
        assertUsageError(run(dir, "--dtype", "fp8"), "option --dtype: precision must be one of fp32, fp16, bf16, got \"fp8\"");
        assertUsageError(run(dir, "--device", "tpu"), "option --device: device must be \"cpu\", \"cuda\" or \"cuda:N\", got \"tpu\"");
        assertUsageError(run(dir, "--runtime", "onnx"), "option --runtime must be presets or shim, got \"onnx\"");
        assertUsageError(run(dir, "--dtype", "fp16"), "component clap_text (float32) cannot run on cpu");
    }

    private static void assertUsageError(Result r, String message) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(message), "expected \"" + message + "\" in: " + r.err());
        assertTrue(r.err().contains("Usage: audioldm4j verify-bundle") || r.err().contains("cannot run"), r.err());
    }

    // ------------------------------------------------------------------------------------------
    // component I/O on the committed tiny bundle
    // ------------------------------------------------------------------------------------------

    @Test
    void tinyBundlePasses() {
        Result r = run(tinyBundle().toString(), "--runtime", "presets", "--device", "cpu");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("manifest valid: format 1"), r.out());
        for (String c : List.of("clap_text", "clap_audio", "t5_encoder", "projection", "gpt2", "unet", "vae_encoder",
                "vae_decoder", "vocoder")) {
            assertTrue(r.count("^  " + c + " .* PASS$") >= 1, c + " in:\n" + r.out());
        }
        // 9 components, the projection has two outputs (hidden_states float, attention_mask exact)
        assertEquals(10, r.count(" PASS$"), r.out());
        assertEquals(1, r.count("^  projection +out1 attention_mask +\\[2, 12\\] +equal +exact +PASS$"), r.out());
        assertTrue(r.out().contains("no reference/pipeline.json: pipeline not checked"), r.out());
        assertTrue(r.out().trim().endsWith("PASS: 10 passed, 0 failed"), r.out());
    }

    @Test
    void perturbedReferenceOutputFails(@TempDir Path tmp) {
        Path b = copyTiny(tmp);
        Path file = b.resolve("reference/unet.out0.npy");
        HostTensor t = Npy.read(file);
        float[] v = t.floats().clone();
        v[17] += 0.01f;
        Npy.write(file, HostTensor.ofFloats(v, t.shape()));
        Result r = run(b.toString());
        assertEquals(1, r.code(), r.out());
        assertEquals(1, r.count("^  unet .*out0 noise_pred .* FAIL$"), r.out());
        assertTrue(r.out().trim().endsWith("FAIL: 9 passed, 1 failed"), r.out());
        // the same error passes under a looser tolerance: 0.01 <= 0.01 * max(1, peak)
        assertEquals(0, run(b.toString(), "--tolerance", "1e-2").code());
    }

    @Test
    void invalidBundleIsReportedWithFileAndExitsOne(@TempDir Path tmp) throws IOException {
        Path b = copyTiny(tmp);
        Files.write(b.resolve("vocoder.pt"), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        Result r = run(b.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("INVALID BUNDLE: ") && r.err().contains("vocoder.pt")
                && r.err().contains("checksum mismatch"), r.err());
    }

    @Test
    void referenceForAMissingComponentFails(@TempDir Path tmp) throws IOException {
        Path b = copyTiny(tmp);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(b.resolve("manifest.json").toFile());
        ((ObjectNode) root.get("components")).remove("clap_audio");
        mapper.writeValue(b.resolve("manifest.json").toFile(), root);
        Result r = run(b.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("the reference lists component clap_audio, which the manifest does not"), r.out());
    }

    // ------------------------------------------------------------------------------------------
    // pipeline reference
    // ------------------------------------------------------------------------------------------

    /** A pipeline.json for the tiny bundle from make_pipeline_reference.py's t2a_single case. */
    private static Path withParityPipeline(Path tmp, float waveformOffset) throws IOException {
        Path b = copyTiny(tmp);
        Path parity = tinyBundle().getParent().resolve("parity");
        Files.copy(parity.resolve("t2a_single.init.npy"), b.resolve("reference/p.init.npy"));
        Files.copy(parity.resolve("t2a_single.latents.npy"), b.resolve("reference/p.latents.npy"));
        HostTensor audio = Npy.read(parity.resolve("t2a_single.audio.npy"));
        float[] a = audio.floats().clone();
        a[100] += waveformOffset;
        Npy.write(b.resolve("reference/p.audio.npy"), HostTensor.ofFloats(a, audio.shape()));
        String json = "{\"kind\": \"pipeline\", \"prompts\": [\"A dog barking\"], \"negative_prompts\": null,"
                + " \"audio_length_s\": 0.64, \"num_inference_steps\": 10, \"guidance_scale\": 3.5, \"eta\": 0.0,"
                + " \"seed\": 42, \"num_waveforms_per_prompt\": 1, \"max_new_tokens\": 8,"
                + " \"tolerances\": {\"embeddings\": 1e-4, \"latents\": 1e-4, \"waveform\": 1e-4},"
                + " \"tensors\": {\"initial_latents\": \"reference/p.init.npy\","
                + " \"final_latents\": \"reference/p.latents.npy\", \"waveform\": \"reference/p.audio.npy\"}}";
        Files.writeString(b.resolve("reference/pipeline.json"), json);
        return b;
    }

    @Test
    void pipelineReferenceOfTheParityFixturesPasses(@TempDir Path tmp) throws IOException {
        Path b = withParityPipeline(tmp, 0f);
        Result r = run(b.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(1, r.count("^  generate +final_latents .* PASS$"), r.out());
        assertEquals(1, r.count("^  generate +waveform +\\[1, 10240\\] .* PASS$"), r.out());
        assertTrue(r.out().contains("reproduced by TorchGenerator(seed)"), r.out());
        Result skipped = run(b.toString(), "--skip-pipeline");
        assertEquals(0, skipped.code());
        assertTrue(skipped.out().contains("pipeline reference skipped (--skip-pipeline)"), skipped.out());
        assertEquals(0, skipped.count("^  generate"), skipped.out());
    }

    @Test
    void pipelineWaveformMismatchFails(@TempDir Path tmp) throws IOException {
        Path b = withParityPipeline(tmp, 0.05f);
        Result r = run(b.toString());
        assertEquals(1, r.code(), r.out());
        assertEquals(1, r.count("^  generate +waveform .* FAIL$"), r.out());
        assertEquals(1, r.count("^  generate +final_latents .* PASS$"), r.out());
        assertEquals(0, run(b.toString(), "--pipeline-tolerance", "0.1").code());
    }

    // ------------------------------------------------------------------------------------------
    // a bundle written by export_audioldm2.py (stand-in models), when Python with torch is here
    // ------------------------------------------------------------------------------------------

    static boolean pythonWithTorch() {
        if (!Files.isExecutable(Paths.get("/usr/bin/python3"))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch, numpy").redirectErrorStream(true)
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

    static Path exportStandIn(Path out) throws IOException, InterruptedException {
        Path script = tinyBundle().getParent().resolve("tests").resolve("export_standin_bundle.py");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "export timed out");
        assertEquals(0, p.exitValue(), "export_standin_bundle.py failed:\n" + log);
        return out;
    }

    @Test
    void exportedBundleWithPipelineReferencePasses(@TempDir Path tmp) throws Exception {
        assumeTrue(pythonWithTorch(), "needs /usr/bin/python3 with torch and numpy");
        Path b = exportStandIn(tmp.resolve("bundle"));
        Result r = run(b.toString(), "--runtime", "presets");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("export   tool export_audioldm2 1, source audioldm4j/standin-export-test"), r.out());
        for (String scope : List.of("tokens", "condition", "steps", "decode", "generate")) {
            assertTrue(r.count("^  " + scope + " .* PASS$") >= 1, scope + " in:\n" + r.out());
        }
        assertEquals(8, r.count("^  tokens .* PASS$"), r.out());          // positive + negative, clap + t5, ids + mask
        assertEquals(4, r.count("^  steps .* PASS$"), r.out());           // timesteps + 3 steps
        assertEquals(0, r.count("FAIL"), r.out());
    }
}
