package io.github.audioldm4j.testing;

import java.nio.file.Path;

/** Locates torchscript-models/parity (reference outputs of make_pipeline_reference.py). */
public final class Parity {
    private Parity() {}

    public static Path dir() {
        return TinyBundle.dir().getParent().resolve("parity");
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }
}
