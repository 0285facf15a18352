package io.github.audioldm4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Locates the committed tiny test bundle ({@code torchscript-models/tiny-bundle}). */
public final class TinyBundle {
    private TinyBundle() {}

    public static Path dir() {
        String p = System.getProperty("audioldm4j.tinyBundle");
        if (p != null && !p.isBlank() && Files.isRegularFile(Paths.get(p, "manifest.json"))) {
            return Paths.get(p).toAbsolutePath().normalize();
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path c = d.resolve("torchscript-models").resolve("tiny-bundle");
            if (Files.isRegularFile(c.resolve("manifest.json"))) {
                return c;
            }
        }
        throw new IllegalStateException("torchscript-models/tiny-bundle not found above "
                + Paths.get("").toAbsolutePath() + "; run torchscript-models/make_tiny_bundle.py");
    }

    public static Path file(String relative) {
        return dir().resolve(relative);
    }

    /** Copies the whole tiny bundle into {@code target} (for tests that corrupt it). */
    public static Path copyTo(Path target) {
        Path src = dir();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path s : (Iterable<Path>) files::iterator) {
                Path t = target.resolve(src.relativize(s).toString());
                if (Files.isDirectory(s)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(s, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
