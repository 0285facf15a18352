package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.BundleException;
import io.github.audioldm4j.io.AudioIOException;
import io.github.audioldm4j.pipeline.PipelineCancelledException;
import io.github.audioldm4j.runtime.ModelRuntimeException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code audioldm4j} command: one entry for every tool, built on picocli. Exit codes: 0 ok,
 * 1 failure (the message names what failed), 2 bad arguments (the message names the option).
 */
@Command(name = "audioldm4j", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "AudioLDM2 text-to-audio, audio reconstruction and reconstruction-quality analysis on the JVM.",
        subcommands = {Generate.class, Reconstruct.class, Refine.class, Compare.class, Corpus.class, VerifyBundle.class,
            Bench.class,
            Info.class, AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (bundle, audio file, runtime or model error)",
            "2:bad arguments (the message names the option)"})
public final class Audioldm4j implements Runnable {
    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    Audioldm4j(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Standard output of this invocation (for the subcommands). */
    public PrintStream out() {
        return out;
    }

    /** Standard error of this invocation (progress, warnings, errors). */
    public PrintStream err() {
        return err;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command line and returns its exit code (no {@code System.exit}). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = commandLine(out, err);
        return cl.execute(args);
    }

    /** The configured command line (also used to generate shell completion). */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Audioldm4j(out, err), new Factory(out, err));
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            Throwable cause = e;
            boolean verbose = parsed.hasMatchedOption("--verbose")
                    || (parsed.subcommand() != null && deepest(parsed).hasMatchedOption("--verbose"));
            if (cause instanceof BundleException || cause instanceof AudioIOException
                    || cause instanceof IllegalArgumentException || cause instanceof PipelineCancelledException
                    || cause instanceof ModelRuntimeException || cause instanceof IllegalStateException
                    || cause instanceof java.io.IOException) {
                line.getErr().println("error: " + cause.getMessage());
            } else {
                line.getErr().println("error: " + cause);
            }
            if (verbose) {
                cause.printStackTrace(line.getErr());
            }
            line.getErr().flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }

    private static CommandLine.ParseResult deepest(CommandLine.ParseResult r) {
        while (r.subcommand() != null) {
            r = r.subcommand();
        }
        return r;
    }

    /** Gives every subcommand the invocation's streams. */
    private static final class Factory implements CommandLine.IFactory {
        private final PrintStream out;
        private final PrintStream err;

        Factory(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == Audioldm4j.class) {
                return cls.cast(new Audioldm4j(out, err));
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
