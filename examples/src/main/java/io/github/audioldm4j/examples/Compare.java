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
import io.github.audioldm4j.study.ReconstructionStudy;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The reconstruction study as a command: where does AudioLDM2's reconstruction lose quality, and
 * what do the diffusion hybrids recover? Writes an HTML + JSON report with metrics, band levels,
 * spectrograms and the audio of every stage. With no arguments it uses a built-in 48 kHz test
 * signal and the model-free stages.
 */
public final class Compare {
    static final String USAGE = "Usage: Compare [--input FILE] [--bundle DIR] [options]\n"
            + "Per-stage reconstruction-loss report: 16 kHz resampling, mel + Griffin-Lim, mel + vocoder, VAE round trip,\n"
            + "SDEdit, guided diffusion, band split and cascade, each compared with the original.\n"
            + "  --input FILE       audio to study (any FFmpeg-readable file, kept at its sample rate, mixed to mono);\n"
            + "                     default: a built-in 4 s, 48 kHz test signal (tones, chirp to 20 kHz, noise bursts)\n"
            + "  --bundle DIR       model bundle; without it the model stages are listed as skipped\n"
            + "  --out DIR          report directory (default compare-report)\n"
            + "  --max-seconds S    analyse at most the first S seconds of the input (default 10.24)\n"
            + "  --prompt TEXT      text condition of the diffusion stages (default \"\")\n"
            + "  --strength S       SDEdit / band-split strength (default 0.3)\n"
            + "  --steps N          schedule length of the diffusion stages (default 100)\n"
            + "  --cutoff HZ        band edge of the guided and band-split stages (default 4000)\n"
            + "  --seed N           seed (default 0)\n"
            + Runtimes.HELP
            + "  --help             this text\n";

    private Compare() {}

    public static void main(String[] args) {
        ExampleMain.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return ExampleMain.guard(err, USAGE, () -> {
            Cli cli = new Cli(args, Set.of("input", "bundle", "out", "max-seconds", "prompt", "strength", "steps",
                    "cutoff", "seed", "runtime", "device", "dtype"), Set.of("help"));
            if (cli.flag("help")) {
                out.print(USAGE);
                return 0;
            }
            ReconstructionStudy.Options options;
            try {
                options = ReconstructionStudy.Options.defaults()
                        .withPrompt(cli.string("prompt", ""))
                        .withStrength(cli.number("strength", 0.3))
                        .withSteps(cli.integer("steps", 100))
                        .withCutoff(cli.number("cutoff", 4000))
                        .withSeed(cli.longValue("seed", 0));
            } catch (IllegalArgumentException e) {
                throw new Cli.UsageException(e.getMessage());
            }
            double maxSeconds = cli.number("max-seconds", 10.24);
            if (!(maxSeconds >= 0.25)) {
                throw new Cli.UsageException("option --max-seconds must be >= 0.25, got " + maxSeconds);
            }
            Path outDir = cli.outputDirectory("out", "compare-report");
            float[] audio;
            int rate;
            String description;
            if (cli.has("input")) {
                Path input = cli.existingFile("input");
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
            float peak = 0;
            for (float v : audio) {
                peak = Math.max(peak, Math.abs(v));
            }
            if (peak > 1f) {
                for (int i = 0; i < audio.length; i++) {
                    audio[i] /= peak;
                }
                description += String.format(Locale.ROOT, "; scaled by 1/%.3f to fit [-1, 1]", peak);
            }
            ComparisonReport report;
            ReconstructionStudy.StageListener stages = (i, name, status) -> err.printf(Locale.ROOT,
                    "[%d/8] %-16s %s%n", i, name, status);
            if (cli.has("bundle")) {
                ModelBundle bundle = ModelBundle.open(cli.directory("bundle"));
                description += "; model " + bundle.manifest().modelId();
                try (ModelRuntime runtime = Runtimes.runtime(cli);
                        AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, Runtimes.options(cli))) {
                    report = ReconstructionStudy.run(audio, rate, description, p, options,
                            new ConsoleProgress("  denoising"), stages, CancellationToken.none());
                }
            } else {
                report = ReconstructionStudy.run(audio, rate, description, null, options,
                        new ConsoleProgress("  denoising"), stages, CancellationToken.none());
            }
            Path html = ReportWriter.write(report, outDir);
            summary(report, out);
            out.println("wrote " + html.toAbsolutePath());
            out.println("wrote " + outDir.resolve(ComparisonReport.JSON_FILE).toAbsolutePath());
            return 0;
        });
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
