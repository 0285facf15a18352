package io.github.audioldm4j.examples.bench;

import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.util.Check;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link ModelRuntime} that delegates and adds up the wall time of every module's forward calls,
 * per component file (unet.pt, gpt2.pt, ...): the per-component share of a pipeline run, the rest
 * being the Java host code (tokenizers, scheduler math, CFG, copies). For benchmarks only: the
 * clock reads cost nothing next to a model call.
 */
final class TimedRuntime implements ModelRuntime {
    /** Calls and nanoseconds of one component. */
    static final class Tally {
        long calls;
        long nanos;
    }

    private final ModelRuntime delegate;
    private final Map<String, Tally> tallies = new TreeMap<>();

    TimedRuntime(ModelRuntime delegate) {
        this.delegate = Check.notNull("delegate", delegate);
    }

    /** The tallies by component name (file name without .pt); a snapshot. */
    synchronized Map<String, long[]> snapshot() {
        Map<String, long[]> out = new TreeMap<>();
        tallies.forEach((k, v) -> out.put(k, new long[] {v.calls, v.nanos}));
        return out;
    }

    /** Forgets every tally (after a warm-up). */
    synchronized void reset() {
        tallies.clear();
    }

    private synchronized void add(String name, long nanos) {
        Tally t = tallies.computeIfAbsent(name, k -> new Tally());
        t.calls++;
        t.nanos += nanos;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public boolean isAvailable(Device device) {
        return delegate.isAvailable(device);
    }

    @Override
    public LoadedModule load(Path file, ModuleOptions options) {
        LoadedModule m = delegate.load(file, options);
        String fn = file.getFileName().toString();
        String name = fn.endsWith(".pt") ? fn.substring(0, fn.length() - 3) : fn;
        return new LoadedModule() {
            @Override
            public List<HostTensor> forward(List<HostTensor> inputs) {
                long t0 = System.nanoTime();
                try {
                    return m.forward(inputs);
                } finally {
                    add(name, System.nanoTime() - t0);
                }
            }

            @Override
            public Path file() {
                return m.file();
            }

            @Override
            public ModuleOptions options() {
                return m.options();
            }

            @Override
            public void close() {
                m.close();
            }
        };
    }

    @Override
    public long liveHandles() {
        return delegate.liveHandles();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
