package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.io.AudioDecoder;
import io.github.audioldm4j.io.AudioIOException;
import io.github.audioldm4j.io.AudioInfo;
import io.github.audioldm4j.io.AudioWriter;
import io.github.audioldm4j.io.SampleSink;
import io.github.audioldm4j.io.SampleSource;
import io.github.audioldm4j.pipeline.AudioLength;
import io.github.audioldm4j.pipeline.LongAudio;
import io.github.audioldm4j.pipeline.WindowPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --chunked}, {@code --window} and {@code --overlap}: long inputs through {@link LongAudio}
 * (streaming decode, windows, streaming encode), shared by {@code reconstruct} and {@code refine}.
 */
final class ChunkOptions {
    /** When to process in windows. */
    enum When { auto, always, never }

    @Option(names = "--chunked", paramLabel = "W", defaultValue = "auto", description = "auto (default: inputs "
            + "longer than 60 s go through windows, shorter ones whole), always, or never (refuse inputs over 60 s)")
    When when;
    @Option(names = "--window", paramLabel = "S", defaultValue = "10.24",
            description = "chunked window length in seconds (default 10.24, the trained length)")
    double windowSeconds;
    @Option(names = "--overlap", paramLabel = "S", defaultValue = "2.56",
            description = "overlap of neighbouring windows in seconds (default 2.56)")
    double overlapSeconds;

    /** The plan, or a usage error naming the option. */
    WindowPlan plan(CommandSpec spec, Manifest manifest) {
        try {
            return WindowPlan.seconds(windowSeconds, overlapSeconds, manifest);
        } catch (IllegalArgumentException e) {
            String option = e.getMessage().startsWith("overlap") ? "--overlap" : "--window";
            throw CliChecks.usage(spec, "option " + option + ": " + e.getMessage());
        }
    }

    /** The chunked forms write no {@code --npy-out} intermediates: refuses the option there (null: not given). */
    static void refuseNpyOut(CommandSpec spec, Path npyOut) {
        if (npyOut != null) {
            throw CliChecks.usage(spec, "option --npy-out: the chunked form writes no intermediates "
                    + "(use --chunked never with inputs up to " + AudioLength.MAX_SECONDS + " s)");
        }
    }

    /**
     * Whether this input goes through windows: always, never, or (auto) when its container
     * declares more than {@link AudioLength#MAX_SECONDS} or no duration at all.
     */
    boolean chunked(Path input) throws AudioIOException {
        if (when != When.auto) {
            return when == When.always;
        }
        AudioInfo info = AudioDecoder.probe(input);
        double d = info.durationSeconds();
        return !Double.isFinite(d) || d > AudioLength.MAX_SECONDS + 0.01;
    }

    /** Progress on standard error: one line per window, rewritten in place. */
    static LongAudio.Progress progress(String label, PrintStream err, boolean quiet) {
        long start = System.nanoTime();
        return new LongAudio.Progress() {
            @Override
            public void onWindow(int windows, long samples, long hint) {
                if (quiet) {
                    return;
                }
                double s = samples / 16000.0;
                double el = (System.nanoTime() - start) / 1e9;
                err.printf(Locale.ROOT, "\r%s: window %d, %.1f s%s of audio done in %.1f s (%.2fx real time)   ", label,
                        windows, s, hint > 0 ? String.format(Locale.ROOT, " of %.1f s", hint / 16000.0) : "", el,
                        el > 0 ? s / el : 0.0);
                err.flush();
            }

            @Override
            public void onWarning(String message) {
                err.println("warning: " + message);
            }
        };
    }

    /**
     * Streams a chunked result into the output file and reports it (text or JSON) like
     * {@link AudioOut#write}.
     */
    void write(String command, String mode, Path input, SampleSource result, Path out, WindowPlan plan, long t0,
            OutputOptions output, PrintStream stdout, PrintStream err) throws IOException {
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        long samples;
        try (SampleSource src = result; AudioWriter w = AudioWriter.open(out, src.sampleRate())) {
            samples = SampleSink.copy(src, w, 1 << 16);
            w.finish();
        }
        if (!output.quiet) {
            err.println();
        }
        double seconds = samples / 16000.0;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (output.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("command", command);
            j.put("mode", mode);
            j.put("input", input.toAbsolutePath().toString());
            j.put("input_seconds", seconds);
            j.put("output", out.toAbsolutePath().toString());
            j.put("sample_rate", 16000);
            j.put("elapsed_seconds", elapsed);
            j.put("chunked", true);
            j.put("windows", samples > 0 ? plan.windowsFor(samples) : 0);
            j.put("window_seconds", plan.windowSamples() / 16000.0);
            j.put("overlap_seconds", plan.overlapSamples() / 16000.0);
            JsonOut.print(stdout, j);
        } else {
            stdout.printf(Locale.ROOT, "%s of %s (%.2f s in %d windows of %.2f s, %.2f s overlap) in %.1f s%nwrote %s%n",
                    mode, input, seconds, plan.windowsFor(Math.max(1, samples)), plan.windowSamples() / 16000.0,
                    plan.overlapSamples() / 16000.0, elapsed, out.toAbsolutePath());
        }
    }
}
