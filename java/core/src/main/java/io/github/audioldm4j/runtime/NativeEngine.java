package io.github.audioldm4j.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The one libtorch a JVM may hold. The presets runtime (libtorch from the bytedeco jars) and the
 * shim runtime (the libtorch {@code libaldm2} was built against) each bring their own libtorch;
 * two libtorch builds in one process abort it (SIGSEGV or {@code std::system_error} from duplicate
 * operator registration). Each runtime claims its engine here <em>before</em> it loads any native
 * library, so the second one is refused with an exception instead.
 *
 * <p>Used by the runtime implementations; applications do not call it.
 */
public final class NativeEngine {
    private static String claimed;

    private NativeEngine() {}

    /**
     * Claims the process for {@code engine} ({@code "presets"} or {@code "shim"}); idempotent for the
     * same engine.
     *
     * @param engine the runtime name that is about to load its libtorch
     * @param foreignLibrary a file-name fragment of the other engine's native library (looked for in
     *     {@code /proc/self/maps}, which also catches a load that bypassed audioldm4j)
     * @throws IllegalStateException if the other engine already claimed or loaded libtorch
     */
    public static synchronized void claim(String engine, String foreignLibrary) {
        if (engine.equals(claimed)) {
            return;
        }
        if (claimed != null) {
            throw refusal(engine, claimed, "runtime '" + claimed + "' was started earlier");
        }
        String mapped = mappedLibrary(foreignLibrary);
        if (mapped != null) {
            throw refusal(engine, foreignLibrary.contains("aldm2") ? "shim" : "presets", mapped + " is already loaded");
        }
        claimed = engine;
    }

    /** The engine that holds this JVM's libtorch, or null when none was started. */
    public static synchronized String claimed() {
        return claimed;
    }

    private static IllegalStateException refusal(String engine, String other, String why) {
        return new IllegalStateException("cannot start runtime '" + engine + "': " + why + " in this JVM and brought "
                + "its own libtorch; two libtorch builds in one process abort it. Use one runtime per JVM (-D"
                + ModelRuntimes.PROPERTY + "=" + other + " for everything, or run the other runtime in its own process).");
    }

    /** The first line of /proc/self/maps naming {@code fragment}, or null (also when maps is unreadable). */
    private static String mappedLibrary(String fragment) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(maps);
            String f = fragment.toLowerCase(Locale.ROOT);
            for (String line : lines) {
                int slash = line.indexOf('/');
                if (slash >= 0) {
                    String path = line.substring(slash);
                    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
                    if (name.contains(f)) {
                        return path;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
