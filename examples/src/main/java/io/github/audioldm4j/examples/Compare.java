package io.github.audioldm4j.examples;

import io.github.audioldm4j.analysis.Metric;
import io.github.audioldm4j.analysis.MetricRegistry;
import io.github.audioldm4j.analysis.MetricSet;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.io.AudioDecoder;
import io.github.audioldm4j.io.AudioInfo;
import io.github.audioldm4j.io.DecodedAudio;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.report.ComparisonReport;
import io.github.audioldm4j.report.ReportWriter;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.study.LongStudy;
import io.github.audioldm4j.study.ReconstructionStudy;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.runtime.ModuleOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The reconstruction study as a command: where does AudioLDM2's reconstruction lose quality, and
 * what do the diffusion hybrids recover? Writes an HTML + JSON report with metrics, band levels,
 * spectrograms and the audio of every stage. With no arguments it uses a built-in 48 kHz test
 * signal and the model-free stages.
 */
@Command(name = "study", aliases = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Per-stage reconstruction-loss report: 16 kHz resampling, mel + Griffin-Lim, mel + vocoder, "
                + "VAE round trip, SDEdit, guided diffusion, band split and cascade, each compared with the original.",
            "Without --input it studies a built-in 4 s, 48 kHz test signal; without --bundle the model stages are "
                + "listed as skipped."})
