package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.Crossover;
import io.github.audioldm4j.io.AudioEncoder;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.AudioLength;
import io.github.audioldm4j.io.AudioInput;
import io.github.audioldm4j.pipeline.AudioToAudioRequest;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.LatentMask;
import io.github.audioldm4j.pipeline.LatentSampling;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.scheduler.Schedulers;
import io.github.audioldm4j.util.Check;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Diffusion-based audio-to-audio: SDEdit and the reconstruction hybrids. */
public final class Refine {
    static final String USAGE = "Usage: Refine --bundle DIR --input FILE [options]\n"
            + "Audio-to-audio with AudioLDM2 diffusion.\n"
            + "  --bundle DIR       model bundle directory\n"
            + "  --input FILE       any FFmpeg-readable audio file (decoded to 16 kHz mono)\n"
            + "  --mode M           sdedit (default): noise to --strength, denoise with --prompt\n"
            + "                     guided: keep the original below --cutoff, regenerate above (re-injected every step)\n"
            + "                     bandsplit: VAE reconstruction below --cutoff + SDEdit above\n"
            + "                     cascade: VAE reconstruction, then SDEdit of it at --strength\n"
            + "                     inpaint: regenerate the time range --from..--to (fractions, default 0.4..0.6)\n"
            + "  --prompt TEXT      text condition (default \"\")\n"
            + "  --negative TEXT    negative prompt\n"
            + "  --strength S       in (0, 1]: fraction of the schedule to run (default 0.5; guided/inpaint 1.0)\n"
            + "  --steps N          schedule length (default 200; strength*N steps run)\n"
            + "  --guidance G       guidance scale (default 3.5)\n"
            + "  --cutoff HZ        band edge for guided/bandsplit (default 4000)\n"
            + "  --transition HZ    crossover width for bandsplit (default 500)\n"
            + "  --from F --to F    inpainting range as fractions of the duration\n"
            + "  --sampling S       mode (default) or sample\n"
            + "  --seed N           seed (default 0)\n"
            + "  --no-normalize     skip AudioLDM2's peak normalisation\n"
            + "  --out PATH         output file (default refined.wav)\n"
            + Runtimes.HELP
            + "  --help             this text\n";

    /** API parameter -> CLI option, for error messages. */
    static final java.util.Map<String, String> OPTIONS = java.util.Map.of("strength", "strength", "numInferenceSteps",
            "steps", "guidanceScale", "guidance", "cutoffHz", "cutoff", "transitionHz", "transition", "startFraction",
            "from", "endFraction", "to", "prompt", "prompt", "negativePrompt", "negative");

    private Refine() {}

    public static void main(String[] args) {
        ExampleMain.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return ExampleMain.guard(err, USAGE, () -> {
            Cli cli = new Cli(args, Set.of("bundle", "input", "mode", "prompt", "negative", "strength", "steps",
                    "guidance", "cutoff", "transition", "from", "to", "sampling", "seed", "out", "runtime", "device",
                    "dtype"), Set.of("help", "no-normalize"));
            if (cli.flag("help")) {
                out.print(USAGE);
                return 0;
            }
            Path bundleDir = cli.directory("bundle");
            Path input = cli.existingFile("input");
            String mode = cli.choice("mode", "sdedit", "sdedit", "guided", "bandsplit", "cascade", "inpaint");
            boolean fromNoise = mode.equals("guided") || mode.equals("inpaint");
            AudioToAudioRequest request;
            try {
                AudioToAudioRequest.Builder b = AudioToAudioRequest.builder()
                        .prompt(cli.string("prompt", ""))
                        .strength(cli.number("strength", fromNoise ? 1.0 : 0.5))
                        .numInferenceSteps(cli.integer("steps", 200))
                        .guidanceScale(cli.number("guidance", 3.5))
                        .seed(cli.longValue("seed", 0))
                        .latentSampling(cli.choice("sampling", "mode", "mode", "sample").equals("mode")
                                ? LatentSampling.MODE : LatentSampling.SAMPLE)
                        .normalizeInput(!cli.flag("no-normalize"));
                if (cli.has("negative")) {
                    b.negativePrompt(cli.string("negative", ""));
                }
                request = b.build();
            } catch (IllegalArgumentException e) {
                throw Cli.usage(e, OPTIONS);
            }
            double cutoff = cli.number("cutoff", 4000);
            double transition = cli.number("transition", 500);
            double from = cli.number("from", 0.4);
            double to = cli.number("to", 0.6);
            Path outPath = cli.outputAudio("out", "refined.wav");
            ModelBundle bundle = ModelBundle.open(bundleDir);
            Manifest m = bundle.manifest();
            // everything that can be checked without a model, before the audio is decoded
            try {
                Schedulers.checkInferenceSteps("numInferenceSteps",
                        request.scheduler() != null ? request.scheduler() : m.scheduler(), request.numInferenceSteps());
                switch (mode) {
                    case "bandsplit":
                        new Crossover(AudioLdm2MelExtractor.SAMPLE_RATE, cutoff, transition);
                        break;
                    case "guided":
                        Check.inRange("cutoffHz", cutoff, 1.0, m.mel().fMax());
                        break;
                    case "inpaint":
                        LatentMask.regenerateTime(8, 16, from, to);
                        break;
                    default:
                        break;
                }
            } catch (IllegalArgumentException e) {
                throw Cli.usage(e, OPTIONS);
            }
            float[] audio;
            try {
                audio = AudioInput.decode(input, AudioLdm2MelExtractor.SAMPLE_RATE, AudioLength.MAX_SECONDS);
            } catch (IllegalArgumentException e) {
                throw new Cli.UsageException("option --input: " + e.getMessage());
            }
            long t0 = System.nanoTime();
            float[] result;
            try (ModelRuntime runtime = Runtimes.runtime(cli);
                    AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, Runtimes.options(cli))) {
                ConsoleProgress progress = new ConsoleProgress(mode);
                CancellationToken none = CancellationToken.none();
                switch (mode) {
                    case "guided":
                        result = p.guidedReconstructBelow(audio, request, cutoff, progress, none);
                        break;
                    case "bandsplit":
                        result = p.bandSplit(audio, request, cutoff, transition, progress, none);
                        break;
                    case "cascade":
                        result = p.cascade(audio, request, progress, none);
                        break;
                    case "inpaint":
                        result = p.inpaintTime(audio, request, from, to, progress, none);
                        break;
                    default:
                        result = p.refine(audio, request, progress, none);
                        break;
                }
            }
            if (outPath.toAbsolutePath().getParent() != null) {
                Files.createDirectories(outPath.toAbsolutePath().getParent());
            }
            AudioEncoder.encode(result, AudioLdm2MelExtractor.SAMPLE_RATE, outPath);
            out.printf(Locale.ROOT, "%s of %s (%.2f s, strength %.2f) in %.1f s%nwrote %s%n", mode, input,
                    audio.length / 16000.0, request.strength(), (System.nanoTime() - t0) / 1e9, outPath.toAbsolutePath());
            return 0;
        });
    }
}
