package io.github.audioldm4j.runtime.presets;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The thread count of OpenBLAS, which libtorch's {@code set_num_threads} does not reach: the
 * presets' OpenBLAS (a pthreads build) keeps a pool of one thread per core unless
 * {@code OPENBLAS_NUM_THREADS} / {@code OMP_NUM_THREADS} said otherwise when it loaded, and its
 * GEMM/GEMV results depend on that count (measured on an AVX-512 machine: the tiny bundle's
 * vocoder and VAE outputs differ between 1 and 2 OpenBLAS threads). Spark executors run with
 * {@code OMP_NUM_THREADS} set to their cores, so without this a local run with
 * {@code -Daudioldm4j.threads=1} and an executor disagreed in the last bits.
 *
 * <p>It is set to one thread, always: libtorch parallelises with its own OpenMP pool
 * ({@code audioldm4j.threads}), and an OpenBLAS pthreads pool of the same size on the same cores
 * fights it (both spin while waiting). Measured on the base-size bundle (2 cores, AVX-512, 2.56 s,
 * CFG batch 2): UNet step 6.28 s with OpenMP 2 + OpenBLAS 2 threads, 1.03 s with OpenMP 2 + OpenBLAS 1,
 * 1.15 s with 1 + 1; the GPT-2 loop 9.7 s vs 2.9 s. One OpenBLAS thread also makes its GEMM results
 * independent of the thread setting.
 *
 * <p>The presets do not map {@code openblas_set_num_threads}; it is called through JNA on every
 * OpenBLAS library mapped into the process (Linux: {@code /proc/self/maps}; elsewhere nothing is
 * done and {@link #apply} returns an empty list).
 */
final class BlasThreads {
    /** The OpenBLAS thread count the runtime sets. */
    static final int THREADS = 1;

    private BlasThreads() {}

    /** Sets {@code threads} on each loaded OpenBLAS; returns the libraries it was set on. */
    static List<String> apply(int threads) {
        List<String> done = new ArrayList<>();
        for (String lib : loadedOpenBlas()) {
            try {
                Function f = NativeLibrary.getInstance(lib).getFunction("openblas_set_num_threads");
                f.invoke(new Object[] {threads});
                done.add(lib);
            } catch (UnsatisfiedLinkError e) {
                // a library with openblas in its name but without the symbol (JNI glue): nothing to set
            }
        }
        return done;
    }

    /** Paths of the mapped shared objects whose file name contains "openblas" (JNI glue excluded). */
    static List<String> loadedOpenBlas() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return List.of();
        }
        TreeSet<String> libs = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(maps)) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String path = line.substring(slash).trim();
                String name = path.substring(path.lastIndexOf('/') + 1);
                if (name.contains("openblas") && name.contains(".so") && !name.startsWith("libjni")) {
                    libs.add(path);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return new ArrayList<>(libs);
    }
}
