package io.github.audioldm4j.runtime;

import java.nio.file.Path;
import java.util.List;

/**
 * A TorchScript module loaded by a {@link ModelRuntime}. Calls are synchronous; every native
 * temporary created by {@link #forward} is released before it returns.
 *
 * <p>Not thread-safe: use one module per thread, or synchronise externally.
 */
public interface LoadedModule extends AutoCloseable {
    /**
     * Runs {@code forward(*inputs)} and returns the outputs as host tensors. A single tensor
     * output gives a one-element list; a tuple gives its elements in order (nested tuples are
     * flattened depth-first). Float inputs of rank 2 or more are cast to the module precision;
     * rank 0 and 1 float inputs (timesteps and other scalars) are passed as float32, as diffusers
     * never casts timesteps to half precision (bf16 would turn 991 into 992). Float outputs are
     * returned as FLOAT32 whatever the module precision.
     *
     * @throws IllegalArgumentException if {@code inputs} is null or contains null
     * @throws IllegalStateException if the module is closed
     * @throws ModelRuntimeException if the module fails (wrong shapes, dtype mismatch, ...)
     */
    List<HostTensor> forward(List<HostTensor> inputs);

    /** Convenience for {@link #forward(List)}. */
    default List<HostTensor> forward(HostTensor... inputs) {
        return forward(List.of(inputs));
    }

    Path file();

    ModuleOptions options();

    /** Idempotent; releases the native module. */
    @Override
    void close();
}
