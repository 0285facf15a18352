package io.github.audioldm4j.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.dsp.ClapFeatureExtractor;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model bundle: a directory with {@code manifest.json}, one TorchScript file per AudioLDM2
 * component, {@code tokenizers/*.json} and optionally {@code reference/}. See the README section
 * "Bundle layout" for the contract.
 *
 * <p>{@link #open(Path)} validates the whole bundle up front: the manifest's fields and types,
 * that every listed file exists, their SHA-256 checksums, and that each component's declared
 * inputs and outputs match the AudioLDM2 I/O contract. Errors are {@link BundleException}s naming
 * the file, the field, and the expected and actual values. Immutable and thread-safe.
 */
public final class ModelBundle {
    /** The only manifest format this version reads. */
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.json";

    /** Component names a bundle may contain, in pipeline order. */
    public static final List<String> COMPONENTS = List.of("clap_text", "clap_audio", "t5_encoder", "projection",
            "gpt2", "unet", "vae_encoder", "vae_decoder", "vocoder");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dir;
    private final Manifest manifest;

    private ModelBundle(Path dir, Manifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /** Opens and fully validates a bundle, verifying every checksum. */
    public static ModelBundle open(Path dir) {
        return open(dir, true);
    }

    /**
     * Opens and validates a bundle.
     *
     * @param verifyChecksums whether to hash every file and compare with the manifest (reading
     *     several GB for the real models); when false only existence and sizes are checked
     * @throws BundleException if anything is missing or malformed
     */
    public static ModelBundle open(Path dir, boolean verifyChecksums) {
        Check.notNull("dir", dir);
        if (!Files.exists(dir)) {
            throw new BundleException(dir, "bundle directory does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new BundleException(dir, "bundle path must be a directory containing " + MANIFEST + ", got a file");
        }
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new BundleException(manifestFile, "missing manifest: a bundle directory must contain " + MANIFEST);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(manifestFile.toFile());
        } catch (JsonProcessingException e) {
            // a nesting-depth or size limit violation (StreamConstraintsException) may carry no location
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new BundleException(manifestFile, "invalid JSON"
                    + (at != null && at.getLineNr() > 0 ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "")
                    + ": " + e.getOriginalMessage(), e);
        } catch (StackOverflowError e) {
            throw new BundleException(manifestFile, "invalid JSON: nested too deeply to parse", null);
        } catch (IOException e) {
            throw new BundleException(manifestFile, "cannot read manifest: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new BundleException(manifestFile, "manifest must be a JSON object, got "
                    + (root == null || root.isMissingNode() ? "an empty file" : root.getNodeType()));
        }
        Manifest m = parse(manifestFile, root);
        ModelBundle bundle = new ModelBundle(dir, m);
        bundle.verifyFiles(verifyChecksums);
        return bundle;
    }

    static Manifest parse(Path file, JsonNode root) {
        JsonFields f = new JsonFields(file);
        JsonNode fv = root.get("format_version");
        if (fv == null || !fv.isIntegralNumber()) {
            throw f.error("format_version", "the integer " + FORMAT_VERSION, fv);
        }
        if (!fv.canConvertToInt() || fv.intValue() != FORMAT_VERSION) {
            // the literal as written: asInt() would wrap 10^30 to 1073741824
            throw new BundleException(file, "unknown format_version: expected " + FORMAT_VERSION + ", got " + fv
                    + " (this audioldm4j reads bundle format " + FORMAT_VERSION + " only)");
        }
        String modelId = f.string(root, "", "model_id");
        int sampleRate = f.positiveInt(root, "", "sample_rate");

        JsonNode mel = f.object(root, "", "mel");
        Manifest.MelConfig melCfg = new Manifest.MelConfig(
                f.positiveInt(mel, "mel", "n_fft"), f.positiveInt(mel, "mel", "hop"), f.positiveInt(mel, "mel", "win"),
                f.positiveInt(mel, "mel", "n_mels"), f.number(mel, "mel", "f_min", 0, false),
                f.number(mel, "mel", "f_max", 0, true), f.number(mel, "mel", "log_clamp", 0, true));
        if (melCfg.fMax() <= melCfg.fMin()) {
            throw f.error("mel.f_max", "must be > mel.f_min (" + melCfg.fMin() + "), got " + melCfg.fMax());
        }
        if (melCfg.fMax() > sampleRate / 2.0) {
            throw f.error("mel.f_max", "must be <= sample_rate/2 (" + sampleRate / 2.0 + "), got " + melCfg.fMax());
        }
        if (melCfg.win() > melCfg.nFft()) {
            throw f.error("mel.win", "must be <= mel.n_fft (" + melCfg.nFft() + "), got " + melCfg.win());
        }

        JsonNode vae = f.object(root, "", "vae");
        Manifest.VaeConfig vaeCfg = new Manifest.VaeConfig(f.number(vae, "vae", "scaling_factor", 0, true),
                f.positiveInt(vae, "vae", "downsample"), f.positiveInt(vae, "vae", "latent_channels"),
                f.positiveInt(vae, "vae", "mel_bins"));
        if (vaeCfg.melBins() != melCfg.nMels()) {
            throw f.error("vae.mel_bins", "must equal mel.n_mels (" + melCfg.nMels() + "), got " + vaeCfg.melBins());
        }
        if (vaeCfg.melBins() % vaeCfg.downsample() != 0) {
            throw f.error("vae.mel_bins", "must be a multiple of vae.downsample (" + vaeCfg.downsample() + "), got "
                    + vaeCfg.melBins());
        }

        JsonNode sched = f.object(root, "", "scheduler");
        SchedulerConfig schedulerConfig = SchedulerConfig.fromJson(sched);
        f.string(sched, "scheduler", "_class_name");

        JsonNode d = f.object(root, "", "defaults");
        Manifest.Defaults defaults = new Manifest.Defaults(f.positiveInt(d, "defaults", "num_inference_steps"),
                f.number(d, "defaults", "guidance_scale", 0, false), f.number(d, "defaults", "audio_length_s", 0, true),
                f.number(d, "defaults", "eta", 0, false), f.positiveInt(d, "defaults", "max_new_tokens"));

        JsonNode tok = f.object(root, "", "tokenizers");
        int clapLen = f.positiveInt(tok, "tokenizers", "clap_max_length");
        int t5Len = f.positiveInt(tok, "tokenizers", "t5_max_length");
        JsonNode files = tok.get("files");
        Manifest.TokenizerFile clapTok = tokenizerFile(f, files, "clap", "tokenizers/clap.json", 1);
        Manifest.TokenizerFile t5Tok = tokenizerFile(f, files, "t5", "tokenizers/t5.json", 0);
        Manifest.Tokenizers tokenizers = new Manifest.Tokenizers(clapLen, t5Len, clapTok, t5Tok);

        JsonNode comps = f.object(root, "", "components");
        if (comps.isEmpty()) {
            throw f.error("components", "a JSON object with at least one component", comps);
        }
        Map<String, ComponentSpec> components = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = comps.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (!COMPONENTS.contains(name)) {
                throw f.error("components." + name, "is not a known component; expected one of " + COMPONENTS);
            }
            ComponentSpec spec = component(f, name, e.getValue());
            Contracts.check(file, spec, melCfg, vaeCfg, tokenizers);
            components.put(name, spec);
        }
        return new Manifest(FORMAT_VERSION, modelId, sampleRate, melCfg, vaeCfg, schedulerConfig, defaults, tokenizers,
                Collections.unmodifiableMap(components), root.get("export"), clapFeatures(f, root.get("clap_features")));
    }

    /**
     * The optional {@code clap_features} object (the checkpoint's ClapFeatureExtractor settings, written by the
     * exporter since 2026-12); absent or null: cvssp/audioldm2's. Only what Java's extractor implements is
     * accepted: {@code truncation} "rand_trunc" (the unfused CLAP of every AudioLDM2 checkpoint) and no
     * {@code top_db}.
     */
    private static ClapFeatureExtractor.Config clapFeatures(JsonFields f, JsonNode cf) {
        if (cf == null || cf.isNull()) {
            return ClapFeatureExtractor.Config.audioLdm2();
        }
        if (!cf.isObject()) {
            throw f.error("clap_features", "a JSON object", cf);
        }
        String p = "clap_features";
        String truncation = f.string(cf, p, "truncation");
        if (!truncation.equals("rand_trunc")) {
            throw f.error(p + ".truncation", "must be \"rand_trunc\" (the only CLAP truncation audioldm4j implements; "
                    + "AudioLDM2's CLAP is unfused), got \"" + truncation + "\"");
        }
        JsonNode topDb = cf.get("top_db");
        if (topDb != null && !topDb.isNull()) {
            throw f.error(p + ".top_db", "null (audioldm4j's CLAP features implement no top_db clipping)", topDb);
        }
        String padding = f.string(cf, p, "padding");
        ClapFeatureExtractor.Padding pad = switch (padding) {
            case "repeatpad" -> ClapFeatureExtractor.Padding.REPEATPAD;
            case "repeat" -> ClapFeatureExtractor.Padding.REPEAT;
            case "pad", "max_length" -> ClapFeatureExtractor.Padding.PAD;
            default -> throw f.error(p + ".padding", "one of \"repeatpad\", \"repeat\", \"pad\", \"max_length\"",
                    cf.get("padding"));
        };
        int rate = f.positiveInt(cf, p, "sampling_rate");
        double fMin = f.number(cf, p, "frequency_min", 0, false);
        double fMax = f.number(cf, p, "frequency_max", 0, true);
        if (fMax <= fMin || fMax > rate / 2.0) {
            throw f.error(p + ".frequency_max", "must be in (frequency_min, sampling_rate/2] = (" + fMin + ", "
                    + rate / 2.0 + "], got " + fMax);
        }
        try {
            return new ClapFeatureExtractor.Config(rate, f.positiveInt(cf, p, "feature_size"),
                    f.positiveInt(cf, p, "fft_window_size"), f.positiveInt(cf, p, "hop_length"), fMin, fMax,
                    f.positiveInt(cf, p, "nb_max_samples"), pad);
        } catch (IllegalArgumentException e) {
            throw f.error(p, e.getMessage());
        }
    }

    private static Manifest.TokenizerFile tokenizerFile(JsonFields f, JsonNode files, String name, String dfltFile,
            long dfltPad) {
        if (files == null || files.isNull()) {
            return new Manifest.TokenizerFile(dfltFile, null, dfltPad);
        }
        if (!files.isObject()) {
            throw f.error("tokenizers.files", "a JSON object", files);
        }
        JsonNode t = files.get(name);
        if (t == null || t.isNull()) {
            return new Manifest.TokenizerFile(dfltFile, null, dfltPad);
        }
        String p = "tokenizers.files." + name;
        if (!t.isObject()) {
            throw f.error(p, "a JSON object", t);
        }
        String file = f.string(t, p, "file");
        String sha = t.has("sha256") ? sha256Field(f, t, p) : null;
        JsonNode pad = t.get("pad_id");
        if (pad != null && !(pad.isIntegralNumber() && pad.canConvertToLong() && pad.longValue() >= 0)) {
            throw f.error(p + ".pad_id", "an integer in [0, " + Long.MAX_VALUE + "]", pad);
        }
        return new Manifest.TokenizerFile(file, sha, pad == null ? dfltPad : pad.asLong());
    }

    private static String sha256Field(JsonFields f, JsonNode parent, String prefix) {
        String sha = f.string(parent, prefix, "sha256");
        if (!sha.matches("[0-9a-fA-F]{64}")) {
            throw f.error(prefix + ".sha256", "64 hexadecimal digits", parent.get("sha256"));
        }
        return sha.toLowerCase(java.util.Locale.ROOT);
    }

    private static ComponentSpec component(JsonFields f, String name, JsonNode c) {
        String p = "components." + name;
        if (!c.isObject()) {
            throw f.error(p, "a JSON object", c);
        }
        String file = f.string(c, p, "file");
        String sha = sha256Field(f, c, p);
        String dtype = c.has("dtype") ? f.string(c, p, "dtype") : "float32";
        if (!List.of("float32", "float16", "bfloat16").contains(dtype)) {
            throw f.error(p + ".dtype", "one of float32, float16, bfloat16", c.get("dtype"));
        }
        boolean optional = f.optionalBoolean(c, p, "optional", false);
        return new ComponentSpec(name, file, sha, dtype, optional, tensors(f, c, p, "inputs"),
                tensors(f, c, p, "outputs"));
    }

    private static List<TensorSpec> tensors(JsonFields f, JsonNode c, String prefix, String key) {
        JsonNode arr = f.array(c, prefix, key);
        if (arr.isEmpty()) {
            throw f.error(prefix + "." + key, "a non-empty array of tensor specs", arr);
        }
        List<TensorSpec> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            String p = prefix + "." + key + "[" + i + "]";
            JsonNode t = arr.get(i);
            if (!t.isObject()) {
                throw f.error(p, "a JSON object {name, dtype, shape}", t);
            }
            String name = f.string(t, p, "name");
            String dtype = f.string(t, p, "dtype");
            if (!List.of("float32", "int64", "bool").contains(dtype)) {
                throw f.error(p + ".dtype", "one of float32, int64, bool", t.get("dtype"));
            }
            JsonNode shape = f.array(t, p, "shape");
            List<Object> dims = new ArrayList<>();
            for (int j = 0; j < shape.size(); j++) {
                JsonNode s = shape.get(j);
                if (s.isIntegralNumber()) {
                    // range first: asInt() would wrap 2^32+8 to 8
                    if (!s.canConvertToInt() || s.intValue() <= 0) {
                        throw f.error(p + ".shape[" + j + "]", "an integer in [1, " + Integer.MAX_VALUE
                                + "] or a symbol string like \"B\"", s);
                    }
                    dims.add(s.intValue());
                } else if (s.isTextual() && !s.asText().isBlank()) {
                    dims.add(s.asText());
                } else {
                    throw f.error(p + ".shape[" + j + "]", "an integer > 0 or a symbol string like \"B\"", s);
                }
            }
            out.add(new TensorSpec(name, dtype, dims));
        }
        return out;
    }

    private void verifyFiles(boolean verifyChecksums) {
        for (ComponentSpec c : manifest.components().values()) {
            Path file = resolveInside(c.file(), "components." + c.name() + ".file");
            verifyFile(file, c.sha256(), "components." + c.name() + ".sha256", verifyChecksums);
            // the module's own forward schema, so a file of another component fails here, not at first use
            Contracts.checkForward(dir.resolve(MANIFEST), file, c, TorchScriptSchema.read(file));
        }
        Manifest.Tokenizers t = manifest.tokenizers();
        for (Manifest.TokenizerFile tf : new Manifest.TokenizerFile[] {t.clap(), t.t5()}) {
            Path p = resolveInside(tf.file(), "tokenizers file");
            if (!Files.isRegularFile(p)) {
                // Tokenizers are only needed for text conditioning; report it when used.
                continue;
            }
            if (tf.sha256() != null) {
                verifyFile(p, tf.sha256(), "tokenizers.files sha256", verifyChecksums);
            }
        }
    }

    private Path resolveInside(String relative, String field) {
        Path p = dir.resolve(relative).normalize();
        if (!p.startsWith(dir.normalize())) {
            throw new BundleException(dir.resolve(MANIFEST), "field '" + field
                    + "' must be a path inside the bundle directory, got \"" + relative + "\"");
        }
        if (Files.exists(p)) {
            // symlinks (of the file or of a folder on its way) must not lead out of the bundle
            Path real;
            Path realDir;
            try {
                real = p.toRealPath();
                realDir = dir.toRealPath();
            } catch (IOException e) {
                throw new BundleException(p, "cannot resolve the real path of " + field + ": " + e.getMessage(), e);
            }
            if (!real.startsWith(realDir)) {
                throw new BundleException(dir.resolve(MANIFEST), "field '" + field + "' must resolve to a file inside "
                        + "the bundle directory " + realDir + ", got \"" + relative + "\" which resolves to " + real
                        + " through a symbolic link");
            }
        }
        return p;
    }

    private static void verifyFile(Path p, String expectedSha, String field, boolean verifyChecksums) {
        if (!Files.isRegularFile(p)) {
            throw new BundleException(p, "missing file listed in the manifest (" + field.replace(".sha256", "")
                    + "): expected a regular file");
        }
        if (!verifyChecksums) {
            return;
        }
        String actual = sha256(p);
        if (!actual.equals(expectedSha)) {
            throw new BundleException(p, "checksum mismatch (" + field + "): expected " + expectedSha + ", got "
                    + actual + "; the file is corrupt or does not belong to this manifest");
        }
    }

    /** Lower-case hex SHA-256 of a file. */
    public static String sha256(Path file) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new BundleException(file, "cannot read file to verify its checksum: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public Path dir() {
        return dir;
    }

    public Manifest manifest() {
        return manifest;
    }

    public boolean has(String component) {
        return manifest.components().containsKey(component);
    }

    /**
     * The spec of a component the caller needs.
     *
     * @param neededBy what needs it, for the error message (e.g. {@code "text-to-audio"})
     * @throws BundleException naming the missing file if the bundle lacks it
     */
    public ComponentSpec require(String component, String neededBy) {
        Check.notNull("component", component);
        if (!COMPONENTS.contains(component)) {
            throw new IllegalArgumentException("component must be one of " + COMPONENTS + ", got \"" + component + "\"");
        }
        ComponentSpec c = manifest.components().get(component);
        if (c == null) {
            throw new BundleException(dir.resolve(component + ".pt"), neededBy + " needs component '" + component
                    + "', which this bundle does not contain (it has " + manifest.components().keySet() + ")");
        }
        return c;
    }

    /** Absolute path of a component's TorchScript file (see {@link #require}). */
    public Path componentFile(String component, String neededBy) {
        return dir.resolve(require(component, neededBy).file());
    }

    /** Path of the {@code clap} or {@code t5} tokenizer.json; throws if absent. */
    public Path tokenizerFile(String which, String neededBy) {
        Manifest.TokenizerFile tf;
        switch (which) {
            case "clap": tf = manifest.tokenizers().clap(); break;
            case "t5": tf = manifest.tokenizers().t5(); break;
            default: throw new IllegalArgumentException("tokenizer must be \"clap\" or \"t5\", got \"" + which + "\"");
        }
        Path p = dir.resolve(tf.file());
        if (!Files.isRegularFile(p)) {
            throw new BundleException(p, neededBy + " needs the " + which + " tokenizer, which is missing from the bundle");
        }
        return p;
    }

    /** The {@code reference/} folder, which may not exist. */
    public Path referenceDir() {
        return dir.resolve("reference");
    }

    @Override
    public String toString() {
        return "ModelBundle[" + manifest.modelId() + " at " + dir + ", components " + manifest.components().keySet() + "]";
    }
}
