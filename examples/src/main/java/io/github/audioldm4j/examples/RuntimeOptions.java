package io.github.audioldm4j.examples;

import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.Precision;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --runtime}, {@code --device}, {@code --dtype} and {@code --threads}, shared by the model commands. */
final class RuntimeOptions {
    /** Cores at or below which one libtorch thread is the default (see {@link #defaultThreads}). */
    static final int SMALL_MACHINE_CORES = 2;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--runtime", paramLabel = "NAME",
            description = "model runtime: presets (default) or shim (also -Daudioldm4j.runtime, AUDIOLDM4J_RUNTIME)")
    String runtime;

    @Option(names = "--device", paramLabel = "DEV", description = "cpu (default), cuda or cuda:N")
    String device;

    @Option(names = "--dtype", paramLabel = "T", description = "fp32 (default), fp16 (CUDA only) or bf16")
    String dtype;

    @Option(names = "--threads", paramLabel = "N", description = "libtorch intra-op threads (default: 1 on machines "
            + "with up to " + SMALL_MACHINE_CORES + " cores, else libtorch's own choice; -Daudioldm4j.threads)")
    Integer threads;

    /**
     * The thread default: on small machines (2 vCPUs) the presets' OpenMP stalls in the many small
     * calls of a pipeline with 2 threads (measured: BENCHMARKS.md "Default threads"), so one thread
     * is the default there; larger machines keep libtorch's default (one thread per core).
     */
    static Integer defaultThreads(int cores) {
        return cores <= SMALL_MACHINE_CORES ? 1 : null;
    }

    /**
     * Sets {@code audioldm4j.threads} before a runtime loads: {@code threads} when given (>= 1),
     * else {@link #defaultThreads} unless the property is already set.
     */
    static void applyThreads(CommandSpec spec, Integer threads) {
        if (threads != null) {
            if (threads < 1) {
                throw new ParameterException(spec.commandLine(), "option --threads must be >= 1, got " + threads);
            }
            System.setProperty("audioldm4j.threads", Integer.toString(threads));
        } else if (System.getProperty("audioldm4j.threads") == null) {
            Integer d = defaultThreads(Runtime.getRuntime().availableProcessors());
            if (d != null) {
                System.setProperty("audioldm4j.threads", Integer.toString(d));
            }
        }
    }

    /** Applies the thread setting (before the runtime loads) and creates the runtime. */
    ModelRuntime runtime() {
        applyThreads(spec, threads);
        try {
            return runtime != null ? ModelRuntimes.create(runtime) : ModelRuntimes.createDefault();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "option --runtime: " + e.getMessage());
        }
    }

    /** The runtime name {@link #runtime()} creates: {@code --runtime}, else the property, the environment, presets. */
    String runtimeName() {
        if (runtime != null) {
            return runtime.trim().toLowerCase(java.util.Locale.ROOT);
        }
        String name = System.getProperty(ModelRuntimes.PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv("AUDIOLDM4J_RUNTIME");
        }
        return name == null || name.isBlank() ? ModelRuntimes.DEFAULT : name.trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** The module options of {@code --device} / {@code --dtype}. */
    ModuleOptions options() {
        try {
            return new ModuleOptions(device == null ? Device.CPU : Device.parse(device),
                    dtype == null ? Precision.FP32 : Precision.parse(dtype));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), (device != null && e.getMessage().contains("device")
                    ? "option --device: " : "option --dtype: ") + e.getMessage());
        }
    }

    /** Validates the options that need no runtime (call before any work). */
    void check() {
        options();
        if (threads != null && threads < 1) {
            throw new ParameterException(spec.commandLine(), "option --threads must be >= 1, got " + threads);
        }
    }
}
