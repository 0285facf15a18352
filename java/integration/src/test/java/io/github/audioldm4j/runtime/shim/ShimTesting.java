package io.github.audioldm4j.runtime.shim;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.audioldm4j.runtime.ModelRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** Preconditions of the tests that load the shim library. */
final class ShimTesting {
    private static final Path MAPS = Paths.get("/proc/self/maps");

    private ShimTesting() {}

    /**
     * Skips (visibly) unless the library is configured, and refuses to load it into a JVM that
     * already holds the presets' libtorch (two libtorch builds in one process crash). Loads the
     * library, so tests may call {@link Aldm2} directly.
     */
    static void assumeShimUsable() {
        boolean configured = !blank(System.getProperty(ShimLibrary.PATH_PROPERTY))
                || !blank(System.getenv(ShimLibrary.PATH_ENV));
        if (!configured) {
            try {
                ShimLibrary.locate(null, null, System.getProperty("java.library.path"));
                configured = true;
            } catch (ModelRuntimeException e) {
                configured = false;
            }
        }
        assumeTrue(configured, "the aldm2 shim library is not configured (-D" + ShimLibrary.PATH_PROPERTY
                + "); the shim-native Maven profile builds it and runs these tests");
        assumeFalse(presetsLibtorchLoaded(), "the presets' libtorch is loaded in this JVM; run shim tests in their own JVM");
        ShimLibrary.load();
    }

    /** Lines of /proc/self/maps (Linux). */
    static List<String> mappedFiles() {
        try {
            return Files.readAllLines(MAPS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean presetsLibtorchLoaded() {
        if (!Files.isReadable(MAPS)) {
            return false;
        }
        return mappedFiles().stream().anyMatch(l -> l.contains("jnitorch") || l.contains("/org/bytedeco/pytorch/"));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