public final class Compare extends ModelCommand implements Callable<Integer> {
    @Option(names = "--input", paramLabel = "FILE", description = "audio to study (any FFmpeg-readable file, kept at "
            + "its sample rate, mixed to mono); default: the built-in test signal")
    Path input;
    @Option(names = "--bundle", paramLabel = "DIR", description = "model bundle; without it the model stages are skipped")
    Path bundleDir;
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "study-report", description = "report directory")
    Path outDir;
    @Option(names = "--max-seconds", paramLabel = "S", defaultValue = "10.24",
            description = "analyse at most the first S seconds of the input")
    double maxSeconds;
    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "", description = "text condition of the diffusion stages")
    String prompt;
    @Option(names = "--strength", paramLabel = "S", defaultValue = "0.3", description = "SDEdit / band-split strength")
    double strength;
    @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "schedule length of the diffusion stages")
    int steps;
    @Option(names = "--cutoff", paramLabel = "HZ", defaultValue = "4000", description = "band edge of guided and band-split")
    double cutoff;
    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "seed")
    long seed;
    @Option(names = "--long", description = "study the whole input, any length: the stages with a chunked form "
            + "(mel-vocoder, vae, sdedit, guided, band-split, cascade) in windows, metrics per --segment and at the "
            + "seams; writes long-study.json and long-study.html (needs --input and --bundle)")
    boolean longStudy;
    @Option(names = "--segment", paramLabel = "S", defaultValue = "10.24",
            description = "with --long: the length of the segments metrics are computed on (default 10.24)")
    double segmentSeconds;
    @picocli.CommandLine.Mixin
    ChunkOptions chunk;
    @Option(names = "--edit-target", paramLabel = "TEXT", description = "add an editing sweep towards this prompt "
            + "(tStart 0.25, 0.5, 0.75; CLAP-scored when the bundle has clap_audio)")
    String editTarget;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@code audioldm4j study ARGS}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Audioldm4j.run(out, err, Commands.prepend("study", args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = top.out();
        PrintStream err = top.err();
        ReconstructionStudy.Options options;
        try {
            options = ReconstructionStudy.Options.defaults().withPrompt(prompt).withStrength(strength).withSteps(steps)
                    .withCutoff(cutoff).withSeed(seed).withEditTarget(editTarget);
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, e, java.util.Map.of("strength", "strength", "numInferenceSteps", "steps",
                    "cutoffHz", "cutoff", "seed", "seed"));
        }
        if (!(maxSeconds >= 0.25)) {
            throw CliChecks.usage(spec, "option --max-seconds must be >= 0.25, got " + maxSeconds);
        }
        CliChecks.outputDirectory(spec, "--out", outDir);
        runtimeOptions.check();
        ModelBundle bundle = bundleDir == null ? null : ModelBundle.open(CliChecks.directory(spec, "--bundle", bundleDir));
        if (longStudy) {
            return runLong(options, bundle, out, err);
        }
        float[] audio;
        int rate;
        String description;
        if (input != null) {
            CliChecks.existingFile(spec, "--input", input);
            AudioInfo info = AudioDecoder.probe(input);
            // decode no more than is analysed: a long file is not read whole
            DecodedAudio d = AudioDecoder.decode(input, io.github.audioldm4j.io.DecodeOptions.of(info.sampleRate())
                    .withMaxDuration(maxSeconds));
            rate = d.sampleRate();
            audio = d.samples();
            description = String.format(Locale.ROOT, "%s (%s, %d Hz, %d channel(s), %.2f s)", input.getFileName(),
                    info.codec(), info.sampleRate(), info.channels(), d.durationSeconds());
        } else {
            audio = BuiltInSignal.generate();
            rate = BuiltInSignal.SAMPLE_RATE;
            description = "built-in test signal: 4 s at 48 kHz, 220 Hz harmonic tone with 30 partials, "
                    + "log chirp 100 Hz-20 kHz, 12 kHz whistle from 2 s, noise bursts every 0.5 s";
        }
        int max = (int) Math.min(audio.length, Math.round(maxSeconds * rate));
        if (max < audio.length) {
            audio = java.util.Arrays.copyOf(audio, max);
            description += String.format(Locale.ROOT, "; first %.2f s analysed", maxSeconds);
        }
        float peak = ReconstructionStudy.fitToUnitPeak(audio);
        if (peak > 1f) {
            description += String.format(Locale.ROOT, "; scaled by 1/%.3f to fit [-1, 1]", peak);
        }
        ComparisonReport report;
        ReconstructionStudy.StageListener stages = output.quiet ? (i, name, status) -> { }
                : (i, name, status) -> err.printf(Locale.ROOT, "[%d/%d] %-16s %s%n", i, ReconstructionStudy.STAGES
                        + (editTarget != null ? ReconstructionStudy.EDIT_SWEEP.length : 0), name, status);
        ProgressListener progress = output.quiet ? ConsoleProgress.warningsOnly(err)
                : new ConsoleProgress("  denoising", err);
        if (bundle != null) {
            description += "; model " + bundle.manifest().modelId();
            ModuleOptions moduleOptions = runtimeOptions.options();
            try (ModelRuntime runtime = runtimeOptions.runtime();
                    AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, moduleOptions)) {
                report = ReconstructionStudy.run(audio, rate, description, p, options, progress, stages,
                        CancellationToken.none());
            }
        } else {
            report = ReconstructionStudy.run(audio, rate, description, null, options, progress, stages,
                    CancellationToken.none());
        }
        Path html = ReportWriter.write(report, outDir);
        Path json = outDir.resolve(ComparisonReport.JSON_FILE);
        if (output.json) {
            java.util.Map<String, Object> j = new java.util.LinkedHashMap<>();
            j.put("command", "study");
            j.put("report_html", html.toAbsolutePath().toString());
            j.put("report_json", json.toAbsolutePath().toString());
            j.put("stages_run", report.stages().stream().filter(ComparisonReport.Stage::ran).count());
            j.put("stages_skipped", report.stages().stream().filter(s -> !s.ran()).count());
            JsonOut.print(out, j);
        } else {
            summary(report, out);
            out.println("wrote " + html.toAbsolutePath());
            out.println("wrote " + json.toAbsolutePath());
        }
        return 0;
    }

    /** {@code study --long}: {@link LongStudy} over the whole input. */
    private int runLong(ReconstructionStudy.Options options, ModelBundle bundle, PrintStream out, PrintStream err)
            throws Exception {
        if (input == null) {
            throw CliChecks.usage(spec, "option --long needs --input (the built-in signal is 4 s)");
        }
        if (bundle == null) {
            throw CliChecks.usage(spec, "option --long needs --bundle (every chunked stage is a model stage)");
        }
        CliChecks.existingFile(spec, "--input", input);
        if (!(segmentSeconds >= 1.0 && segmentSeconds <= 600.0)) {
            throw CliChecks.usage(spec, "option --segment must be in [1, 600] seconds, got " + segmentSeconds);
        }
        io.github.audioldm4j.pipeline.WindowPlan plan = chunk.plan(spec, bundle.manifest());
        LongStudy.Options lo = new LongStudy.Options(options, plan, segmentSeconds);
        try {
            LongStudy.checkSchedules(lo, bundle.manifest().scheduler(), java.util.Set.of());
        } catch (IllegalArgumentException e) {
            // the cascade's strength is fixed (not an option), so the message keeps the API names
            throw CliChecks.usage(spec, "option --steps: " + e.getMessage());
        }
        io.github.audioldm4j.io.SampleInput in = io.github.audioldm4j.io.AudioReader.input(input,
                io.github.audioldm4j.io.DecodeOptions.of(io.github.audioldm4j.dsp.AudioLdm2MelExtractor.SAMPLE_RATE));
        boolean quiet = output.quiet;
        LongStudy.Listener listener = new LongStudy.Listener() {
            @Override
            public void onStage(int index, int total, String stage, String status) {
                if (!quiet) {
                    err.printf(Locale.ROOT, "%n[%d/%d] %-12s %s", index, total, stage, status);
                }
            }

            @Override
            public void onWindow(String stage, int windows, long samples, long hint) {
                if (!quiet) {
                    err.printf(Locale.ROOT, "\r[%s] window %d, %.1f s%s   ", stage, windows, samples / 16000.0,
                            hint > 0 ? String.format(Locale.ROOT, " of %.1f s", hint / 16000.0) : "");
                }
            }
        };
        LongStudy.Result r;
        try (ModelRuntime runtime = runtimeOptions.runtime();
                AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, runtimeOptions.options())) {
            r = LongStudy.run(in, p, lo, java.util.Set.of(), listener, CancellationToken.none());
        }
        if (!quiet) {
            err.println();
        }
        LongStudy.write(r, outDir);
        Path json = outDir.resolve("long-study.json");
        Path html = outDir.resolve("long-study.html");
        if (output.json) {
            java.util.Map<String, Object> j = new java.util.LinkedHashMap<>();
            j.put("command", "study");
            j.put("long", true);
            j.put("input_seconds", r.seconds());
            j.put("report_html", html.toAbsolutePath().toString());
            j.put("report_json", json.toAbsolutePath().toString());
            j.put("stages_run", r.stages().size());
            JsonOut.print(out, j);
        } else {
            out.printf(Locale.ROOT, "%-12s %8s %10s %10s %14s%n", "stage", "windows", "LSD mean", "LSD worst",
                    "LSD seams/else");
            for (LongStudy.StageResult s : r.stages()) {
                LongStudy.Summary lsd = s.summaries().get(MetricRegistry.LSD.key());
                out.printf(Locale.ROOT, "%-12s %8d %10.3f %10.3f %7.3f/%.3f%n", s.name(), s.windows(), lsd.mean(),
                        lsd.max(), s.seams().lsdNearSeams(), s.seams().lsdElsewhere());
            }
            out.println("wrote " + html.toAbsolutePath());
            out.println("wrote " + json.toAbsolutePath());
        }
        return 0;
    }

    /** A compact metrics table on the console: every registry metric that applies at the report's rate. */
    static void summary(ComparisonReport report, PrintStream out) {
        java.util.List<Metric> cols = MetricRegistry.applicableAt(report.sampleRate());
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-16s", "stage"));
        for (Metric c : cols) {
            head.append(String.format(Locale.ROOT, " %" + width(c) + "s", c.label()));
        }
        out.println(head);
        for (ComparisonReport.Stage s : report.stages()) {
            if (!s.ran()) {
                out.printf(Locale.ROOT, "%-16s skipped: %s%n", s.name(), s.skipReason());
                continue;
            }
            MetricSet m = s.metrics();
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-16s", s.name()));
            for (Metric c : cols) {
                java.util.OptionalDouble v = m.value(c);
                String cell = v.isPresent() ? String.format(Locale.ROOT, "%.3f", v.getAsDouble()) : "n/a";
                row.append(String.format(Locale.ROOT, " %" + width(c) + "s", cell));
            }
            out.println(row);
        }
    }

    private static int width(Metric c) {
        return Math.max(9, c.label().length());
    }
}
