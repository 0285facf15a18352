package io.github.audioldm4j.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Minimal command-line parsing shared by the examples: {@code --name value} options, {@code --flag}
 * switches and positional arguments. Unknown options, missing values and malformed numbers throw
 * {@link UsageException}, which the examples report with their usage text and exit code 2.
 */
final class Cli {
    /** Bad command-line arguments. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> flags;

    /**
     * @param valued option names that take a value (without the leading dashes)
     * @param flags option names that are switches
     */
    Cli(String[] args, Set<String> valued, Set<String> flags) {
        this.flags = flags;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name)) {
                    if (value != null) {
                        throw new UsageException("option --" + name + " takes no value, got \"" + value + "\"");
                    }
                    options.put(name, "true");
                } else if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("option --" + name + " needs a value");
                        }
                        value = args[++i];
                    }
                    options.put(name, value);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            } else {
                positional.add(a);
            }
        }
    }

    boolean flag(String name) {
        return options.containsKey(name) && flags.contains(name);
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    String string(String name, String dflt) {
        return options.getOrDefault(name, dflt);
    }

    String required(String name) {
        String v = options.get(name);
        if (v == null) {
            throw new UsageException("option --" + name + " is required");
        }
        return v;
    }

    int integer(String name, int dflt) {
        String v = options.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " must be an integer, got \"" + v + "\"");
        }
    }

    long longValue(String name, long dflt) {
        String v = options.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " must be an integer, got \"" + v + "\"");
        }
    }

    double number(String name, double dflt) {
        String v = options.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " must be a finite number, got \"" + v + "\"");
        }
    }

    /** One of the allowed words (case-insensitive). */
    String choice(String name, String dflt, String... allowed) {
        String v = options.getOrDefault(name, dflt).toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new UsageException("option --" + name + " must be one of " + String.join(", ", allowed) + ", got \""
                + options.get(name) + "\"");
    }

    /** An existing directory. */
    Path directory(String name) {
        Path p = Paths.get(required(name));
        if (!Files.isDirectory(p)) {
            throw new UsageException("option --" + name + " must be an existing directory, got " + p);
        }
        return p;
    }

    /** An existing regular file. */
    Path existingFile(String name) {
        Path p = Paths.get(required(name));
        if (!Files.isRegularFile(p)) {
            throw new UsageException("option --" + name + " must be an existing file, got " + p);
        }
        return p;
    }

    /**
     * An output audio file: its extension must name a format {@link io.github.audioldm4j.io.AudioEncoder}
     * writes, and its folder must be creatable. Checked before any work starts.
     */
    Path outputAudio(String name, String dflt) {
        Path p = Paths.get(string(name, dflt));
        try {
            io.github.audioldm4j.io.AudioFormat.forFile(p);
        } catch (IllegalArgumentException e) {
            throw new UsageException("option --" + name + ": " + e.getMessage());
        }
        checkParent(name, p);
        return p;
    }

    /** An output directory: it may exist (as a directory) or be creatable. */
    Path outputDirectory(String name, String dflt) {
        Path p = Paths.get(string(name, dflt));
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new UsageException("option --" + name + " must be a directory, got the file " + p);
        }
        checkParent(name, p);
        return p;
    }

    private static void checkParent(String name, Path p) {
        for (Path d = p.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
            if (Files.exists(d)) {
                if (!Files.isDirectory(d)) {
                    throw new UsageException("option --" + name + ": " + d + " is a file, so " + p + " cannot be created");
                }
                if (!Files.isWritable(d)) {
                    throw new UsageException("option --" + name + ": folder " + d + " is not writable");
                }
                return;
            }
        }
    }

    /**
     * Rewrites an argument error of the API in terms of the command line: every API parameter
     * name in the message becomes its option ({@code numInferenceSteps} becomes {@code --steps}).
     */
    static UsageException usage(IllegalArgumentException e, Map<String, String> apiToOption) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        boolean named = false;
        for (Map.Entry<String, String> en : apiToOption.entrySet()) {
            java.util.regex.Matcher x = java.util.regex.Pattern.compile("(?<![A-Za-z0-9_.-])"
                    + java.util.regex.Pattern.quote(en.getKey()) + "(?![A-Za-z0-9_])").matcher(m);
            if (x.find()) {
                named |= x.start() == 0;
                m = x.replaceAll(java.util.regex.Matcher.quoteReplacement("--" + en.getValue()));
            }
        }
        return new UsageException(named ? "option " + m : m);
    }

    List<String> positional() {
        return positional;
    }

    List<String> all(String name) {
        return options.containsKey(name) ? List.of(options.get(name).split("\\|")) : List.of();
    }
}
