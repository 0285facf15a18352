package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.Crossover;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.edit.AudioEditor;
import io.github.audioldm4j.edit.EditRequest;
import io.github.audioldm4j.io.AudioInput;
import io.github.audioldm4j.io.AudioReader;
import io.github.audioldm4j.io.DecodeOptions;
import io.github.audioldm4j.io.SampleInput;
import io.github.audioldm4j.io.SampleSource;
import io.github.audioldm4j.pipeline.LongAudio;
import io.github.audioldm4j.pipeline.WindowPlan;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code audioldm4j refine}: diffusion-based audio-to-audio, SDEdit and the reconstruction hybrids. */
@Command(name = "refine", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Audio-to-audio with AudioLDM2 diffusion: SDEdit and the reconstruction hybrids.")
public final class Refine extends ModelCommand implements Callable<Integer> {
    /** API parameter -> CLI option, for error messages. */
    static final Map<String, String> OPTIONS = Map.ofEntries(Map.entry("strength", "strength"),
            Map.entry("numInferenceSteps", "steps"), Map.entry("guidanceScale", "guidance"), Map.entry("cutoffHz", "cutoff"),
            Map.entry("transitionHz", "transition"), Map.entry("startFraction", "from"), Map.entry("endFraction", "to"),
            Map.entry("prompt", "prompt"), Map.entry("negativePrompt", "negative"), Map.entry("tStart", "t-start"),
            Map.entry("targetGuidance", "target-guidance"), Map.entry("sourceGuidance", "guidance"),
            Map.entry("extendSeconds", "extend"), Map.entry("extraSeconds", "extend"));

    /** The audio-to-audio modes. */
    enum Mode {
        SDEDIT("sdedit"), GUIDED("guided"), BANDSPLIT("bandsplit"), CASCADE("cascade"), INPAINT("inpaint"),
        DDIM_INVERSION("ddim-inversion"), DDPM_INVERSION("ddpm-inversion"), EDIT("edit"), CONTINUE("continue");

        final String cli;

        Mode(String cli) {
            this.cli = cli;
        }

        static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.cli.equalsIgnoreCase(s)) {
                    return m;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("expected one of sdedit, guided, bandsplit, cascade, "
                    + "inpaint, ddim-inversion, ddpm-inversion, edit, continue but was '" + s + "'");
        }

        @Override
        public String toString() {
            return cli;
        }
    }

    /** picocli converter of {@code --mode}. */
    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            return Mode.parse(value);
        }
    }

    @picocli.CommandLine.Mixin
    ChunkOptions chunk;
    @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "model bundle directory")
    Path bundleDir;
    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "any FFmpeg-readable audio file (decoded to 16 kHz mono; any length with --chunked for sdedit, guided, bandsplit, cascade)")
    Path input;
    @Option(names = "--mode", paramLabel = "M", defaultValue = "sdedit", converter = ModeConverter.class,
            description = "sdedit (default): noise to --strength, denoise with --prompt; guided: keep the original "
            + "below --cutoff, regenerate above; bandsplit: VAE reconstruction below --cutoff + SDEdit above; cascade: "
            + "VAE reconstruction, then SDEdit of it; inpaint: regenerate the time range --from..--to; "
            + "ddim-inversion / ddpm-inversion: invert with --prompt and reconstruct; edit: edit-friendly DDPM "
            + "inversion with --prompt, then sampling towards --target-prompt from --t-start; continue: extend the "
            + "audio by --extend seconds with --prompt")
    Mode mode;
    @Option(names = "--regions", paramLabel = "R[,R...]", split = ",", description = "inpaint: regions to regenerate, "
            + "each START-END (fractions of the duration) with an optional :MELLOW-MELHIGH mel-bin range (0-64), "
            + "e.g. 0.1-0.3,0.6-0.8:32-64 (default: --from..--to over every band)")
    java.util.List<String> regions;
    @Option(names = "--extend", paramLabel = "S", defaultValue = "2.0", description = "continue: seconds to add")
    double extend;
    @Option(names = "--target-prompt", paramLabel = "TEXT", description = "edit: the prompt to edit towards")
    String targetPrompt;
    @Option(names = "--t-start", paramLabel = "F", defaultValue = "0.5",
            description = "edit: fraction of the steps the edit runs, in (0, 1]")
    double tStart;
    @Option(names = "--target-guidance", paramLabel = "G", defaultValue = "3.5", description = "edit: guidance of the edit")
    double targetGuidance;
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
    @Option(names = "--scheduler", paramLabel = "CLASS", completionCandidates = Generate.SchedulerNames.class,
            description = "diffusers scheduler class for sdedit, guided, bandsplit, cascade, inpaint, continue "
            + "(default: the bundle's): ${COMPLETION-CANDIDATES}")
    String scheduler;
    @Option(names = "--out", paramLabel = "PATH", defaultValue = "refined.wav", description = "output file")
    Path outPath;
    @Option(names = "--npy-out", paramLabel = "DIR", description = "sdedit on a whole clip: also write the exact "
            + "float32 intermediates (input, mel, posterior_mean, final_latents, waveform .npy) and npy.json (gain, "
            + "timesteps), e.g. for torchscript-models/upstream/parity.py")
    Path npyOut;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@code audioldm4j refine ARGS}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Audioldm4j.run(out, err, Commands.prepend("refine", args));
    }

    private java.util.List<LatentMask.Region> parseRegions(int melBins) {
        java.util.List<LatentMask.Region> out = new java.util.ArrayList<>();
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(
                "\\s*([0-9.]+)\\s*-\\s*([0-9.]+)\\s*(?::\\s*(\\d+)\\s*-\\s*(\\d+)\\s*)?");
        for (String r : regions) {
            java.util.regex.Matcher x = p.matcher(r);
            if (!x.matches()) {
                throw CliChecks.usage(spec, "option --regions: each region must be START-END[:MELLOW-MELHIGH], got \""
                        + r + "\"");
            }
            try {
                out.add(new LatentMask.Region(Double.parseDouble(x.group(1)), Double.parseDouble(x.group(2)),
                        x.group(3) == null ? 0 : Integer.parseInt(x.group(3)),
                        x.group(4) == null ? melBins : Integer.parseInt(x.group(4))));
            } catch (IllegalArgumentException e) {
                throw CliChecks.usage(spec, "option --regions: region \"" + r + "\": " + e.getMessage());
            }
        }
        return out;
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
        boolean fromNoise = mode == Mode.GUIDED || mode == Mode.INPAINT;
        boolean inversion = mode == Mode.DDIM_INVERSION || mode == Mode.DDPM_INVERSION || mode == Mode.EDIT;
        ModelBundle bundle = ModelBundle.open(bundleDir);
        Manifest m = bundle.manifest();
        AudioToAudioRequest request;
        EditRequest editRequest;
        java.util.List<LatentMask.Region> parsedRegions = null;
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
            if (scheduler != null) {
                if (inversion) {
                    throw CliChecks.usage(spec, "option --scheduler: --mode " + mode.cli + " runs its own DDIM/DDPM "
                            + "schedule (--scheduler is for sdedit, guided, bandsplit, cascade, inpaint, continue)");
                }
                b.scheduler(m.scheduler().with("_class_name", CliChecks.schedulerClass(spec, scheduler)));
            }
            request = b.build();
            Schedulers.checkInferenceSteps("numInferenceSteps",
                    request.scheduler() != null ? request.scheduler() : m.scheduler(), request.numInferenceSteps());
            switch (mode) {
                case BANDSPLIT:
                    new Crossover(AudioLdm2MelExtractor.SAMPLE_RATE, cutoff, transition);
                    break;
                case GUIDED:
                    Check.inRange("cutoffHz", cutoff, 1.0, m.mel().fMax());
                    break;
                case INPAINT:
                    LatentMask.regenerateTime(8, 16, from, to);
                    break;
                default:
                    break;
            }
            if (mode == Mode.INPAINT && regions != null) {
                parsedRegions = parseRegions(m.mel().nMels());
                LatentMask.regenerate(8, 16, m.mel().nMels(), parsedRegions);
            }
            if (mode == Mode.CONTINUE) {
                Check.positive("extendSeconds", extend);
            }
            if (mode == Mode.EDIT && targetPrompt == null) {
                throw CliChecks.usage(spec, "option --target-prompt is required with --mode edit");
            }
            editRequest = !inversion ? null : EditRequest.builder().sourcePrompt(prompt).targetPrompt(targetPrompt)
                    .negativePrompt(negative).numInferenceSteps(request.numInferenceSteps())
                    .sourceGuidance(guidance != null ? guidance : 1.0).targetGuidance(targetGuidance).tStart(tStart)
                    .seed(seed).normalizeInput(!noNormalize).build();
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, e, OPTIONS);
        }
        if (npyOut != null) {
            if (mode != Mode.SDEDIT) {
                throw CliChecks.usage(spec, "option --npy-out is for --mode sdedit, got --mode " + mode.cli);
            }
            CliChecks.outputDirectory(spec, "--npy-out", npyOut);
        }
        WindowPlan plan = chunk.plan(spec, m);
        boolean chunkable = mode == Mode.SDEDIT || mode == Mode.GUIDED || mode == Mode.BANDSPLIT || mode == Mode.CASCADE;
        if (!chunkable && chunk.when == ChunkOptions.When.always) {
            throw CliChecks.usage(spec, "option --chunked always: --mode " + mode.cli + " has no chunked form (chunked "
                    + "modes: sdedit, guided, bandsplit, cascade; the others take inputs up to "
                    + AudioLength.MAX_SECONDS + " s)");
        }
        if (chunkable && chunk.chunked(input)) {
            ChunkOptions.refuseNpyOut(spec, npyOut);
            long t0 = System.nanoTime();
            SampleInput in = AudioReader.input(input, DecodeOptions.of(AudioLdm2MelExtractor.SAMPLE_RATE));
            LongAudio.Progress progress = ChunkOptions.progress("refine " + mode.cli, top.err(), output.quiet);
            CancellationToken none = CancellationToken.none();
            try (ModelRuntime runtime = runtimeOptions.runtime();
                    AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, runtimeOptions.options())) {
                LongAudio la = new LongAudio(p, plan);
                SampleSource result = switch (mode) {
                    case GUIDED -> la.guidedReconstructBelow(in, request, cutoff, progress, none);
                    case BANDSPLIT -> la.bandSplit(in, request, cutoff, transition, progress, none);
                    case CASCADE -> la.cascade(in, request, progress, none);
                    default -> la.refine(in, request, progress, none);
                };
                chunk.write("refine", mode.cli, input, result, outPath, plan, t0, output, top.out(), top.err());
            }
            return 0;
        }
        float[] audio;
        try {
            audio = AudioInput.decode(input, AudioLdm2MelExtractor.SAMPLE_RATE, AudioLength.MAX_SECONDS);
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, "option --input: " + e.getMessage());
        }
        long t0 = System.nanoTime();
        float[] result;
        java.util.List<String> npyFiles = null;
        ModuleOptions options = runtimeOptions.options();
        try (ModelRuntime runtime = runtimeOptions.runtime();
                AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, options)) {
            ProgressListener progress = output.quiet ? ConsoleProgress.warningsOnly(top.err())
                    : new ConsoleProgress(mode.cli, top.err());
            CancellationToken none = CancellationToken.none();
            switch (mode) {
                case GUIDED:
                    result = p.guidedReconstructBelow(audio, request, cutoff, progress, none);
                    break;
                case BANDSPLIT:
                    result = p.bandSplit(audio, request, cutoff, transition, progress, none);
                    break;
                case CASCADE:
                    result = p.cascade(audio, request, progress, none);
                    break;
                case INPAINT:
                    result = parsedRegions != null ? p.inpaint(audio, request, parsedRegions, progress, none)
                            : p.inpaintTime(audio, request, from, to, progress, none);
                    break;
                case CONTINUE:
                    result = p.continueAudio(audio, request, extend, progress, none);
                    break;
                case DDIM_INVERSION:
                    result = new AudioEditor(p).ddimReconstruct(audio, editRequest, progress, none);
                    break;
                case DDPM_INVERSION:
                    result = new AudioEditor(p).ddpmReconstruct(audio, editRequest, progress, none);
                    break;
                case EDIT:
                    result = new AudioEditor(p).edit(audio, editRequest, progress, none);
                    break;
                default:
                    if (npyOut == null) {
                        result = p.refine(audio, request, progress, none);
                    } else {
                        // the encode is repeated for the intermediates (deterministic: same mel, posterior, gain)
                        AudioLdm2Pipeline.EncodedAudio enc = p.encode(audio, request.normalizeInput());
                        long[] shape = enc.posterior().shape();
                        float[][] last = new float[1][];
                        java.util.List<Double> timesteps = new java.util.ArrayList<>();
                        result = p.refine(audio, request, progress, none, end -> {
                            timesteps.add((double) end.timestep());
                            if (end.index() == end.total() - 1) {
                                last[0] = end.latents().clone();
                            }
                            return null;
                        });
                        Spectrogram mel = enc.mel();
                        npyFiles = NpyOut.open(npyOut).meta("command", "refine").meta("mode", mode.cli)
                                .meta("samples", audio.length).meta("sample_rate", AudioLdm2MelExtractor.SAMPLE_RATE)
                                .meta("normalize", request.normalizeInput()).meta("gain", enc.gain())
                                .meta("strength", request.strength()).meta("steps", request.numInferenceSteps())
                                .meta("guidance", request.guidanceScale()).meta("seed", request.seed())
                                .meta("sampling", request.latentSampling().name().toLowerCase(Locale.ROOT))
                                .meta("scheduler", (request.scheduler() != null ? request.scheduler() : m.scheduler())
                                        .className())
                                .meta("timesteps", timesteps)
                                .put("input", audio, audio.length)
                                .put("mel", mel.toArray(), 1, 1, mel.numFrames(), mel.numBins())
                                .put("posterior_mean", enc.posterior().mode(), shape)
                                .put("final_latents", last[0], shape).put("waveform", result, result.length).finish();
                    }
                    break;
            }
        }
        AudioOut.write("refine", mode.cli, input, result, AudioLdm2MelExtractor.SAMPLE_RATE, outPath,
                audio.length / 16000.0, (System.nanoTime() - t0) / 1e9, output, top.out(),
                String.format(Locale.ROOT, ", strength %.2f", request.strength()), npyFiles);
        return 0;
    }
}
