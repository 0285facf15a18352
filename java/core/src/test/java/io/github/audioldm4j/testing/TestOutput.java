package io.github.audioldm4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests leave files worth looking at: {@code java/target/analysis-test-output/<name>}. */
public final class TestOutput {
    private TestOutput() {}

    public static Path dir(String name) {
        Path dir = Path.of("target", "analysis-test-output", name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }
}
