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
