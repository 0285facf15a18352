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

    /**
     * Copies the tiny bundle into {@code target}, replaces one component's file with
     * {@code replacement} and updates its manifest checksum (for error-path tests).
     */
    public static Path withComponent(Path target, String component, Path replacement) {
        Path b = copyTo(target);
        try {
            com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode root =
                    (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(b.resolve("manifest.json").toFile());
            com.fasterxml.jackson.databind.node.ObjectNode c =
                    (com.fasterxml.jackson.databind.node.ObjectNode) root.get("components").get(component);
            Path file = b.resolve(c.get("file").asText());
            Files.copy(replacement, file, StandardCopyOption.REPLACE_EXISTING);
            c.put("sha256", io.github.audioldm4j.bundle.ModelBundle.sha256(file));
            mapper.writeValue(b.resolve("manifest.json").toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b;
    }

    /** A fixture model from torchscript-models/fixtures. */
    public static Path fixture(String name) {
        return dir().getParent().resolve("fixtures").resolve(name);
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
