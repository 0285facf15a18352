package io.github.audioldm4j.runtime;

/** {@link java.util.ServiceLoader} entry point for a {@link ModelRuntime} implementation. */
public interface ModelRuntimeProvider {
    /** Selection name, e.g. {@code "presets"}. */
    String name();

    /** Creates a runtime; may load native libraries. */
    ModelRuntime create();
}
