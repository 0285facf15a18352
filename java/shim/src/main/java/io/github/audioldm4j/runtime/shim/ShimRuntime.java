package io.github.audioldm4j.runtime.shim;

import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimeException;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.util.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@link ModelRuntime} on the aldm2 native shim ({@code native/}): a small C ABI over the libtorch
 * it was built against (any version, CPU or CUDA), bound with JavaCPP. Select it with
 * {@code -Daudioldm4j.runtime=shim}; tell it where the library is with
 * {@code -Daudioldm4j.shim.path=<file or directory>} (see {@link ShimLibrary}).
 *
 * <p>Never touches the bytedeco PyTorch presets: the shim's libtorch must be the only one in the
 * process. {@code -Daudioldm4j.threads=N} sets libtorch's intra-op thread count (process-wide).
 *
 * <p>Thread-safe: loads and queries may run concurrently; each module serialises its own calls.
 * {@link #close()} waits for loads in flight, then closes every module still open.
 */
public final class ShimRuntime implements ModelRuntime {
    /** Selection name. */
    public static final String NAME = "shim";

    private final Path library;
    private final Aldm2.RuntimeHandle handle;
    private final Set<ShimModule> open = ConcurrentHashMap.newKeySet();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lock

    /**
     * Loads the shim library (once per JVM) and creates a native runtime.
     *
     * @throws ModelRuntimeException if the library cannot be found or loaded (the message says how
     *     to build and point to it)
     * @throws IllegalArgumentException if {@code audioldm4j.threads} is set but not an integer >= 1
     */
    public ShimRuntime() {
        int threads = threadsProperty();
        library = ShimLibrary.load();
        Aldm2.RuntimeHandle h = new Aldm2.RuntimeHandle();
        try (Aldm2.RuntimeParams params = new Aldm2.RuntimeParams()) {
            ShimErrors.check(Aldm2.runtimeParamsInit(params), "aldm2_runtime_params_init", Aldm2::lastError);
            params.numThreads(threads);
            ShimErrors.check(Aldm2.runtimeNew(params, h), "aldm2_runtime_new", Aldm2::lastError);
        }
        handle = h;
    }

    private static int threadsProperty() {
        String threads = System.getProperty("audioldm4j.threads");
        if (threads == null || threads.isBlank()) {
            return 0;
        }
        try {
            return Check.positive("audioldm4j.threads", Integer.parseInt(threads.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("audioldm4j.threads must be an integer >= 1, got \"" + threads + "\"");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String describe() {
        return "native shim " + Aldm2.buildInfo() + ", " + deviceCount(Aldm2.DEVICE_CUDA)
                + " CUDA device(s), library " + library;
    }

    @Override
    public boolean isAvailable(Device device) {
        Check.notNull("device", device);
        if (!device.isCuda()) {
            return true;
        }
        return device.index() < deviceCount(Aldm2.DEVICE_CUDA);
    }

    private int deviceCount(int deviceType) {
        Lock l = lock.readLock();
        l.lock();
        try {
            requireOpen();
            int[] count = new int[1];
            ShimErrors.check(Aldm2.runtimeDeviceCount(handle, deviceType, count), "aldm2_runtime_device_count",
                    Aldm2::lastError);
            return count[0];
        } finally {
            l.unlock();
        }
    }

    @Override
    public LoadedModule load(Path file, ModuleOptions options) {
        return load(file, options, false);
    }

    /**
     * Like {@link #load(Path, ModuleOptions)}, optionally running the module through a CUDA graph:
     * the first forward (after warm-up calls) is captured and later calls replay it, which removes
     * per-kernel launch overhead for fixed shapes (the UNet inside a denoising loop). The graph is
     * recaptured when the input shapes or dtypes change. Only for CUDA devices of a CUDA build.
     *
     * @throws IllegalArgumentException if {@code cudaGraph} is requested for a non-CUDA device, plus
     *     the cases of {@link #load(Path, ModuleOptions)}
     */
    public LoadedModule load(Path file, ModuleOptions options, boolean cudaGraph) {
        Check.notNull("file", file);
        Check.notNull("options", options);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("file must exist, got " + file + " (not found)");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("file must be a regular file, got " + file);
        }
        if (cudaGraph && !options.device().isCuda()) {
            throw new IllegalArgumentException("cudaGraph requires a CUDA device, got " + options.device());
        }
        Lock l = lock.readLock();
        l.lock();
        try {
            requireOpen();
            if (!isAvailable(options.device())) {
                throw new IllegalArgumentException("device " + options.device() + " is not available in this runtime ("
                        + describe() + "); rebuild the shim against a CUDA libtorch (native/README.md)");
            }
            ShimModule m = ShimModule.load(this, handle, file, options, cudaGraph);
            open.add(m);
            return m;
        } finally {
            l.unlock();
        }
    }

    void onClose(ShimModule m) {
        open.remove(m);
    }

    /**
     * Native objects of this runtime, counted by the library: open modules plus the tensors they
     * hold. Between calls it equals the number of open modules, since every forward releases its
     * native tensors before returning. 0 once closed.
     */
    @Override
    public long liveHandles() {
        Lock l = lock.readLock();
        l.lock();
        try {
            if (closed) {
                return 0;
            }
            long[] count = new long[1];
            ShimErrors.check(Aldm2.runtimeLiveHandles(handle, count), "aldm2_runtime_live_handles", Aldm2::lastError);
            return count[0];
        } finally {
            l.unlock();
        }
    }

    /** The loaded library file. */
    public Path library() {
        return library;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("runtime " + NAME + " is closed");
        }
    }

    /** Closes every module still open, then the native runtime. Idempotent. */
    @Override
    public void close() {
        Lock l = lock.writeLock();
        l.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            RuntimeException first = null;
            for (ShimModule m : new ArrayList<>(open)) {
                try {
                    m.close();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            try {
                ShimErrors.check(Aldm2.runtimeFree(handle), "aldm2_runtime_free", Aldm2::lastError);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            l.unlock();
        }
    }

    @Override
    public String toString() {
        return "ShimRuntime[" + library + (closed ? ", closed" : "") + "]";
    }
}
