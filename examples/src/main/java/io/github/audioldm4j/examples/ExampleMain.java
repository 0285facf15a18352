package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.BundleException;
import io.github.audioldm4j.io.AudioIOException;
import io.github.audioldm4j.pipeline.PipelineCancelledException;
import java.io.PrintStream;

/** Shared exit-code handling of the example mains: 0 ok, 1 failure, 2 bad arguments. */
final class ExampleMain {
    /** The body of an example; returns its exit code. */
    @FunctionalInterface
    interface Body {
        int run() throws Exception;
    }

    private ExampleMain() {}

    /** Runs {@code body}, reporting errors on {@code err} (with {@code usage} for argument errors). */
    static int guard(PrintStream err, String usage, Body body) {
        try {
            return body.run();
        } catch (Cli.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(usage);
            return 2;
        } catch (BundleException | AudioIOException | IllegalArgumentException | PipelineCancelledException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("error: " + e);
            return 1;
        }
    }

    /** Exits the JVM with a non-zero code (returns normally on 0, so exec:java keeps running). */
    static void exit(int code) {
        if (code != 0) {
            System.exit(code);
        }
    }
}
