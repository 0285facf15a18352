package io.github.audioldm4j.runtime.presets;

import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimeException;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.NativeEngine;
import io.github.audioldm4j.util.Check;
import io.github.audioldm4j.util.Closeables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * {@link io.github.audioldm4j.runtime.ModelRuntime} on the bytedeco PyTorch presets (libtorch
 * from Maven; the {@code cuda} Maven profile switches to the CUDA build).
 *
 * <p>Native libraries are loaded once per JVM. Before loading, the presets' own platform folder
 * is extracted with {@link Loader#cacheResources(String)}: on machines with a system libtorch
 * installed, JavaCPP can otherwise resolve a dependency against the system copy on first run.
 * Set {@code -Daudioldm4j.threads=N} to fix libtorch's intra-op thread count and OpenBLAS's
 * ({@link BlasThreads}), in every thread that calls a module.
 */
public final class PresetsRuntime implements ModelRuntime {
    private static volatile boolean loaded;
    /** The {@code audioldm4j.threads} applied at load, 0 when unset. */
    private static volatile int appliedThreads;
    private static final ThreadLocal<Boolean> THREAD_SET = ThreadLocal.withInitial(() -> false);

    private final Set<PresetsModule> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public PresetsRuntime() {
        ensureLoaded();
    }

    /** Loads libtorch through the presets once per JVM. Thread-safe and idempotent. */
    static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (PresetsRuntime.class) {
            if (loaded) {
                return;
            }
            // refuse before any native library loads when the shim runtime holds libtorch already
            NativeEngine.claim(PresetsRuntimeProvider.NAME, "libaldm2");
            String platform = Loader.getPlatform();
            for (String folder : new String[] {platform, platform + "-gpu"}) {
                String resource = "/org/bytedeco/pytorch/" + folder + "/";
                if (PresetsRuntime.class.getResource(resource) != null) {
                    try {
                        Loader.cacheResources(resource);
                    } catch (IOException e) {
                        throw new ModelRuntimeException("cannot extract the PyTorch presets' native libraries from "
                                + resource + " into the JavaCPP cache: " + e.getMessage(), e);
                    }
                }
            }
            try {
                Loader.load(torch.class);
            } catch (UnsatisfiedLinkError e) {
                throw new ModelRuntimeException("cannot load libtorch from the bytedeco PyTorch presets for platform "
                        + platform + ": " + e.getMessage(), e);
            }
            String threads = System.getProperty("audioldm4j.threads");
            if (threads != null && !threads.isBlank()) {
                int n;
                try {
                    n = Integer.parseInt(threads.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("audioldm4j.threads must be an integer >= 1, got \"" + threads + "\"");
                }
                torch.set_num_threads(Check.positive("audioldm4j.threads", n));
                appliedThreads = n;
            }
            // OpenBLAS single-threaded whatever the setting: see BlasThreads
            BlasThreads.apply(BlasThreads.THREADS);
            loaded = true;
        }
    }

    /**
     * Applies the thread setting to the calling thread once: OpenMP keeps the thread count per
     * thread, and modules are called from threads other than the loading one (Spark task threads,
     * the CLI's workers), whose first oneDNN call would otherwise use OpenMP's default.
     */
    static void applyThreadsToThisThread() {
        int n = appliedThreads;
        if (n > 0 && !THREAD_SET.get()) {
            torch.set_num_threads(n);
            THREAD_SET.set(true);
        }
    }

    @Override
    public String name() {
        return PresetsRuntimeProvider.NAME;
    }

    @Override
    public String describe() {
        return "bytedeco PyTorch presets (libtorch " + libtorchVersion() + ", CUDA "
                + (torch.cuda_is_available() ? "available, " + torch.cuda_device_count() + " device(s)" : "not available")
                + ", " + torch.get_num_threads() + " CPU threads)";
    }

    /** The libtorch version the presets were built against, from the presets' jar version. */
    static String libtorchVersion() {
        String v = torch.class.getPackage().getImplementationVersion();
        if (v == null) {
            return "2.10.0";
        }
        int dash = v.indexOf('-');
        return dash > 0 ? v.substring(0, dash) : v;
    }

    @Override
    public boolean isAvailable(Device device) {
        Check.notNull("device", device);
        if (!device.isCuda()) {
            return true;
        }
        return torch.cuda_is_available() && device.index() < torch.cuda_device_count();
    }

    @Override
    public LoadedModule load(Path file, ModuleOptions options) {
        Check.notNull("file", file);
        Check.notNull("options", options);
        if (closed) {
            throw new IllegalStateException("runtime is closed");
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("file must exist, got " + file + " (not found)");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("file must be a regular file, got " + file);
        }
        if (!isAvailable(options.device())) {
            throw new IllegalArgumentException("device " + options.device() + " is not available in this runtime ("
                    + describe() + "); use cpu or build with the cuda Maven profile");
        }
        PresetsModule m = PresetsModule.load(this, file, options);
        open.add(m);
        return m;
    }

    void onClose(PresetsModule m) {
        open.remove(m);
    }

    @Override
    public long liveHandles() {
        return open.size() + PresetsModule.liveTemporaries();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Closeables.closeAll(new ArrayList<>(open));
    }

    /** Open modules, for diagnostics. */
    List<PresetsModule> openModules() {
        return new ArrayList<>(open);
    }
}
