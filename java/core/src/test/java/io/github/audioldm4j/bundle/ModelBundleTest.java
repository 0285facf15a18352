package io.github.audioldm4j.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path copy() {
        return TinyBundle.copyTo(tmp.resolve("bundle"));
    }

    /** Copies the tiny bundle, edits its manifest, and returns the open() failure message. */
    private String failureAfter(Consumer<ObjectNode> edit) throws IOException {
        Path b = copy();
        Path mf = b.resolve("manifest.json");
        ObjectNode root = (ObjectNode) MAPPER.readTree(mf.toFile());
        edit.accept(root);
        MAPPER.writeValue(mf.toFile(), root);
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertTrue(e.getMessage().contains("manifest.json") || e.file() != null, e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected \"" + p + "\" in: " + message);
        }
    }

    @Test
    void opensTheTinyBundle() {
        ModelBundle b = ModelBundle.open(TinyBundle.dir());
        Manifest m = b.manifest();
        assertEquals("audioldm4j/tiny-random", m.modelId());
        assertEquals(16000, m.sampleRate());
        assertEquals(1024, m.mel().nFft());
        assertEquals(160, m.mel().hop());
        assertEquals(64, m.mel().nMels());
        assertEquals(0.4110932946205139, m.vae().scalingFactor());
        assertEquals(4, m.vae().downsample());
        assertEquals(8, m.vae().latentChannels());
        assertEquals("DDIMScheduler", m.scheduler().className());
        assertEquals(0.0015, m.scheduler().getDouble("beta_start", -1));
        assertEquals(200, m.defaults().numInferenceSteps());
        assertEquals(3.5, m.defaults().guidanceScale());
        assertEquals(10.24, m.defaults().audioLengthS());
        assertEquals(8, m.defaults().maxNewTokens());
        assertEquals(512, m.tokenizers().clapMaxLength());
        assertEquals(128, m.tokenizers().t5MaxLength());
        assertEquals(1, m.tokenizers().clap().padId());
        assertEquals(0, m.tokenizers().t5().padId());
        assertEquals(ModelBundle.COMPONENTS.size(), m.components().size());
        assertTrue(m.components().get("clap_audio").optional());
        assertEquals(5, m.components().get("unet").inputs().size());
        assertTrue(Files.isRegularFile(b.componentFile("unet", "test")));
        assertTrue(Files.isRegularFile(b.tokenizerFile("t5", "test")));
    }

    @Test
    void missingDirectory() {
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(tmp.resolve("absent")));
        assertContains(e.getMessage(), "absent", "does not exist");
    }

    @Test
    void fileInsteadOfDirectory() throws IOException {
        Path f = Files.writeString(tmp.resolve("file.txt"), "x");
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(f));
        assertContains(e.getMessage(), "file.txt", "must be a directory");
    }

    @Test
    void missingManifest() throws IOException {
        Path d = Files.createDirectory(tmp.resolve("empty"));
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(d));
        assertContains(e.getMessage(), "manifest.json", "missing manifest");
    }

    @Test
    void badJson() throws IOException {
        Path b = copy();
        Files.writeString(b.resolve("manifest.json"), "{\"format_version\": 1,\n \"model_id\": oops}");
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "manifest.json", "invalid JSON", "line 2");
    }

    @Test
    void emptyManifest() throws IOException {
        Path b = copy();
        Files.writeString(b.resolve("manifest.json"), "");
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "manifest.json", "empty");
    }

    @Test
    void manifestNotAnObject() throws IOException {
        Path b = copy();
        Files.writeString(b.resolve("manifest.json"), "[1, 2]");
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "must be a JSON object", "ARRAY");
    }

    @Test
    void unknownFormatVersion() throws IOException {
        assertContains(failureAfter(r -> r.put("format_version", 2)), "format_version", "expected 1", "got 2");
    }

    @Test
    void missingFormatVersion() throws IOException {
        assertContains(failureAfter(r -> r.remove("format_version")), "'format_version'", "field missing");
    }

    @Test
    void missingModelId() throws IOException {
        assertContains(failureAfter(r -> r.remove("model_id")), "'model_id'", "non-empty string", "field missing");
    }

    @Test
    void wrongSampleRateType() throws IOException {
        assertContains(failureAfter(r -> r.put("sample_rate", "16k")), "'sample_rate'", "an integer in [1, 2147483647]", "\"16k\"");
    }

    private static ObjectNode clapFeatures(ObjectNode root) {
        ObjectNode c = root.putObject("clap_features");
        c.put("sampling_rate", 48000).put("feature_size", 64).put("fft_window_size", 1024).put("hop_length", 480)
                .put("frequency_min", 0).put("frequency_max", 14000).put("nb_max_samples", 480000)
                .put("padding", "repeat").put("truncation", "rand_trunc").putNull("top_db");
        return c;
    }

    @Test
    void clapFeaturesComeFromTheManifestOrDefaultToAudioLdm2s() throws IOException {
        assertEquals(io.github.audioldm4j.dsp.ClapFeatureExtractor.Config.audioLdm2(),
                ModelBundle.open(TinyBundle.dir()).manifest().clapFeatures(), "no clap_features: cvssp/audioldm2's");
        Path b = copy();
        Path mf = b.resolve("manifest.json");
        ObjectNode root = (ObjectNode) MAPPER.readTree(mf.toFile());
        clapFeatures(root).put("hop_length", 320);
        MAPPER.writeValue(mf.toFile(), root);
        io.github.audioldm4j.dsp.ClapFeatureExtractor.Config c = ModelBundle.open(b).manifest().clapFeatures();
        assertEquals(new io.github.audioldm4j.dsp.ClapFeatureExtractor.Config(48000, 64, 1024, 320, 0, 14000, 480000,
                io.github.audioldm4j.dsp.ClapFeatureExtractor.Padding.REPEAT), c);
    }

    @Test
    void badClapFeatures() throws IOException {
        assertContains(failureAfter(r -> clapFeatures(r).put("truncation", "fusion")), "'clap_features.truncation'",
                "rand_trunc", "\"fusion\"");
        assertContains(failureAfter(r -> clapFeatures(r).put("top_db", 80)), "'clap_features.top_db'", "null", "80");
        assertContains(failureAfter(r -> clapFeatures(r).put("padding", "zeros")), "'clap_features.padding'",
                "repeatpad", "zeros");
        assertContains(failureAfter(r -> clapFeatures(r).put("frequency_max", 30000)), "'clap_features.frequency_max'",
                "sampling_rate/2", "30000");
        assertContains(failureAfter(r -> clapFeatures(r).put("frequency_min", -5)), "'clap_features.frequency_min'",
                "-5");
        assertContains(failureAfter(r -> clapFeatures(r).put("fft_window_size", 1000)), "clap_features",
                "fftWindowSize must be a power of two", "1000");
        assertContains(failureAfter(r -> clapFeatures(r).remove("hop_length")), "'clap_features.hop_length'",
                "field missing");
        assertContains(failureAfter(r -> r.put("clap_features", "cvssp")), "'clap_features'", "a JSON object");
    }

    @Test
    void negativeScalingFactor() throws IOException {
        assertContains(failureAfter(r -> ((ObjectNode) r.get("vae")).put("scaling_factor", -0.4)),
                "'vae.scaling_factor'", "> 0.0", "-0.4");
    }

    @Test
    void missingMelField() throws IOException {
        assertContains(failureAfter(r -> ((ObjectNode) r.get("mel")).remove("hop")), "'mel.hop'", "field missing");
    }

    @Test
    void fMaxAboveNyquist() throws IOException {
        assertContains(failureAfter(r -> ((ObjectNode) r.get("mel")).put("f_max", 9000.0)), "'mel.f_max'",
                "sample_rate/2", "9000.0");
    }

    @Test
    void melBinsMismatch() throws IOException {
        assertContains(failureAfter(r -> ((ObjectNode) r.get("vae")).put("mel_bins", 128)), "'vae.mel_bins'",
                "mel.n_mels (64)", "128");
    }

    @Test
    void schedulerWithoutClassName() throws IOException {
        assertContains(failureAfter(r -> ((ObjectNode) r.get("scheduler")).remove("_class_name")),
                "'scheduler._class_name'", "field missing");
    }

    @Test
    void unknownComponent() throws IOException {
        assertContains(failureAfter(r -> ((ObjectNode) r.get("components")).set("decoder2",
                r.get("components").get("vocoder").deepCopy())), "components.decoder2", "not a known component", "unet");
    }

    @Test
    void missingComponentFile() throws IOException {
        Path b = copy();
        Files.delete(b.resolve("unet.pt"));
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "unet.pt", "missing file", "components.unet");
    }

    @Test
    void checksumMismatch() throws IOException {
        Path b = copy();
        byte[] bytes = Files.readAllBytes(b.resolve("vocoder.pt"));
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(b.resolve("vocoder.pt"), bytes);
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        String expected = ModelBundle.open(TinyBundle.dir()).manifest().components().get("vocoder").sha256();
        assertContains(e.getMessage(), "vocoder.pt", "checksum mismatch", "expected " + expected, "got ");
        // with verification off, the same bundle opens (existence is still checked)
        assertEquals("audioldm4j/tiny-random", ModelBundle.open(b, false).manifest().modelId());
    }

    @Test
    void malformedSha256() throws IOException {
        assertContains(failureAfter(r -> ((ObjectNode) r.get("components").get("unet")).put("sha256", "abc")),
                "'components.unet.sha256'", "64 hexadecimal digits", "\"abc\"");
    }

    @Test
    void contractMismatchNamesFieldExpectedAndActual() throws IOException {
        String msg = failureAfter(r -> {
            ArrayNode shape = (ArrayNode) r.get("components").get("unet").get("inputs").get(0).get("shape");
            shape.set(1, MAPPER.getNodeFactory().numberNode(4));
        });
        assertContains(msg, "components.unet.inputs[0].shape[1]", "must be 8", "got 4");
    }

    @Test
    void wrongInputCount() throws IOException {
        String msg = failureAfter(r -> ((ArrayNode) r.get("components").get("unet").get("inputs")).remove(4));
        assertContains(msg, "components.unet.inputs", "5 tensors", "got 4");
    }

    @Test
    void badTensorDtype() throws IOException {
        String msg = failureAfter(r -> ((ObjectNode) r.get("components").get("vocoder").get("inputs").get(0))
                .put("dtype", "float64"));
        assertContains(msg, "components.vocoder.inputs[0].dtype", "float32, int64, bool", "float64");
    }

    @Test
    void pathEscapingTheBundleIsRefused() throws IOException {
        String msg = failureAfter(r -> ((ObjectNode) r.get("components").get("vocoder")).put("file", "../vocoder.pt"));
        assertContains(msg, "components.vocoder.file", "inside the bundle", "../vocoder.pt");
    }

    @Test
    void missingOptionalComponentIsReportedWhenNeeded() throws IOException {
        Path b = copy();
        Path mf = b.resolve("manifest.json");
        ObjectNode root = (ObjectNode) MAPPER.readTree(mf.toFile());
        ((ObjectNode) root.get("components")).remove("clap_audio");
        MAPPER.writeValue(mf.toFile(), root);
        ModelBundle bundle = ModelBundle.open(b);
        assertFalse(bundle.has("clap_audio"));
        BundleException e = assertThrows(BundleException.class, () -> bundle.require("clap_audio", "CLAP re-ranking"));
        assertContains(e.getMessage(), "clap_audio.pt", "CLAP re-ranking needs component 'clap_audio'");
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class, () -> bundle.require("foo", "x"));
        assertContains(iae.getMessage(), "component must be one of", "\"foo\"");
    }

    @Test
    void missingTokenizerIsReportedWhenNeeded() throws IOException {
        Path b = copy();
        Files.delete(b.resolve("tokenizers/t5.json"));
        ModelBundle bundle = ModelBundle.open(b);
        BundleException e = assertThrows(BundleException.class, () -> bundle.tokenizerFile("t5", "text-to-audio"));
        assertContains(e.getMessage(), "t5.json", "text-to-audio needs the t5 tokenizer");
    }

    @Test
    void tokenizerChecksumMismatch() throws IOException {
        Path b = copy();
        Files.writeString(b.resolve("tokenizers/clap.json"), "{}");
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "clap.json", "checksum mismatch");
    }

    // ---- probe findings (issue 11): integers out of range, deep nesting, symlinks, swapped modules ----

    @Test
    void outOfRangeShapeIntegerIsNamedWithItsLiteral() throws IOException {
        // 2^32 + 8 used to be read as 8
        String m = failureAfter(r -> ((ArrayNode) r.get("components").get("unet").get("inputs").get(0).get("shape"))
                .set(1, MAPPER.getNodeFactory().numberNode(4294967304L)));
        assertContains(m, "'components.unet.inputs[0].shape[1]'", "an integer in [1, 2147483647]", "got 4294967304");
        m = failureAfter(r -> ((ArrayNode) r.get("components").get("vocoder").get("outputs").get(0).get("shape"))
                .set(0, MAPPER.getNodeFactory().numberNode(new java.math.BigInteger("1000000000000000000000000000000"))));
        assertContains(m, "'components.vocoder.outputs[0].shape[0]'", "got 1000000000000000000000000000000");
    }

    @Test
    void outOfRangeScalarIntegersAreNamedWithTheirLiteral() throws IOException {
        // 10^30 used to be reported as 1073741824 (its low 32 bits)
        java.math.BigInteger huge = new java.math.BigInteger("1000000000000000000000000000000");
        assertContains(failureAfter(r -> r.set("format_version", MAPPER.getNodeFactory().numberNode(huge))),
                "unknown format_version", "got 1000000000000000000000000000000");
        assertContains(failureAfter(r -> r.put("format_version", 4294967297L)), "unknown format_version", "got 4294967297");
        assertContains(failureAfter(r -> r.put("sample_rate", 4294983296L)), "'sample_rate'", "got 4294983296");
        assertContains(failureAfter(r -> ((ObjectNode) r.get("defaults")).set("num_inference_steps",
                MAPPER.getNodeFactory().numberNode(huge))), "'defaults.num_inference_steps'", "got " + huge);
        assertContains(failureAfter(r -> ((ObjectNode) r.get("tokenizers")).set("files", MAPPER.createObjectNode()
                .set("clap", MAPPER.createObjectNode().put("file", "tokenizers/clap.json")
                        .set("pad_id", MAPPER.getNodeFactory().numberNode(huge.pow(2)))))),
                "'tokenizers.files.clap.pad_id'", "got " + huge.pow(2));
    }

    @Test
    void deeplyNestedManifestIsABundleError() throws IOException {
        for (int depth : new int[] {900, 5000, 200_000}) {
            Path b = copy();
            Path mf = b.resolve("manifest.json");
            String manifest = Files.readString(mf);
            String deep = "[".repeat(depth) + "]".repeat(depth);
            for (String where : new String[] {"\"export\": ", "\"model_id\": ", "\"scheduler\": "}) {
                int at = manifest.indexOf(where);
                assertTrue(at >= 0, where);
                // replace the field's value by a deeply nested array
                int start = at + where.length();
                int end = valueEnd(manifest, start);
                Files.writeString(mf, manifest.substring(0, start) + deep + manifest.substring(end));
                if (depth <= 1000 && where.contains("export")) {
                    // within the parser's depth limit, "export" is free-form: the bundle opens
                    assertEquals("audioldm4j/tiny-random", ModelBundle.open(b).manifest().modelId());
                    continue;
                }
                BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b),
                        "depth " + depth + " at " + where);
                assertContains(e.getMessage(), "manifest.json");
                if (depth > 1000) {
                    assertContains(e.getMessage(), "invalid JSON", "nesting depth");
                } else {
                    assertContains(e.getMessage(), where.substring(1, where.indexOf('"', 1)), "must be");
                }
            }
        }
    }

    /** The end of the JSON value starting at {@code start} (object, array, string or scalar). */
    private static int valueEnd(String s, int start) {
        char c = s.charAt(start);
        if (c == '{' || c == '[') {
            int depth = 0;
            boolean str = false;
            for (int i = start; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (str) {
                    if (ch == '\\') {
                        i++;
                    } else if (ch == '"') {
                        str = false;
                    }
                } else if (ch == '"') {
                    str = true;
                } else if (ch == '{' || ch == '[') {
                    depth++;
                } else if (ch == '}' || ch == ']') {
                    if (--depth == 0) {
                        return i + 1;
                    }
                }
            }
            throw new IllegalStateException("unterminated value");
        }
        if (c == '"') {
            return s.indexOf('"', start + 1) + 1;
        }
        int i = start;
        while (i < s.length() && ",}\n ".indexOf(s.charAt(i)) < 0) {
            i++;
        }
        return i;
    }

    @Test
    void symlinkedComponentResolvingOutsideTheBundleIsRefused() throws IOException {
        Path b = copy();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.move(b.resolve("unet.pt"), outside.resolve("unet.pt"));
        Files.createSymbolicLink(b.resolve("unet.pt"), outside.resolve("unet.pt"));
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "'components.unet.file'", "must resolve to a file inside the bundle directory",
                "\"unet.pt\"", outside.resolve("unet.pt").toRealPath().toString(), "symbolic link");
    }

    @Test
    void componentInsideASymlinkedFolderOutsideTheBundleIsRefused() throws IOException {
        Path b = copy();
        Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.move(b.resolve("vocoder.pt"), outside.resolve("vocoder.pt"));
        Files.createSymbolicLink(b.resolve("models"), outside);
        Path mf = b.resolve("manifest.json");
        ObjectNode root = (ObjectNode) MAPPER.readTree(mf.toFile());
        ((ObjectNode) root.get("components").get("vocoder")).put("file", "models/vocoder.pt");
        MAPPER.writeValue(mf.toFile(), root);
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "'components.vocoder.file'", "\"models/vocoder.pt\"", "symbolic link");
    }

    @Test
    void symlinkInsideTheBundleIsAccepted() throws IOException {
        Path b = copy();
        Files.createDirectories(b.resolve("weights"));
        Files.move(b.resolve("unet.pt"), b.resolve("weights/unet.pt"));
        Files.createSymbolicLink(b.resolve("unet.pt"), b.resolve("weights/unet.pt"));
        assertEquals("audioldm4j/tiny-random", ModelBundle.open(b).manifest().modelId());
    }

    /** Puts {@code source}'s file under {@code target}'s name and updates the checksum, as the probe did. */
    private Path swapped(String source, String target) throws IOException {
        Path b = copy();
        Files.copy(b.resolve(source + ".pt"), b.resolve(target + ".pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path mf = b.resolve("manifest.json");
        ObjectNode root = (ObjectNode) MAPPER.readTree(mf.toFile());
        ((ObjectNode) root.get("components").get(target)).put("sha256", ModelBundle.sha256(b.resolve(target + ".pt")));
        MAPPER.writeValue(mf.toFile(), root);
        return b;
    }

    @Test
    void moduleOfAnotherComponentIsRefusedAtOpen() throws IOException {
        Path b = swapped("vocoder", "vae_decoder");
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "vae_decoder.pt", "'components.vae_decoder.file'", "forward takes [mel] (1 arguments)",
                "vae_decoder contract is forward[z] (1 arguments)", "the file holds the vocoder component");

        Path c = swapped("gpt2", "unet");
        e = assertThrows(BundleException.class, () -> ModelBundle.open(c));
        assertContains(e.getMessage(), "unet.pt", "forward takes [inputs_embeds, attention_mask] (2 arguments)",
                "(5 arguments)", "the file holds the gpt2 component");
        // also when checksums are not verified
        assertThrows(BundleException.class, () -> ModelBundle.open(c, false));
    }

    @Test
    void moduleWithTheSameArgumentsButAnotherClassIsRefused() throws IOException {
        // the VAE encoder and the vocoder both take forward(mel)
        Path b = swapped("vocoder", "vae_encoder");
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "vae_encoder.pt", "root class __torch__.Vocoder is the vocoder component, not vae_encoder");
    }

    @Test
    void componentFileThatIsNotTorchScriptIsRefused() throws IOException {
        Path b = copy();
        Files.writeString(b.resolve("projection.pt"), "not a zip at all");
        Path mf = b.resolve("manifest.json");
        ObjectNode root = (ObjectNode) MAPPER.readTree(mf.toFile());
        ((ObjectNode) root.get("components").get("projection")).put("sha256", ModelBundle.sha256(b.resolve("projection.pt")));
        MAPPER.writeValue(mf.toFile(), root);
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(b));
        assertContains(e.getMessage(), "projection.pt", "not a TorchScript archive");
    }

    @Test
    void manifestInputNamesMustMatchTheForwardArguments() throws IOException {
        assertContains(failureAfter(r -> ((ObjectNode) r.get("components").get("vae_decoder").get("inputs").get(0))
                .put("name", "latents")), "'components.vae_decoder.inputs[0].name' must be \"z\"", "got \"latents\"");
    }

    @Test
    void torchScriptSchemaParsesSignatures() {
        java.util.List<String> args = TorchScriptSchema.forwardArguments(Path.of("x.pt"),
                "class A(Module):\n  def forward(self: __torch__.A,\n    x: Tuple[Tensor, Tensor],\n"
                        + "    y: Optional[Tensor]=None) -> Tensor:\n    return x\nclass B(Module):\n"
                        + "  def forward(self: __torch__.B, q: Tensor) -> Tensor:\n", "A");
        assertEquals(java.util.List.of("x", "y"), args);
        assertEquals(java.util.List.of("q"), TorchScriptSchema.forwardArguments(Path.of("x.pt"),
                "class A(Module):\n  def forward(self: __torch__.A, x: Tensor) -> Tensor:\nclass B(Module):\n"
                        + "  def forward(self: __torch__.B, q: Tensor) -> Tensor:\n", "B"));
        for (String cls : new String[] {"VaeEncoderWrapper", "VaeEncoder", "UNetWrapper", "Gpt2", "ClapTextWrapper"}) {
            assertTrue(Contracts.componentOfClass(cls) != null, cls);
        }
        assertEquals(null, Contracts.componentOfClass("MyModel"));
    }
}
