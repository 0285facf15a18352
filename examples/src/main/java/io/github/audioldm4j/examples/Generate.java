package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.io.AudioEncoder;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.GeneratedAudio;
import io.github.audioldm4j.pipeline.GenerationRequest;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.scheduler.Schedulers;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code audioldm4j generate}: text-to-audio. Defaults come from the bundle's manifest. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Text-to-audio with an AudioLDM2 bundle. Length, steps, guidance and eta default to the "
                + "bundle manifest's defaults.")
public final class Generate extends ModelCommand implements Callable<Integer> {
    /** API parameter -> CLI option, for error messages. */
    static final Map<String, String> OPTIONS = Map.of("prompts", "prompt", "negativePrompts",
            "negative", "audioLengthS", "length", "numInferenceSteps", "steps", "guidanceScale", "guidance", "eta", "eta",
            "numWaveformsPerPrompt", "waveforms", "seed", "seed");

    @Option(names = "--bundle", required = true, paramLabel = "DIR",
            description = "model bundle directory (manifest.json + TorchScript files)")
    Path bundleDir;
    @Option(names = "--prompt", required = true, paramLabel = "TEXT", split = "\\|",
            description = "prompt; several prompts separated by '|'")
    List<String> prompts;
    @Option(names = "--negative", paramLabel = "TEXT", split = "\\|",
            description = "negative prompt(s), one per prompt, separated by '|'")
    List<String> negatives;
    @Option(names = "--length", paramLabel = "S", description = "audio length in seconds (default: manifest, 10.24)")
    Double length;
    @Option(names = "--steps", paramLabel = "N", description = "denoising steps (default: manifest, 200)")
    Integer steps;
    @Option(names = "--guidance", paramLabel = "G", description = "classifier-free guidance scale (default: manifest, 3.5)")
    Double guidance;
    @Option(names = "--eta", paramLabel = "E", description = "DDIM eta (default: manifest, 0)")
    Double eta;
    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "scheduler class: ${COMPLETION-CANDIDATES} (default: the bundle's)",
            completionCandidates = SchedulerNames.class)
    String scheduler;
    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "random seed (same seed = same audio)")
    long seed;
    @Option(names = "--waveforms", paramLabel = "N", defaultValue = "1",
            description = "waveforms per prompt, ranked with CLAP when the bundle has clap_audio")
    int waveforms;
    @Option(names = "--out", paramLabel = "PATH", defaultValue = "generated.wav",
            description = "output file (.wav/.flac/.mp3/.ogg); several outputs get _N")
    Path outPath;
    @Option(names = "--initial-latents", paramLabel = "FILE.npy", description = "start from these latents "
            + "(float32 [prompts x waveforms, 8, frames/4, 16], unscaled, as diffusers' latents=) instead of the seed's")
    Path initialLatentsFile;
    @Option(names = "--npy-out", paramLabel = "DIR", description = "also write the exact float32 results: "
            + "final_latents.npy and waveform_N.npy (for comparisons, e.g. torchscript-models/upstream/parity.py)")
    Path npyOut;

    /** The scheduler class names, for help and completion. */
    static final class SchedulerNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        SchedulerNames() {
            super(Schedulers.SUPPORTED);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@code audioldm4j generate ARGS}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Audioldm4j.run(out, err, Commands.prepend("generate", args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = top.out();
        CliChecks.directory(spec, "--bundle", bundleDir);
        CliChecks.outputAudio(spec, "--out", outPath);
        runtimeOptions.check();
        float[] initialLatents = null;
        if (initialLatentsFile != null) {
            if (!Files.isRegularFile(initialLatentsFile)) {
                throw CliChecks.usage(spec, "option --initial-latents must be a .npy file, got " + initialLatentsFile
                        + " (no such file)");
            }
            HostTensor t;
            try {
                t = Npy.read(initialLatentsFile);
            } catch (RuntimeException e) {
                throw CliChecks.usage(spec, "option --initial-latents: " + e.getMessage());
            }
            if (t.dtype() != HostTensor.DType.FLOAT32 || t.shape().length != 4) {
                throw CliChecks.usage(spec, "option --initial-latents must hold float32 latents of rank 4 [B, C, H, W], "
                        + "got " + t);
            }
            initialLatents = t.floats();
        }
        if (npyOut != null) {
            CliChecks.outputDirectory(spec, "--npy-out", npyOut);
        }
        ModelBundle bundle = ModelBundle.open(bundleDir);
        Manifest.Defaults d = bundle.manifest().defaults();
        SchedulerConfig schedulerConfig = bundle.manifest().scheduler();
        GenerationRequest request;
        try {
            GenerationRequest.Builder b = GenerationRequest.builder(prompts)
                    .audioLengthS(length != null ? length : d.audioLengthS())
                    .numInferenceSteps(steps != null ? steps : d.numInferenceSteps())
                    .guidanceScale(guidance != null ? guidance : d.guidanceScale())
                    .eta(eta != null ? eta : d.eta())
                    .maxNewTokens(d.maxNewTokens())
                    .seed(seed)
                    .numWaveformsPerPrompt(waveforms);
            if (negatives != null) {
                b.negativePrompts(negatives);
            }
            if (initialLatents != null) {
                b.initialLatents(initialLatents);
            }
            if (scheduler != null) {
                schedulerConfig = schedulerConfig.with("_class_name", CliChecks.schedulerClass(spec, scheduler));
                b.scheduler(schedulerConfig);
            }
            request = b.build();
            // the schedule's real step range, before any model loads
            Schedulers.checkInferenceSteps("numInferenceSteps", schedulerConfig, request.numInferenceSteps());
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, e, OPTIONS);
        }
        ModuleOptions options = runtimeOptions.options();
        try (ModelRuntime runtime = runtimeOptions.runtime();
                AudioLdm2Pipeline pipeline = AudioLdm2Pipeline.open(bundle, runtime, options)) {
            long t0 = System.nanoTime();
            ProgressListener progress = output.quiet ? ConsoleProgress.warningsOnly(top.err())
                    : new ConsoleProgress("denoising", top.err());
            GeneratedAudio audio = pipeline.generate(request, progress, CancellationToken.none());
            double secs = (System.nanoTime() - t0) / 1e9;
            List<float[]> waves = audio.waveforms();
            List<Map<String, Object>> files = new ArrayList<>();
            for (int i = 0; i < waves.size(); i++) {
                Path p = waves.size() == 1 ? outPath : numbered(outPath, i);
                if (p.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(p.toAbsolutePath().getParent());
                }
                AudioEncoder.encode(waves.get(i), audio.sampleRate(), p);
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("path", p.toAbsolutePath().toString());
                f.put("clap_score", audio.clapScores() == null ? null : (double) audio.clapScores()[i]);
                files.add(f);
                if (!output.json) {
                    String score = audio.clapScores() == null ? ""
                            : String.format(Locale.ROOT, "  (CLAP similarity %.3f)", audio.clapScores()[i]);
                    out.println("wrote " + p.toAbsolutePath() + score);
                }
            }
            List<String> npyFiles = new ArrayList<>();
            if (npyOut != null) {
                Files.createDirectories(npyOut);
                Path lat = npyOut.resolve("final_latents.npy");
                Npy.write(lat, HostTensor.ofFloats(audio.latents(), audio.latentShape()));
                npyFiles.add(lat.toAbsolutePath().toString());
                for (int i = 0; i < waves.size(); i++) {
                    Path w = npyOut.resolve("waveform_" + i + ".npy");
                    Npy.write(w, HostTensor.ofFloats(waves.get(i), waves.get(i).length));
                    npyFiles.add(w.toAbsolutePath().toString());
                }
                if (!output.json) {
                    npyFiles.forEach(f -> out.println("wrote " + f));
                }
            }
            double seconds = waves.get(0).length / (double) audio.sampleRate();
            if (output.json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("command", "generate");
                j.put("files", files);
                if (npyOut != null) {
                    j.put("npy_files", npyFiles);
                }
                j.put("sample_rate", audio.sampleRate());
                j.put("audio_seconds", seconds);
                j.put("steps", request.numInferenceSteps());
                j.put("seed", audio.seed());
                j.put("elapsed_seconds", secs);
                j.put("runtime", runtime.describe());
                JsonOut.print(out, j);
            } else {
                out.printf(Locale.ROOT, "generated %d waveform(s) of %.2f s in %.1f s (seed %d, %s)%n", waves.size(),
                        seconds, secs, audio.seed(), runtime.describe());
            }
        }
        return 0;
    }

    static Path numbered(Path p, int i) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : ".wav";
        return p.resolveSibling(stem + "_" + i + ext);
    }
}
