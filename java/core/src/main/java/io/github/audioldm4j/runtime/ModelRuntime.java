package io.github.audioldm4j.runtime;

import java.nio.file.Path;

/**
 * The runtime SPI: loads TorchScript files and runs them on host tensors. Implementations:
 * {@code presets} (bytedeco PyTorch presets, the default) and {@code shim} (the C ABI library in
 * {@code native/}). Obtain one with {@link ModelRuntimes#create(String)}.
 *
 * <p>Only one libtorch may live in a JVM: do not use two implementations in one process.
 */
public interface ModelRuntime extends AutoCloseable {
    /** Short name used for selection, e.g. {@code "presets"} or {@code "shim"}. */
    String name();

    /** A human-readable description of the native library in use (libtorch version, CUDA). */
    String describe();

    /** Whether {@code device} can be used (CUDA compiled in and the device index exists). */
    boolean isAvailable(Device device);

    /**
     * Loads a TorchScript file in eval mode onto the requested device and precision.
     *
     * @throws IllegalArgumentException if {@code file} does not exist or is not a regular file,
     *     or the device is unavailable
     * @throws ModelRuntimeException if libtorch cannot load the file
     */
    LoadedModule load(Path file, ModuleOptions options);

    /**
     * Native objects this runtime currently holds (modules plus live temporaries). Used by leak
     * tests: it returns to the number of open modules after every call.
     */
    long liveHandles();

    /** Closes every module still open. Idempotent. */
    @Override
    void close();
}
