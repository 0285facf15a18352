package io.github.audioldm4j.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Finds runtime implementations. The default is chosen by the system property
 * {@value #PROPERTY}, else the environment variable {@code AUDIOLDM4J_RUNTIME}, else
 * {@code "presets"}.
 */
public final class ModelRuntimes {
    public static final String PROPERTY = "audioldm4j.runtime";
    public static final String DEFAULT = "presets";

    private ModelRuntimes() {}

    /** Names of the runtimes on the class path. */
    public static List<String> available() {
        List<String> names = new ArrayList<>();
        for (ModelRuntimeProvider p : ServiceLoader.load(ModelRuntimeProvider.class)) {
            names.add(p.name());
        }
        return names;
    }

    /** The runtime named by {@value #PROPERTY} / {@code AUDIOLDM4J_RUNTIME}, or {@code presets}. */
    public static ModelRuntime createDefault() {
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv("AUDIOLDM4J_RUNTIME");
        }
        if (name == null || name.isBlank()) {
            name = DEFAULT;
        }
        return create(name);
    }

    /**
     * Creates the runtime with the given name.
     *
     * @throws IllegalArgumentException naming the available runtimes if none matches
     */
    public static ModelRuntime create(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("runtime name must not be blank, got \"" + name + "\"");
        }
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (ModelRuntimeProvider p : ServiceLoader.load(ModelRuntimeProvider.class)) {
            if (p.name().equals(wanted)) {
                return p.create();
            }
        }
        throw new IllegalArgumentException(
                "runtime must be one of " + available() + ", got \"" + name + "\"");
    }
}
