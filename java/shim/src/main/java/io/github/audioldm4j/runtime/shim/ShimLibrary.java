package io.github.audioldm4j.runtime.shim;

import io.github.audioldm4j.runtime.ModelRuntimeException;
import io.github.audioldm4j.runtime.NativeEngine;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Loader;

/**
 * Finds and loads {@code libaldm2} (the C ABI with its JNI glue) once per JVM.
 *
 * <p>Search order: the system property {@value #PATH_PROPERTY}, else the environment variable
 * {@value #PATH_ENV} (either may name the library file or the directory holding it), else every
 * directory of {@code java.library.path}. JavaCPP's own {@code Loader} is not used for this
 * library: it would also search the class path and its cache, which makes it harder to say which
 * file was loaded. The library brings its libtorch with it (through its RUNPATH or the system
 * library path); that must be the only libtorch in the process, so the presets runtime must not be
 * used in the same JVM.
 */
final class ShimLibrary {
    static final String PATH_PROPERTY = "audioldm4j.shim.path";
    static final String PATH_ENV = "AUDIOLDM4J_SHIM_PATH";
    static final String LIBRARY = "aldm2";
    /** The ABI (major.minor) {@link Aldm2} was written for. */
    static final String ABI = "0.1";

    static final String BUILD_HINT = "Build it with 'mvn -pl java/shim -am process-classes' on a machine with cmake and "
            + "libtorch (the library lands in java/shim/target/native/), or with CMake as described in native/README.md.";

    private static Path loaded;

    private ShimLibrary() {}

    /**
     * Loads the library (once) and checks that it carries the JNI glue of the expected ABI.
     *
     * @return the absolute path of the loaded file
     * @throws ModelRuntimeException if the library cannot be found or loaded, naming what was tried
     */
    static synchronized Path load() {
        if (loaded != null) {
            return loaded;
        }
        // refuse before any native library loads when the presets runtime holds libtorch already
        NativeEngine.claim(ShimRuntime.NAME, "libjnitorch");
        Path file = locate(System.getProperty(PATH_PROPERTY), System.getenv(PATH_ENV),
                System.getProperty("java.library.path"));
        // the glue's JNI_OnLoad registers with JavaCPP's runtime (Pointer, Loader): load that first
        Loader.load(org.bytedeco.javacpp.presets.javacpp.class);
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new ModelRuntimeException("cannot load the aldm2 shim library " + file + ": " + e.getMessage()
                    + ". It needs the libtorch it was built against (found through its RUNPATH or LD_LIBRARY_PATH). "
                    + BUILD_HINT, e);
        }
        String version;
        try {
            version = Aldm2.version();
        } catch (UnsatisfiedLinkError e) {
            throw new ModelRuntimeException("the aldm2 shim library " + file + " has no JNI glue (built with "
                    + "-DALDM2_JNI=OFF or without ALDM2_JAVA_CLASSES/ALDM2_JAVACPP_JAR). " + BUILD_HINT, e);
        }
        if (!version.startsWith(ABI + ".")) {
            throw new ModelRuntimeException("the aldm2 shim library " + file + " has ABI version " + version
                    + ", this audioldm4j expects " + ABI + ".x. " + BUILD_HINT);
        }
        loaded = file;
        return file;
    }

    /**
     * Resolves the library file from the configured values (pure; does not load anything).
     *
     * @param property value of {@value #PATH_PROPERTY}, may be null
     * @param env value of {@value #PATH_ENV}, may be null
     * @param javaLibraryPath value of {@code java.library.path}, may be null
     */
    static Path locate(String property, String env, String javaLibraryPath) {
        String fileName = System.mapLibraryName(LIBRARY);
        String configured = null;
        String source = null;
        if (property != null && !property.isBlank()) {
            configured = property.trim();
            source = "-D" + PATH_PROPERTY;
        } else if (env != null && !env.isBlank()) {
            configured = env.trim();
            source = PATH_ENV;
        }
        if (configured != null) {
            Path p = Paths.get(configured);
            if (Files.isDirectory(p)) {
                p = p.resolve(fileName);
            }
            if (!Files.isRegularFile(p)) {
                throw new ModelRuntimeException(source + " must name " + fileName + " or a directory containing it, got "
                        + configured + " (" + p + " " + (Files.exists(p) ? "is not a regular file" : "not found") + "). "
                        + BUILD_HINT);
            }
            return p.toAbsolutePath().normalize();
        }
        List<String> searched = new ArrayList<>();
        if (javaLibraryPath != null) {
            for (String dir : javaLibraryPath.split(File.pathSeparator)) {
                if (dir.isBlank()) {
                    continue;
                }
                searched.add(dir);
                Path candidate = Paths.get(dir).resolve(fileName);
                if (Files.isRegularFile(candidate)) {
                    return candidate.toAbsolutePath().normalize();
                }
            }
        }
        throw new ModelRuntimeException("cannot find the aldm2 shim library " + fileName + ": set -D" + PATH_PROPERTY
                + "=<file or directory> (or " + PATH_ENV + "), or put its directory on java.library.path (searched "
                + searched + "). " + BUILD_HINT);
    }
}
