package io.github.audioldm4j.examples;

import io.github.audioldm4j.pipeline.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on standard error: {@code [######......]  12/50  t=751  3.1 it/s  ETA 12s}. */
final class ConsoleProgress implements ProgressListener {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String label;
    private long start;

    ConsoleProgress(String label) {
        this(label, System.err);
    }

    ConsoleProgress(String label, PrintStream out) {
        this.label = label;
        this.out = out;
    }

    @Override
    public void onStep(int step, int total, float timestep) {
        long now = System.nanoTime();
        if (step == 1 || start == 0) {
            start = now;
        }
        int filled = (int) Math.round(WIDTH * (double) step / total);
        double elapsed = (now - start) / 1e9;
        double rate = step > 1 ? (step - 1) / elapsed : 0;
        String eta = rate > 0 ? String.format(Locale.ROOT, "ETA %.0fs", (total - step) / rate) : "";
        out.printf(Locale.ROOT, "\r%s [%s%s] %4d/%d  t=%-6.0f %5.2f it/s  %s   ", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), step, total, timestep, rate, eta);
        if (step == total) {
            out.println();
        }
        out.flush();
    }

    /** A listener that prints only the warnings (for --quiet). */
    static ProgressListener warningsOnly(PrintStream out) {
        return new ProgressListener() {
            @Override
            public void onStep(int step, int total, float timestep) {
            }

            @Override
            public void onWarning(String message) {
                out.println("warning: " + message);
            }
        };
    }

    @Override
    public void onWarning(String message) {
        out.println("warning: " + message);
        out.flush();
    }
}
