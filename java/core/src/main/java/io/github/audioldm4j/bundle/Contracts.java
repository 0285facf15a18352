package io.github.audioldm4j.bundle;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The AudioLDM2 component I/O contract (README "Bundle layout"): dtypes, ranks and the fixed
 * dimensions each component's manifest entry must declare. Symbolic dimensions (batch, time,
 * sequence length) may be named freely.
 */
final class Contracts {
    private Contracts() {}

    /** A dimension template: an Integer (fixed), "*" (any int or symbol), or a "$name" manifest constant. */
    private record T(String dtype, Object... dims) {}

    private static final Map<String, List<List<T>>> CONTRACT = Map.of(
            "clap_text", List.of(
                    List.of(new T("int64", "*", "$clap"), new T("int64", "*", "$clap")),
                    List.of(new T("float32", "*", 512))),
            "clap_audio", List.of(
                    List.of(new T("float32", "*", 1, 1001, 64), new T("bool", "*", 1)),
                    List.of(new T("float32", "*", 512))),
            "t5_encoder", List.of(
                    List.of(new T("int64", "*", "$t5"), new T("int64", "*", "$t5")),
                    List.of(new T("float32", "*", "$t5", 1024))),
            "projection", List.of(
                    List.of(new T("float32", "*", 1, 512), new T("float32", "*", "*", 1024), new T("int64", "*", "*")),
                    List.of(new T("float32", "*", "*", 768), new T("int64", "*", "*"))),
            "gpt2", List.of(
                    List.of(new T("float32", "*", "*", 768), new T("int64", "*", "*")),
                    List.of(new T("float32", "*", "*", 768))),
            "unet", List.of(
                    List.of(new T("float32", "*", "$lat", "*", "$melq"), new T("float32", "*"),
                            new T("float32", "*", "*", 768), new T("float32", "*", "*", 1024), new T("int64", "*", "*")),
                    List.of(new T("float32", "*", "$lat", "*", "$melq"))),
            "vae_encoder", List.of(
                    List.of(new T("float32", "*", 1, "*", "$mel")),
                    List.of(new T("float32", "*", "$lat2", "*", "$melq"))),
            "vae_decoder", List.of(
                    List.of(new T("float32", "*", "$lat", "*", "$melq")),
                    List.of(new T("float32", "*", 1, "*", "$mel"))),
            "vocoder", List.of(
                    List.of(new T("float32", "*", "*", "$mel")),
                    List.of(new T("float32", "*", "*"))));

    /** The forward argument names of each component (BUNDLE.md "forward signature"). */
    static final Map<String, List<String>> ARGUMENTS = Map.of(
            "clap_text", List.of("input_ids", "attention_mask"),
            "clap_audio", List.of("input_features", "is_longer"),
            "t5_encoder", List.of("input_ids", "attention_mask"),
            "projection", List.of("clap_embeds", "t5_hidden", "t5_mask"),
            "gpt2", List.of("inputs_embeds", "attention_mask"),
            "unet", List.of("sample", "timestep", "encoder_hidden_states", "encoder_hidden_states_1",
                    "encoder_attention_mask_1"),
            "vae_encoder", List.of("mel"),
            "vae_decoder", List.of("z"),
            "vocoder", List.of("mel"));

