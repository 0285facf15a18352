package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.Precision;
import io.github.audioldm4j.util.Check;
import io.github.audioldm4j.util.Closeables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The components of one bundle, loaded lazily on first use through a {@link ModelRuntime}.
 * Closing it closes every loaded component, even if one of them fails to close. Not thread-safe.
 *
 * <p>Precision: see {@link #optionsFor}. With an FP16 default the VAE encoder/decoder run in FP32
 * unless overridden, as the VAE config's {@code force_upcast: true} intends (fp16 VAE decoding is a
 * known NaN source); components exported in fp16/bf16 run in that precision.
 */
public final class AudioLdm2Models implements AutoCloseable {
    private final ModelBundle bundle;
    private final ModelRuntime runtime;
    private final ModuleOptions defaults;
    private final Map<String, ModuleOptions> overrides;
    private final Map<String, Component> loaded = new LinkedHashMap<>();
    private boolean closed;

    private AudioLdm2Models(ModelBundle bundle, ModelRuntime runtime, ModuleOptions defaults,
            Map<String, ModuleOptions> overrides) {
        this.bundle = bundle;
        this.runtime = runtime;
        this.defaults = defaults;
        this.overrides = overrides;
    }

    /** All components with the same options (VAE upcast to FP32 when the default is FP16). */
    public static AudioLdm2Models open(ModelBundle bundle, ModelRuntime runtime, ModuleOptions options) {
        return open(bundle, runtime, options, Map.of());
    }

    /**
     * @param overrides per-component options by manifest name (e.g. {@code "vae_decoder"})
     */
    public static AudioLdm2Models open(ModelBundle bundle, ModelRuntime runtime, ModuleOptions options,
            Map<String, ModuleOptions> overrides) {
        Check.notNull("bundle", bundle);
        Check.notNull("runtime", runtime);
        Check.notNull("options", options);
        Check.notNull("overrides", overrides);
        for (String k : overrides.keySet()) {
            if (!ModelBundle.COMPONENTS.contains(k)) {
                throw new IllegalArgumentException("overrides keys must be component names " + ModelBundle.COMPONENTS
                        + ", got \"" + k + "\"");
            }
        }
        return new AudioLdm2Models(bundle, runtime, options, new HashMap<>(overrides));
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public ModelRuntime runtime() {
        return runtime;
    }

    /**
     * The options a component is (or will be) loaded with: the per-component override if given;
     * else the component's export dtype from the manifest when it is not float32 (a traced graph
     * keeps its dtype casts, so an fp16 export must run in fp16); else the default options, with
     * the VAE upcast to FP32 when the default is FP16.
     *
     * @throws IllegalArgumentException if the bundle was traced on another kind of device than
     *     requested (traces freeze the device of tensors they create), or an fp16 export is asked
     *     to run on the CPU
     */
    public ModuleOptions optionsFor(String component) {
        ModuleOptions o = overrides.get(component);
        if (o == null) {
            ComponentSpec spec = bundle.manifest().components().get(component);
            String dtype = spec == null ? "float32" : spec.dtype();
            if (dtype.equals("float16")) {
                if (!defaults.device().isCuda()) {
                    throw new IllegalArgumentException("component " + component + " was exported in float16, which runs"
                            + " only on a CUDA device; got device " + defaults.device() + " (re-export in float32 for CPU)");
                }
                o = new ModuleOptions(defaults.device(), Precision.FP16);
            } else if (dtype.equals("bfloat16")) {
                o = new ModuleOptions(defaults.device(), Precision.BF16);
            } else if (defaults.precision() == Precision.FP16 && component.startsWith("vae_")) {
                o = new ModuleOptions(defaults.device(), Precision.FP32);
            } else {
                o = defaults;
            }
        }
        String traced = tracedDevice();
        if (traced != null && traced.startsWith("cuda") != o.device().isCuda()) {
            throw new IllegalArgumentException("bundle " + bundle.manifest().modelId() + " was exported on " + traced
                    + " (manifest export.device) and its traced graphs are tied to that kind of device; got device "
                    + o.device() + " for component " + component);
        }
        return o;
    }

    private String tracedDevice() {
        com.fasterxml.jackson.databind.JsonNode export = bundle.manifest().export();
        if (export == null || !export.hasNonNull("device")) {
            return null;
        }
        return export.get("device").asText().toLowerCase(java.util.Locale.ROOT);
    }

    private synchronized <C extends Component> C get(String name, String neededBy, Class<C> type,
            BiFunction<LoadedModule, ComponentSpec, C> factory) {
        if (closed) {
            throw new IllegalStateException("models are closed");
        }
        Component c = loaded.get(name);
        if (c == null) {
            ComponentSpec spec = bundle.require(name, neededBy);
            LoadedModule m = runtime.load(bundle.dir().resolve(spec.file()), optionsFor(name));
            try {
                c = factory.apply(m, spec);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            loaded.put(name, c);
        }
        return type.cast(c);
    }

    public ClapTextEncoder clapText() {
        return get("clap_text", "text conditioning", ClapTextEncoder.class, ClapTextEncoder::new);
    }

    public ClapAudioEncoder clapAudio() {
        return get("clap_audio", "CLAP re-ranking of candidates", ClapAudioEncoder.class, ClapAudioEncoder::new);
    }

    public T5Encoder t5() {
        return get("t5_encoder", "text conditioning", T5Encoder.class, T5Encoder::new);
    }

    public ProjectionModel projection() {
        return get("projection", "text conditioning", ProjectionModel.class, ProjectionModel::new);
    }

    public Gpt2Model gpt2() {
        return get("gpt2", "text conditioning", Gpt2Model.class, Gpt2Model::new);
    }

    public UNet unet() {
        return get("unet", "diffusion", UNet.class, UNet::new);
    }

    public VaeEncoder vaeEncoder() {
        return get("vae_encoder", "encoding audio to latents", VaeEncoder.class, VaeEncoder::new);
    }

    public VaeDecoder vaeDecoder() {
        return get("vae_decoder", "decoding latents to mel", VaeDecoder.class, VaeDecoder::new);
    }

    public Vocoder vocoder() {
        return get("vocoder", "mel-to-waveform vocoding", Vocoder.class, Vocoder::new);
    }

    /**
     * Names of the components loaded so far (they load on first use), in load order. A request
     * the pipeline refuses leaves this unchanged: validation runs before any model.
     */
    public synchronized List<String> loadedComponents() {
        return Collections.unmodifiableList(new ArrayList<>(loaded.keySet()));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Closeables.closeAll(new ArrayList<>(loaded.values()));
        } finally {
            loaded.clear();
        }
    }
}
