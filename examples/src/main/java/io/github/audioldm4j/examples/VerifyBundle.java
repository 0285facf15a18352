package io.github.audioldm4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.bundle.BundleException;
import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.bundle.TensorSpec;
import io.github.audioldm4j.model.AudioLdm2Models;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.pipeline.Denoiser;
import io.github.audioldm4j.pipeline.GeneratedAudio;
import io.github.audioldm4j.pipeline.GenerationRequest;
import io.github.audioldm4j.random.TorchGenerator;
import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.Precision;
import io.github.audioldm4j.scheduler.Scheduler;
import io.github.audioldm4j.scheduler.Schedulers;
import io.github.audioldm4j.text.Conditioning;
import io.github.audioldm4j.text.TextConditioner;
import io.github.audioldm4j.text.TextTokenizer;
import io.github.audioldm4j.text.TokenBatch;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Verifies a model bundle against the references it carries.
 *
 * <pre>
 * VerifyBundle &lt;bundle-dir&gt; [--runtime presets|shim] [--device cpu|cuda:0] [--dtype fp32|fp16|bf16]
 *              [--tolerance 1e-4] [--pipeline-tolerance 1e-3] [--skip-pipeline]
 * </pre>
 *
 * <ol>
 *   <li>Opens the bundle with {@link ModelBundle#open(Path)}: manifest fields, the I/O contract of
 *       every component, every file's SHA-256. A problem is printed with its file and field.</li>
 *   <li>Component I/O ({@code reference/index.json}, {@code "kind": "component_io"}): runs each
 *       component on the stored inputs and compares every output.</li>
 *   <li>Pipeline ({@code reference/pipeline.json}, written by {@code export_audioldm2.py}): the Java
 *       tokenizers against the stored token ids, the text conditioning, the first denoising steps from
 *       the stored conditioning and initial latents, the VAE decoding of the stored final latents, and
 *       a full {@link AudioLdm2Pipeline#generate} run with the stored initial latents.</li>
 * </ol>
 * Per tensor it prints the max abs error, the max error relative to the reference's peak and PASS or
 * FAIL: a float tensor passes when every value is finite and {@code max_abs <= tol * max(1, peak)};
 * integer tensors must match exactly. Exit code 0 when everything passes, 1 when a check fails or the
 * bundle is invalid, 2 for bad arguments.
 */
@Command(name = "verify-bundle", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Opens an audioldm4j model bundle (validating its manifest, checksums and forward schemas) and "
                + "re-runs the references it carries: reference/index.json (component inputs/outputs) and, when "
                + "present, reference/pipeline.json (tokens, conditioning, denoising steps, waveform of a fixed "
                + "generation).",
            "A float tensor passes when it is finite and max_abs <= T * max(1, max|reference|); integer tensors must "
                + "be equal. Exit code: 0 all checks pass, 1 a check fails or the bundle is invalid, 2 bad arguments."})
public final class VerifyBundle implements Callable<Integer> {
    @ParentCommand
    Audioldm4j top;
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE_DIR", description = "the bundle directory")
    Path bundleDir;
    @Option(names = "--runtime", paramLabel = "NAME", description = "presets or shim (default: -Daudioldm4j.runtime, "
            + "AUDIOLDM4J_RUNTIME or presets)")
    String runtime;
    @Option(names = "--device", paramLabel = "DEV", description = "cpu, cuda or cuda:N (default: the bundle's export "
            + "device, else cpu)")
    String device;
    @Option(names = "--dtype", paramLabel = "T", description = "fp32, fp16 or bf16 for every component (default: each "
            + "component's manifest dtype)")
    String dtype;
    @Option(names = "--tolerance", paramLabel = "T", description = "component tolerance (default: reference/index.json, "
            + "else 1e-4)")
    Double tolerance;
    @Option(names = "--pipeline-tolerance", paramLabel = "T", description = "pipeline tolerance (default: "
            + "reference/pipeline.json, else 1e-3)")
    Double pipelineTolerance;
    @Option(names = "--skip-pipeline", description = "do not run the pipeline reference")
    boolean skipPipeline;
    @Option(names = "--threads", paramLabel = "N", description = "libtorch intra-op threads")
    Integer threads;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@code audioldm4j verify-bundle ARGS}; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Audioldm4j.run(out, err, Commands.prepend("verify-bundle", args));
    }

    @Override
    public Integer call() {
        if (!Files.isDirectory(bundleDir)) {
            throw CliChecks.usage(spec, "BUNDLE_DIR must be an existing directory, got \"" + bundleDir + "\""
                    + (Files.exists(bundleDir) ? " (a file)" : " (not found)"));
        }
        if (runtime != null && !runtime.trim().equalsIgnoreCase("presets") && !runtime.trim().equalsIgnoreCase("shim")) {
            throw CliChecks.usage(spec, "option --runtime must be presets or shim, got \"" + runtime + "\"");
        }
        Device dev;
        Precision precision;
        try {
            dev = device == null ? null : Device.parse(device);
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, "option --device: " + e.getMessage());
        }
        try {
            precision = dtype == null ? null : Precision.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, "option --dtype: " + e.getMessage());
        }
        for (Object[] t : new Object[][] {{"--tolerance", tolerance}, {"--pipeline-tolerance", pipelineTolerance}}) {
            Double v = (Double) t[1];
            if (v != null && !(v > 0 && Double.isFinite(v))) {
                throw CliChecks.usage(spec, "option " + t[0] + " must be a finite number > 0, got " + v);
            }
        }
        RuntimeOptions.applyThreads(spec, threads);
        Options o = new Options(bundleDir, runtime == null ? null : runtime.trim().toLowerCase(Locale.ROOT), dev,
                precision, tolerance == null ? Double.NaN : tolerance,
                pipelineTolerance == null ? Double.NaN : pipelineTolerance, skipPipeline);
        return verify(o, top.out(), top.err());
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final double DEFAULT_TOLERANCE = 1e-4;
    private static final double DEFAULT_PIPELINE_TOLERANCE = 1e-3;

    private VerifyBundle() {}

    record Options(Path bundleDir, String runtime, Device device, Precision precision, double tolerance,
            double pipelineTolerance, boolean skipPipeline) {}

    /**
     * Runs the verification.
     *
     * @return the exit code: 0 all checks pass, 1 a check fails or the bundle is invalid, 2 bad arguments
     */
    static int verify(Options o, PrintStream out, PrintStream err) {
        ModelBundle bundle;
        try {
            bundle = ModelBundle.open(o.bundleDir());
        } catch (BundleException e) {
            err.println("INVALID BUNDLE: " + e.getMessage());
            return 1;
        }
        Manifest m = bundle.manifest();
        out.println("bundle   " + bundle.dir().toAbsolutePath() + " (" + m.modelId() + ")");
        out.println("manifest valid: format " + m.formatVersion() + ", components " + m.components().keySet()
                + ", checksums verified");
        if (m.export() != null) {
            out.println("export   " + describeExport(m.export()));
        }
        Device device = o.device() != null ? o.device() : exportDevice(m);
        ModelRuntime runtime;
        try {
            runtime = o.runtime() != null ? ModelRuntimes.create(o.runtime()) : ModelRuntimes.createDefault();
        } catch (IllegalArgumentException e) {
            err.println("error: option --runtime: " + e.getMessage());
            return 2;
        } catch (RuntimeException | LinkageError e) {
            err.println("error: cannot start the runtime: " + e);
            return 1;
        }
        try (runtime) {
            if (!runtime.isAvailable(device)) {
                err.println("error: option --device " + device + " is not available with runtime " + runtime.name()
                        + " (" + runtime.describe() + ")");
                return 2;
            }
            Map<String, ModuleOptions> options;
            try {
                options = moduleOptions(m, device, o.precision());
            } catch (IllegalArgumentException e) {
                err.println("error: " + e.getMessage());
                return 2;
            }
            out.println("runtime  " + runtime.name() + ": " + runtime.describe() + ", device " + device);
            Checks checks = new Checks(out);
            JsonNode index = readJson(bundle.referenceDir().resolve("index.json"), checks);
            if (index != null) {
                verifyComponents(bundle, runtime, options, index, o.tolerance(), checks);
            } else if (!checks.failed()) {
                out.println("no reference/index.json: component outputs not checked");
            }
            Path pipelineJson = bundle.referenceDir().resolve("pipeline.json");
            if (index != null && index.hasNonNull("pipeline")) {
                pipelineJson = bundle.dir().resolve(index.get("pipeline").asText());
            }
            if (o.skipPipeline()) {
                out.println("pipeline reference skipped (--skip-pipeline)");
            } else if (Files.isRegularFile(pipelineJson)) {
                JsonNode p = readJson(pipelineJson, checks);
                if (p != null) {
                    verifyPipeline(bundle, runtime, options, device, p, o.pipelineTolerance(), checks);
                }
            } else {
                out.println("no " + bundle.dir().relativize(pipelineJson) + ": pipeline not checked");
            }
            out.println();
            out.println(checks.summary());
            return checks.failed() ? 1 : 0;
        }
    }

    private static String describeExport(JsonNode e) {
        StringBuilder s = new StringBuilder();
        for (String k : List.of("tool", "source", "diffusers", "transformers", "torch", "device", "dtype", "date")) {
            JsonNode v = e.get(k);
            if (v != null && !v.isNull()) {
                s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(v.asText());
            }
        }
        return s.toString();
    }

    private static Device exportDevice(Manifest m) {
        JsonNode d = m.export() == null ? null : m.export().get("device");
        if (d != null && d.isTextual()) {
            try {
                return Device.parse(d.asText());
            } catch (IllegalArgumentException e) {
                return Device.CPU;
            }
        }
        return Device.CPU;
    }

    /** Per-component options: the requested precision, else each component's manifest dtype. */
    static Map<String, ModuleOptions> moduleOptions(Manifest m, Device device, Precision precision) {
        Map<String, ModuleOptions> out = new LinkedHashMap<>();
        for (ComponentSpec c : m.components().values()) {
            Precision p = precision != null ? precision : Precision.parse(c.dtype());
            try {
                out.put(c.name(), new ModuleOptions(device, p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("component " + c.name() + " (" + c.dtype() + ") cannot run on "
                        + device + ": " + e.getMessage() + "; use --device cuda or --dtype fp32/bf16", e);
            }
        }
        return out;
    }

    private static JsonNode readJson(Path file, Checks checks) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            checks.fail("reference", file.getFileName().toString(), "cannot read: " + e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------
    // component I/O
    // ------------------------------------------------------------------------------------------

    private static void verifyComponents(ModelBundle bundle, ModelRuntime runtime, Map<String, ModuleOptions> options,
            JsonNode index, double tolOverride, Checks checks) {
        PrintStream out = checks.out;
        if (!"component_io".equals(index.path("kind").asText())) {
            checks.fail("reference", "index.json", "kind must be \"component_io\", got " + index.get("kind"));
            return;
        }
        JsonNode comps = index.path("components");
        out.println();
        out.println("component I/O (reference/index.json)");
        checks.header();
        for (String name : ModelBundle.COMPONENTS) {
            JsonNode ref = comps.get(name);
            if (ref == null) {
                continue;
            }
            double tol = !Double.isNaN(tolOverride) ? tolOverride
                    : index.path("tolerances").path(name).asDouble(index.path("tolerance_abs").asDouble(DEFAULT_TOLERANCE));
            if (!bundle.has(name)) {
                checks.fail(name, "-", "the reference lists component " + name + ", which the manifest does not");
                continue;
            }
            ComponentSpec spec = bundle.manifest().components().get(name);
            List<HostTensor> inputs = new ArrayList<>();
            try {
                for (JsonNode p : ref.path("inputs")) {
                    inputs.add(Npy.read(bundle.dir().resolve(p.asText())));
                }
                Map<String, Long> bindings = new HashMap<>();
                for (int i = 0; i < inputs.size() && i < spec.inputs().size(); i++) {
                    spec.inputs().get(i).check(name + " reference input", inputs.get(i), bindings);
                }
            } catch (RuntimeException e) {
                checks.fail(name, "inputs", e.getMessage());
                continue;
            }
            List<HostTensor> outputs;
            try (LoadedModule module = runtime.load(bundle.componentFile(name, "verification"), options.get(name))) {
                outputs = module.forward(inputs);
            } catch (RuntimeException e) {
                checks.fail(name, "forward", e.getMessage());
                continue;
            }
            JsonNode expected = ref.path("outputs");
            if (expected.size() != outputs.size()) {
                checks.fail(name, "outputs", "returned " + outputs.size() + " outputs, the reference has "
                        + expected.size());
                continue;
            }
            for (int i = 0; i < outputs.size(); i++) {
                TensorSpec os = i < spec.outputs().size() ? spec.outputs().get(i) : null;
                String label = "out" + i + (os != null ? " " + os.name() : "");
                HostTensor want;
                try {
                    want = Npy.read(bundle.dir().resolve(expected.get(i).asText()));
                } catch (BundleException e) {
                    checks.fail(name, label, e.getMessage());
                    continue;
                }
                checks.compare(name, label, outputs.get(i), want, tol);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // pipeline
    // ------------------------------------------------------------------------------------------

    private static void verifyPipeline(ModelBundle bundle, ModelRuntime runtime, Map<String, ModuleOptions> options,
            Device device, JsonNode p, double tolOverride, Checks checks) {
        PrintStream out = checks.out;
        out.println();
        if (!"pipeline".equals(p.path("kind").asText())) {
            checks.fail("pipeline", "pipeline.json", "kind must be \"pipeline\", got " + p.get("kind"));
            return;
        }
        Manifest m = bundle.manifest();
        List<String> prompts = strings(p.get("prompts"));
        List<String> negatives = p.hasNonNull("negative_prompts") ? strings(p.get("negative_prompts")) : null;
        double length = p.path("audio_length_s").asDouble(m.defaults().audioLengthS());
        int steps = p.path("num_inference_steps").asInt(m.defaults().numInferenceSteps());
        double guidance = p.path("guidance_scale").asDouble(m.defaults().guidanceScale());
        double eta = p.path("eta").asDouble(0.0);
        long seed = p.path("seed").asLong(0);
        int n = p.path("num_waveforms_per_prompt").asInt(1);
        int maxNew = p.path("max_new_tokens").asInt(m.defaults().maxNewTokens());
        boolean guided = guidance > 1.0;
        double tolEmb = tol(p, "embeddings", tolOverride);
        double tolLat = tol(p, "latents", tolOverride);
        double tolWave = tol(p, "waveform", tolOverride);
        out.println("pipeline (" + bundle.dir().relativize(bundle.referenceDir()) + "/pipeline.json): prompts "
                + prompts + ", negative " + negatives + ", " + length + " s, " + steps + " steps, guidance " + guidance
                + ", eta " + eta + ", seed " + seed + ", " + n + " per prompt");
        JsonNode t = p.path("tensors");
        Map<String, HostTensor> ref = new HashMap<>();
        try {
            for (Map.Entry<String, JsonNode> e : t.properties()) {
                if (e.getValue().isTextual()) {
                    ref.put(e.getKey(), Npy.read(bundle.dir().resolve(e.getValue().asText())));
                }
            }
        } catch (BundleException e) {
            checks.fail("pipeline", "tensors", e.getMessage());
            return;
        }
        List<HostTensor> stepLatents = new ArrayList<>();
        for (JsonNode s : t.path("step_latents")) {
            stepLatents.add(Npy.read(bundle.dir().resolve(s.asText())));
        }
        checks.header();
        Manifest.Tokenizers tok = m.tokenizers();
        List<String> negRows = negatives != null ? negatives : new ArrayList<>(Collections.nCopies(prompts.size(), ""));
        // 1. tokenizers: the DJL tokenizers against the HF tokenizer ids
        if (ref.containsKey("positive_clap_input_ids")) {
            try (TextTokenizer clap = new TextTokenizer(bundle.tokenizerFile("clap", "verification"), tok.clap().padId());
                 TextTokenizer t5 = new TextTokenizer(bundle.tokenizerFile("t5", "verification"), tok.t5().padId())) {
                int lt = t5.longest(prompts, tok.t5MaxLength());
                tokens(checks, "positive", clap.encodeBatch(prompts, tok.clapMaxLength()),
                        t5.encodeBatch(prompts, lt), ref);
                if (guided && ref.containsKey("negative_clap_input_ids")) {
                    tokens(checks, "negative", clap.encodeBatch(negRows, tok.clapMaxLength()),
                            t5.encodeBatch(negRows, lt), ref);
                }
            } catch (RuntimeException e) {
                checks.fail("tokens", "-", e.getMessage());
            }
        }
        Map<String, ModuleOptions> overrides = new HashMap<>(options);
        ModuleOptions defaults = options.getOrDefault("unet", ModuleOptions.CPU_FP32);
        try (AudioLdm2Models models = AudioLdm2Models.open(bundle, runtime, defaults, overrides)) {
            // 2. text conditioning
            if (ref.containsKey("generated_prompt_embeds")) {
                try (TextConditioner text = new TextConditioner(models)) {
                    Conditioning c = text.encode(prompts, negatives, n, guided, maxNew);
                    checks.compare("condition", "generated_prompt_embeds", c.generated(),
                            ref.get("generated_prompt_embeds"), tolEmb);
                    checks.compare("condition", "prompt_embeds (T5)", c.t5Hidden(), ref.get("prompt_embeds"), tolEmb);
                    checks.compare("condition", "attention_mask", c.t5Mask(), ref.get("attention_mask"), 0);
                } catch (RuntimeException e) {
                    checks.fail("condition", "-", e.getMessage());
                }
            }
            HostTensor init = ref.get("initial_latents");
            if (init == null) {
                checks.fail("pipeline", "initial_latents", "pipeline.json has no initial_latents");
                return;
            }
            List<TorchGenerator.Kernel> kernels = reproducingKernels(init, seed);
            out.println("  (initial latents " + (kernels.isEmpty() ? "not reproduced by TorchGenerator from the seed"
                    : "reproduced by TorchGenerator(seed) with kernel "
                    + String.join("/", kernels.stream().map(Enum::name).toList())) + "; the stored latents are used)");
            // the reference's later draws (DDIM eta noise) come from the kernel that drew its latents
            TorchGenerator.Kernel kernel = kernels.isEmpty() ? TorchGenerator.machineKernel() : kernels.get(0);
            // 3. the first denoising steps from the stored conditioning and latents
            if (!stepLatents.isEmpty() && ref.containsKey("generated_prompt_embeds")) {
                try {
                    denoisingSteps(checks, models, m, ref, init, stepLatents, steps, guidance, eta,
                            new TorchGenerator(seed, kernel), tolLat);
                } catch (RuntimeException e) {
                    checks.fail("steps", "-", e.getMessage());
                }
            }
            // 4. VAE decoding of the stored final latents
            if (ref.containsKey("final_latents") && ref.containsKey("mel")) {
                try {
                    HostTensor fin = ref.get("final_latents");
                    float s = (float) m.vae().scalingFactor();
                    float[] z = fin.floats().clone();
                    for (int i = 0; i < z.length; i++) {
                        z[i] /= s;
                    }
                    checks.compare("decode", "mel", models.vaeDecoder().decode(HostTensor.ofFloats(z, fin.shape())),
                            ref.get("mel"), tolWave);
                } catch (RuntimeException e) {
                    checks.fail("decode", "mel", e.getMessage());
                }
            }
            // 5. the whole generation with the stored initial latents
            try {
                GenerationRequest.Builder b = GenerationRequest.builder(prompts).audioLengthS(length)
                        .numInferenceSteps(steps).guidanceScale(guidance).eta(eta).seed(seed)
                        .numWaveformsPerPrompt(n).maxNewTokens(maxNew).initialLatents(init.floats())
                        .rankWithClap(false);
                if (negatives != null) {
                    b.negativePrompts(negatives);
                }
                GeneratedAudio audio = new AudioLdm2Pipeline(models).generate(b.build());
                if (ref.containsKey("final_latents")) {
                    checks.compare("generate", "final_latents", HostTensor.ofFloats(audio.latents(),
                            audio.latentShape()), ref.get("final_latents"), tolLat);
                }
                HostTensor wave = ref.get("waveform");
                if (wave != null) {
                    checks.compare("generate", "waveform", stack(audio.waveforms()), wave, tolWave);
                }
            } catch (RuntimeException e) {
                checks.fail("generate", "-", e.getMessage());
            }
        }
    }

    private static double tol(JsonNode p, String key, double override) {
        if (!Double.isNaN(override)) {
            return override;
        }
        return p.path("tolerances").path(key).asDouble(DEFAULT_PIPELINE_TOLERANCE);
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        if (arr != null) {
            for (JsonNode s : arr) {
                out.add(s.asText());
            }
        }
        return out;
    }

    private static void tokens(Checks checks, String branch, TokenBatch clap, TokenBatch t5, Map<String, HostTensor> ref) {
        checks.compare("tokens", branch + " clap input_ids", clap.idsTensor(), ref.get(branch + "_clap_input_ids"), 0);
        checks.compare("tokens", branch + " clap attention_mask", clap.maskTensor(),
                ref.get(branch + "_clap_attention_mask"), 0);
        checks.compare("tokens", branch + " t5 input_ids", t5.idsTensor(), ref.get(branch + "_t5_input_ids"), 0);
        checks.compare("tokens", branch + " t5 attention_mask", t5.maskTensor(), ref.get(branch + "_t5_attention_mask"),
                0);
    }

    /** The kernels with which TorchGenerator reproduces the stored initial latents from the seed. */
    private static List<TorchGenerator.Kernel> reproducingKernels(HostTensor init, long seed) {
        List<TorchGenerator.Kernel> kernels = new ArrayList<>();
        for (TorchGenerator.Kernel k : TorchGenerator.Kernel.values()) {
            if (Arrays.equals(new TorchGenerator(seed, k).randn(init.shape()), init.floats())) {
                kernels.add(k);
            }
        }
        return kernels;
    }

    /**
     * The first denoising steps from the stored conditioning and initial latents, through the
     * pipeline's own loop ({@link Denoiser}); a step hook compares the latents after each step.
     */
    private static void denoisingSteps(Checks checks, AudioLdm2Models models, Manifest m, Map<String, HostTensor> ref,
            HostTensor init, List<HostTensor> stepLatents, int steps, double guidance, double eta,
            TorchGenerator generator, double tol) {
        Scheduler scheduler = Schedulers.create(m.scheduler(), eta);
        scheduler.setTimesteps(steps);
        float[] timesteps = scheduler.timesteps();
        if (ref.containsKey("timesteps")) {
            checks.compare("steps", "timesteps", HostTensor.ofFloats(timesteps, timesteps.length), ref.get("timesteps"),
                    0);
        }
        boolean guided = guidance > 1.0;
        long[] shape = init.shape();
        Conditioning cond = new Conditioning(ref.get("generated_prompt_embeds"), ref.get("prompt_embeds"),
                ref.get("attention_mask"), (int) shape[0], 1, guided);
        float[] x = init.floats().clone();
        float sigma = scheduler.initNoiseSigma();
        for (int i = 0; i < x.length; i++) {
            x[i] *= sigma;
        }
        int k = Math.min(stepLatents.size(), timesteps.length);
        Denoiser.Job job = new Denoiser.Job(models.unet(), scheduler, Arrays.copyOf(timesteps, k), x, shape, cond,
                guidance, generator, null);
        Denoiser.run(job, end -> {
            checks.compare("steps", "latents after step " + (end.index() + 1) + " (t=" + (int) end.timestep() + ")",
                    HostTensor.ofFloats(end.latents(), end.shape()), stepLatents.get(end.index()), tol);
            return null;
        }, ProgressListener.NONE, CancellationToken.none());
    }

    private static HostTensor stack(List<float[]> rows) {
        int len = rows.isEmpty() ? 0 : rows.get(0).length;
        float[] all = new float[rows.size() * len];
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).length != len) {
                throw new IllegalStateException("waveforms have different lengths");
            }
            System.arraycopy(rows.get(i), 0, all, i * len, len);
        }
        return HostTensor.ofFloats(all, rows.size(), len);
    }

    // ------------------------------------------------------------------------------------------
    // results
    // ------------------------------------------------------------------------------------------

    /** Collects and prints one line per compared tensor. */
    static final class Checks {
        private static final String ROW = "  %-11s %-42s %-18s %10s %10s %9s  %s%n";
        final PrintStream out;
        private int passed;
        private int failed;

        Checks(PrintStream out) {
            this.out = out;
        }

        void header() {
            out.printf(Locale.ROOT, ROW, "scope", "tensor", "shape", "max_abs", "max_rel", "tol", "result");
        }

        boolean failed() {
            return failed > 0;
        }

        void fail(String scope, String what, String message) {
            failed++;
            out.printf(Locale.ROOT, "  %-11s %-42s FAIL: %s%n", scope, what, message);
        }

        /**
         * Compares one tensor: floats pass when finite and {@code maxAbs <= tol * max(1, peak)}, integer and
         * bool tensors when equal.
         */
        void compare(String scope, String name, HostTensor actual, HostTensor expected, double tol) {
            if (expected == null) {
                fail(scope, name, "missing from the reference");
                return;
            }
            String shape = Arrays.toString(expected.shape());
            if (!Arrays.equals(actual.shape(), expected.shape())) {
                fail(scope, name, "shape " + Arrays.toString(actual.shape()) + ", reference " + shape);
                return;
            }
            if (actual.dtype() != expected.dtype()) {
                fail(scope, name, "dtype " + actual.dtype() + ", reference " + expected.dtype());
                return;
            }
            if (expected.dtype() != HostTensor.DType.FLOAT32) {
                long bad = mismatches(actual, expected);
                boolean ok = bad == 0;
                record(ok);
                out.printf(Locale.ROOT, ROW, scope, name, shape, ok ? "equal" : bad + " differ", "", "exact",
                        ok ? "PASS" : "FAIL");
                return;
            }
            float[] a = actual.floats();
            float[] e = expected.floats();
            double maxAbs = 0;
            double peak = 0;
            boolean finite = true;
            for (int i = 0; i < e.length; i++) {
                if (!Float.isFinite(a[i])) {
                    finite = false;
                }
                maxAbs = Math.max(maxAbs, Math.abs((double) a[i] - e[i]));
                peak = Math.max(peak, Math.abs((double) e[i]));
            }
            double rel = peak > 0 ? maxAbs / peak : maxAbs;
            boolean ok = finite && maxAbs <= tol * Math.max(1.0, peak);
            record(ok);
            out.printf(Locale.ROOT, ROW, scope, name, shape, finite ? fmt(maxAbs) : "non-finite", fmt(rel), fmt(tol),
                    ok ? "PASS" : "FAIL");
        }

        private static long mismatches(HostTensor a, HostTensor e) {
            long bad = 0;
            if (e.dtype() == HostTensor.DType.INT64) {
                long[] x = a.longs();
                long[] y = e.longs();
                for (int i = 0; i < y.length; i++) {
                    bad += x[i] != y[i] ? 1 : 0;
                }
            } else {
                boolean[] x = a.bools();
                boolean[] y = e.bools();
                for (int i = 0; i < y.length; i++) {
                    bad += x[i] != y[i] ? 1 : 0;
                }
            }
            return bad;
        }

        private void record(boolean ok) {
            if (ok) {
                passed++;
            } else {
                failed++;
            }
        }

        private static String fmt(double v) {
            return String.format(Locale.ROOT, "%.3e", v);
        }

        String summary() {
            return (failed == 0 ? "PASS" : "FAIL") + ": " + passed + " passed, " + failed + " failed";
        }
    }
}
