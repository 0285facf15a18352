package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.io.AudioEncoder;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.GeneratedAudio;
import io.github.audioldm4j.pipeline.GenerationRequest;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.scheduler.Schedulers;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Text-to-audio from the command line. Run with {@code --help} for usage. */
public final class Generate {
    static final String USAGE = "Usage: Generate --bundle DIR --prompt TEXT [options]\n"
            + "Text-to-audio with an AudioLDM2 bundle.\n"
            + "  --bundle DIR       model bundle directory (manifest.json + TorchScript files)\n"
            + "  --prompt TEXT      prompt; several prompts separated by '|'\n"
            + "  --negative TEXT    negative prompt(s), one per prompt, separated by '|'\n"
            + "  --length S         audio length in seconds (default 10.24)\n"
            + "  --steps N          denoising steps (default 200)\n"
            + "  --guidance G       classifier-free guidance scale (default 3.5)\n"
            + "  --eta E            DDIM eta (default 0)\n"
            + "  --scheduler NAME   one of " + Schedulers.SUPPORTED + " (default: the bundle's)\n"
            + "  --seed N           random seed (default 0; same seed = same audio)\n"
            + "  --waveforms N      waveforms per prompt, ranked with CLAP when the bundle has clap_audio (default 1)\n"
            + "  --out PATH         output file; .wav/.flac/.mp3/.ogg (default generated.wav); several outputs get _N\n"
            + Runtimes.HELP
            + "  --help             this text\n";

    /** API parameter -> CLI option, for error messages. */
    static final java.util.Map<String, String> OPTIONS = java.util.Map.of("prompts", "prompt", "negativePrompts",
            "negative", "audioLengthS", "length", "numInferenceSteps", "steps", "guidanceScale", "guidance", "eta", "eta",
            "numWaveformsPerPrompt", "waveforms", "seed", "seed");

    private Generate() {}

    public static void main(String[] args) {
        ExampleMain.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return ExampleMain.guard(err, USAGE, () -> {
            Cli cli = new Cli(args, Set.of("bundle", "prompt", "negative", "length", "steps", "guidance", "eta", "scheduler",
                    "seed", "waveforms", "out", "runtime", "device", "dtype"), Set.of("help"));
            if (cli.flag("help")) {
                out.print(USAGE);
                return 0;
            }
            Path bundleDir = cli.directory("bundle");
            List<String> prompts = cli.all("prompt");
            if (prompts.isEmpty()) {
                throw new Cli.UsageException("option --prompt is required");
            }
            Path outPath = cli.outputAudio("out", "generated.wav");
            GenerationRequest request;
            ModelBundle bundle = ModelBundle.open(bundleDir);
            SchedulerConfig scheduler = bundle.manifest().scheduler();
            try {
                GenerationRequest.Builder b = GenerationRequest.builder(prompts)
                        .audioLengthS(cli.number("length", 10.24))
                        .numInferenceSteps(cli.integer("steps", 200))
                        .guidanceScale(cli.number("guidance", 3.5))
                        .eta(cli.number("eta", 0.0))
                        .seed(cli.longValue("seed", 0))
                        .numWaveformsPerPrompt(cli.integer("waveforms", 1));
                if (cli.has("negative")) {
                    b.negativePrompts(cli.all("negative"));
                }
                if (cli.has("scheduler")) {
                    String name = cli.string("scheduler", "");
                    if (!Schedulers.SUPPORTED.contains(name)) {
                        throw new Cli.UsageException("option --scheduler must be one of "
                                + String.join(", ", Schedulers.SUPPORTED) + ", got \"" + name + "\"");
                    }
                    scheduler = scheduler.with("_class_name", name);
                    b.scheduler(scheduler);
                }
                request = b.build();
                // the schedule's real step range, before any model loads
                Schedulers.checkInferenceSteps("numInferenceSteps", scheduler, request.numInferenceSteps());
            } catch (IllegalArgumentException e) {
                throw Cli.usage(e, OPTIONS);
            }
            try (ModelRuntime runtime = Runtimes.runtime(cli);
                    AudioLdm2Pipeline pipeline = AudioLdm2Pipeline.open(bundle, runtime, Runtimes.options(cli))) {
                long t0 = System.nanoTime();
                GeneratedAudio audio = pipeline.generate(request, new ConsoleProgress("denoising"),
                        CancellationToken.none());
                double secs = (System.nanoTime() - t0) / 1e9;
                List<float[]> waves = audio.waveforms();
                for (int i = 0; i < waves.size(); i++) {
                    Path p = waves.size() == 1 ? outPath : numbered(outPath, i);
                    if (p.toAbsolutePath().getParent() != null) {
                        Files.createDirectories(p.toAbsolutePath().getParent());
                    }
                    AudioEncoder.encode(waves.get(i), audio.sampleRate(), p);
                    String score = audio.clapScores() == null ? ""
                            : String.format(Locale.ROOT, "  (CLAP similarity %.3f)", audio.clapScores()[i]);
                    out.println("wrote " + p.toAbsolutePath() + score);
                }
                out.printf(Locale.ROOT, "generated %d waveform(s) of %.2f s in %.1f s (seed %d, %s)%n", waves.size(),
                        waves.get(0).length / (double) audio.sampleRate(), secs, audio.seed(), runtime.describe());
            }
            return 0;
        });
    }

    static Path numbered(Path p, int i) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : ".wav";
        return p.resolveSibling(stem + "_" + i + ext);
    }
}
