package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.Crossover;
import io.github.audioldm4j.io.AudioInput;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.AudioLength;
import io.github.audioldm4j.pipeline.AudioToAudioRequest;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.LatentMask;
import io.github.audioldm4j.pipeline.LatentSampling;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.scheduler.Schedulers;
import io.github.audioldm4j.util.Check;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code audioldm4j refine}: diffusion-based audio-to-audio, SDEdit and the reconstruction hybrids. */
@Command(name = "refine", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Audio-to-audio with AudioLDM2 diffusion: SDEdit and the reconstruction hybrids.")
public final class Refine implements Callable<Integer> {
    /** API parameter -> CLI option, for error messages. */
    static final Map<String, String> OPTIONS = Map.of("strength", "strength", "numInferenceSteps",
            "steps", "guidanceScale", "guidance", "cutoffHz", "cutoff", "transitionHz", "transition", "startFraction",
            "from", "endFraction", "to", "prompt", "prompt", "negativePrompt", "negative");

    /** The audio-to-audio modes. */
    enum Mode { sdedit, guided, bandsplit, cascade, inpaint }

    @ParentCommand
    Audioldm4j top;
    @Spec
    CommandSpec spec;
    @Mixin
    RuntimeOptions runtimeOptions;
    @Mixin
    OutputOptions output;

    @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "model bundle directory")
    Path bundleDir;
    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "any FFmpeg-readable audio file (decoded to 16 kHz mono, at most 60 s)")
    Path input;
    @Option(names = "--mode", paramLabel = "M", defaultValue = "sdedit", description = "sdedit (default): noise to "
            + "--strength, denoise with --prompt; guided: keep the original below --cutoff, regenerate above; "
            + "bandsplit: VAE reconstruction below --cutoff + SDEdit above; cascade: VAE reconstruction, then SDEdit "
            + "of it; inpaint: regenerate the time range --from..--to")
    Mode mode;
    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "", description = "text condition (default \"\")")
    String prompt;
    @Option(names = "--negative", paramLabel = "TEXT", description = "negative prompt")
    String negative;
    @Option(names = "--strength", paramLabel = "S",
            description = "in (0, 1]: fraction of the schedule to run (default 0.5; guided/inpaint 1.0)")
    Double strength;
    @Option(names = "--steps", paramLabel = "N", description = "schedule length (default: manifest, 200)")
    Integer steps;
    @Option(names = "--guidance", paramLabel = "G", description = "guidance scale (default: manifest, 3.5)")
    Double guidance;
    @Option(names = "--cutoff", paramLabel = "HZ", defaultValue = "4000", description = "band edge for guided/bandsplit")
    double cutoff;
    @Option(names = "--transition", paramLabel = "HZ", defaultValue = "500", description = "crossover width for bandsplit")
    double transition;
    @Option(names = "--from", paramLabel = "F", defaultValue = "0.4", description = "inpainting start (fraction)")
    double from;
    @Option(names = "--to", paramLabel = "F", defaultValue = "0.6", description = "inpainting end (fraction)")
    double to;
    @Option(names = "--sampling", paramLabel = "S", defaultValue = "mode", description = "mode (default) or sample")
    String sampling;
    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "seed")
    long seed;
    @Option(names = "--no-normalize", description = "skip AudioLDM2's peak normalisation")
    boolean noNormalize;
    @Option(names = "--out", paramLabel = "PATH", defaultValue = "refined.wav", description = "output file")
    Path outPath;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@code audioldm4j refine ARGS}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Audioldm4j.run(out, err, Commands.prepend("refine", args));
    }

    static LatentSampling sampling(CommandSpec spec, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "mode":
                return LatentSampling.MODE;
            case "sample":
                return LatentSampling.SAMPLE;
            default:
                throw CliChecks.usage(spec, "option --sampling must be one of mode, sample, got \"" + value + "\"");
        }
    }

    @Override
    public Integer call() throws Exception {
        CliChecks.directory(spec, "--bundle", bundleDir);
        CliChecks.existingFile(spec, "--input", input);
        CliChecks.outputAudio(spec, "--out", outPath);
        runtimeOptions.check();
        boolean fromNoise = mode == Mode.guided || mode == Mode.inpaint;
        ModelBundle bundle = ModelBundle.open(bundleDir);
        Manifest m = bundle.manifest();
        AudioToAudioRequest request;
        // everything that can be checked without a model, before the audio is decoded
        try {
            AudioToAudioRequest.Builder b = AudioToAudioRequest.builder()
                    .prompt(prompt)
                    .strength(strength != null ? strength : fromNoise ? 1.0 : 0.5)
                    .numInferenceSteps(steps != null ? steps : m.defaults().numInferenceSteps())
                    .guidanceScale(guidance != null ? guidance : m.defaults().guidanceScale())
                    .seed(seed)
                    .latentSampling(sampling(spec, sampling))
                    .normalizeInput(!noNormalize);
            if (negative != null) {
                b.negativePrompt(negative);
            }
            request = b.build();
            Schedulers.checkInferenceSteps("numInferenceSteps",
                    request.scheduler() != null ? request.scheduler() : m.scheduler(), request.numInferenceSteps());
            switch (mode) {
                case bandsplit:
                    new Crossover(AudioLdm2MelExtractor.SAMPLE_RATE, cutoff, transition);
                    break;
                case guided:
                    Check.inRange("cutoffHz", cutoff, 1.0, m.mel().fMax());
                    break;
                case inpaint:
                    LatentMask.regenerateTime(8, 16, from, to);
                    break;
                default:
                    break;
            }
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, e, OPTIONS);
        }
        float[] audio;
        try {
            audio = AudioInput.decode(input, AudioLdm2MelExtractor.SAMPLE_RATE, AudioLength.MAX_SECONDS);
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, "option --input: " + e.getMessage());
        }
        long t0 = System.nanoTime();
        float[] result;
        ModuleOptions options = runtimeOptions.options();
        try (ModelRuntime runtime = runtimeOptions.runtime();
                AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, options)) {
            ProgressListener progress = output.quiet ? ConsoleProgress.warningsOnly(top.err())
                    : new ConsoleProgress(mode.name(), top.err());
            CancellationToken none = CancellationToken.none();
            switch (mode) {
                case guided:
                    result = p.guidedReconstructBelow(audio, request, cutoff, progress, none);
                    break;
                case bandsplit:
                    result = p.bandSplit(audio, request, cutoff, transition, progress, none);
                    break;
                case cascade:
                    result = p.cascade(audio, request, progress, none);
                    break;
                case inpaint:
                    result = p.inpaintTime(audio, request, from, to, progress, none);
                    break;
                default:
                    result = p.refine(audio, request, progress, none);
                    break;
            }
        }
        AudioOut.write("refine", mode.name(), input, result, AudioLdm2MelExtractor.SAMPLE_RATE, outPath,
                audio.length / 16000.0, (System.nanoTime() - t0) / 1e9, output, top.out(),
                String.format(Locale.ROOT, ", strength %.2f", request.strength()));
        return 0;
    }
}