    /**
     * Checks the TorchScript file of a component against the contract: the {@code forward}
     * arguments (count and names), the manifest's input names, and the root class name, which
     * must not name another component (a VAE encoder and a vocoder both take {@code mel}).
     */
    static void checkForward(Path manifestFile, Path moduleFile, ComponentSpec spec, TorchScriptSchema schema) {
        String comp = spec.name();
        List<String> want = ARGUMENTS.get(comp);
        String field = "components." + comp + ".file";
        String cls = schema.simpleClassName();
        String looksLike = componentOfClass(cls);
        if (!want.equals(schema.arguments())) {
            String other = null;
            if (looksLike != null && !looksLike.equals(comp)) {
                other = "holds the " + looksLike;
            } else {
                for (String key : new java.util.TreeSet<>(ARGUMENTS.keySet())) {
                    if (!key.equals(comp) && ARGUMENTS.get(key).equals(schema.arguments())) {
                        other = other == null ? "looks like the " + key : other + " or " + key;
                    }
                }
            }
            throw new BundleException(moduleFile, "field '" + field + "': the module's forward takes "
                    + schema.arguments() + " (" + schema.arguments().size() + " arguments) but the " + comp
                    + " contract is forward" + want + " (" + want.size() + " arguments)"
                    + (other != null ? "; the file " + other + " component" : "")
                    + " (root class " + schema.className() + ")");
        }
        if (looksLike != null && !looksLike.equals(comp)) {
            throw new BundleException(moduleFile, "field '" + field + "': the module's root class " + schema.className()
                    + " is the " + looksLike + " component, not " + comp + " (both take forward" + want + ")");
        }
        for (int i = 0; i < want.size(); i++) {
            String name = spec.inputs().get(i).name();
            if (!name.equals(want.get(i))) {
                throw new BundleException(manifestFile, "field 'components." + comp + ".inputs[" + i + "].name' must be \""
                        + want.get(i) + "\" (forward argument " + i + " of " + moduleFile.getFileName() + "), got \""
                        + name + "\"");
            }
        }
    }

    /** The component a wrapper class name denotes (ClapText, VaeEncoderWrapper, ...), or null. */
    static String componentOfClass(String simpleClassName) {
        String n = simpleClassName.toLowerCase(java.util.Locale.ROOT).replace("wrapper", "").replaceAll("[^a-z0-9]", "");
        for (String comp : ARGUMENTS.keySet()) {
            if (comp.replace("_", "").equals(n)) {
                return comp;
            }
        }
        return null;
    }

    static void check(Path file, ComponentSpec spec, Manifest.MelConfig mel, Manifest.VaeConfig vae,
            Manifest.Tokenizers tok) {
        List<List<T>> c = CONTRACT.get(spec.name());
        check(file, spec.name(), "inputs", spec.inputs(), c.get(0), vae, tok);
        check(file, spec.name(), "outputs", spec.outputs(), c.get(1), vae, tok);
    }

    private static void check(Path file, String comp, String kind, List<TensorSpec> actual, List<T> expected,
            Manifest.VaeConfig vae, Manifest.Tokenizers tok) {
        String p = "components." + comp + "." + kind;
        if (actual.size() != expected.size()) {
            throw new BundleException(file, "field '" + p + "' must list " + expected.size() + " tensors for the "
                    + comp + " contract, got " + actual.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            T e = expected.get(i);
            TensorSpec a = actual.get(i);
            String q = p + "[" + i + "]";
            if (!a.dtype().equals(e.dtype())) {
                throw new BundleException(file, "field '" + q + ".dtype' must be " + e.dtype() + " for the " + comp
                        + " contract, got " + a.dtype());
            }
            if (a.shape().size() != e.dims().length) {
                throw new BundleException(file, "field '" + q + ".shape' must have rank " + e.dims().length + " for the "
                        + comp + " contract, got " + a.shape());
            }
            for (int j = 0; j < e.dims().length; j++) {
                Object want = resolve(e.dims()[j], vae, tok);
                Object got = a.shape().get(j);
                if (want instanceof Integer && !want.equals(got)) {
                    throw new BundleException(file, "field '" + q + ".shape[" + j + "]' must be " + want + " for the "
                            + comp + " contract, got " + (got instanceof String ? "\"" + got + "\"" : got));
                }
            }
        }
    }

    private static Object resolve(Object dim, Manifest.VaeConfig vae, Manifest.Tokenizers tok) {
        if (!(dim instanceof String) || !((String) dim).startsWith("$")) {
            return dim;
        }
        switch ((String) dim) {
            case "$clap": return tok.clapMaxLength();
            case "$t5": return tok.t5MaxLength();
            case "$lat": return vae.latentChannels();
            case "$lat2": return 2 * vae.latentChannels();
            case "$mel": return vae.melBins();
            case "$melq": return vae.melBins() / vae.downsample();
            default: throw new IllegalStateException(dim.toString());
        }
    }
}
