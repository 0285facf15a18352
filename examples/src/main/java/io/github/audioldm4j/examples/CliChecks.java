package io.github.audioldm4j.examples;

import io.github.audioldm4j.io.AudioFormat;
import io.github.audioldm4j.scheduler.Schedulers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of option values that picocli's types do not express, each failing with a
 * {@link ParameterException} (exit code 2) that names the option. Run before any model work.
 */
final class CliChecks {
    private CliChecks() {}

    /** {@code --scheduler}: one of the scheduler classes audioldm4j implements. */
    static String schedulerClass(CommandSpec spec, String value) {
        if (!Schedulers.SUPPORTED.contains(value)) {
            throw usage(spec, "option --scheduler must be one of " + String.join(", ", Schedulers.SUPPORTED)
                    + ", got \"" + value + "\"");
        }
        return value;
    }

    static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** An existing directory. */
    static Path directory(CommandSpec spec, String option, Path p) {
        if (p == null || !Files.isDirectory(p)) {
            throw usage(spec, "option " + option + " must be an existing directory, got " + p);
        }
        return p;
    }

    /** An existing regular file. */
    static Path existingFile(CommandSpec spec, String option, Path p) {
        if (p == null || !Files.isRegularFile(p)) {
            throw usage(spec, "option " + option + " must be an existing file, got " + p);
        }
        return p;
    }

    /**
     * An output audio file: its extension must name a format the encoder writes, and its folder must
     * be creatable.
     */
    static Path outputAudio(CommandSpec spec, String option, Path p) {
        try {
            AudioFormat.forFile(p);
        } catch (IllegalArgumentException e) {
            throw usage(spec, "option " + option + ": " + e.getMessage());
        }
        checkParent(spec, option, p);
        return p;
    }

    /** An output directory: it may exist (as a directory) or be creatable. */
    static Path outputDirectory(CommandSpec spec, String option, Path p) {
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw usage(spec, "option " + option + " must be a directory, got the file " + p);
        }
        checkParent(spec, option, p);
        return p;
    }

    private static void checkParent(CommandSpec spec, String option, Path p) {
        for (Path d = p.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
            if (Files.exists(d)) {
                if (!Files.isDirectory(d)) {
                    throw usage(spec, "option " + option + ": " + d + " is a file, so " + p + " cannot be created");
                }
                if (!Files.isWritable(d)) {
                    throw usage(spec, "option " + option + ": folder " + d + " is not writable");
                }
                return;
            }
        }
    }

    /**
     * Rewrites an argument error of the API in terms of the command line: every API parameter name
     * in the message becomes its option ({@code numInferenceSteps} becomes {@code --steps}).
     */
    static ParameterException usage(CommandSpec spec, IllegalArgumentException e, Map<String, String> apiToOption) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        boolean named = false;
        for (Map.Entry<String, String> en : apiToOption.entrySet()) {
            Matcher x = Pattern.compile("(?<![A-Za-z0-9_.-])" + Pattern.quote(en.getKey()) + "(?![A-Za-z0-9_])").matcher(m);
            if (x.find()) {
                named |= x.start() == 0;
                m = x.replaceAll(Matcher.quoteReplacement("--" + en.getValue()));
            }
        }
        return usage(spec, named ? "option " + m : m);
    }
}
