package io.github.audioldm4j.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's /usr/bin/python3 (with torch) for tests that need Python baselines. */
public final class Python {
    public static final Path PYTHON = Paths.get("/usr/bin/python3");

    private Python() {}

    /** Whether /usr/bin/python3 exists and can import torch. */
    public static boolean hasTorch() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            return run(60, "-c", "import torch").exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Result of a Python run. */
    public record Result(int exitCode, String output) {}

    /** Runs python3 with arguments, merging stdout and stderr. */
    public static Result run(long timeoutSeconds, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(PYTHON.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("python3 " + args[0] + " timed out after " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
