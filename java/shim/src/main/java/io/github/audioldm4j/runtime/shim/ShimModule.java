package io.github.audioldm4j.runtime.shim;

import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntimeException;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.Precision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A TorchScript module held by the shim. A call adds the inputs (the library copies them from the
 * Java arrays), runs forward, copies the outputs into new Java arrays and clears the module, so no
 * native tensor survives the call; {@link ShimRuntime#liveHandles()} counts what the library holds.
 *
 * <p>Not thread-safe by contract ({@link LoadedModule}); calls are serialised on this object so that
 * misuse cannot corrupt the native module.
 */
final class ShimModule implements LoadedModule {
    private final ShimRuntime owner;
    private final Path file;
    private final ModuleOptions options;
    private final boolean cudaGraph;
    private Aldm2.ModuleHandle handle; // null once closed; guarded by this

    private ShimModule(ShimRuntime owner, Path file, ModuleOptions options, boolean cudaGraph,
            Aldm2.ModuleHandle handle) {
        this.owner = owner;
        this.file = file;
        this.options = options;
        this.cudaGraph = cudaGraph;
        this.handle = handle;
    }

    static ShimModule load(ShimRuntime owner, Aldm2.RuntimeHandle runtime, Path file, ModuleOptions options,
            boolean cudaGraph) {
        Aldm2.ModuleHandle h = new Aldm2.ModuleHandle();
        try (Aldm2.LoadParams params = new Aldm2.LoadParams()) {
            ShimErrors.check(Aldm2.loadParamsInit(params), "aldm2_load_params_init", Aldm2::lastError);
            params.deviceType(options.device().isCuda() ? Aldm2.DEVICE_CUDA : Aldm2.DEVICE_CPU)
                    .deviceIndex(options.device().index())
                    .dtype(dtype(options.precision()))
                    .cudaGraph(cudaGraph ? 1 : 0);
            int status = Aldm2.moduleLoad(runtime, file.toAbsolutePath().toString(), params, h);
            if (status != Aldm2.STATUS_OK) {
                throw ShimErrors.failure("cannot load TorchScript module " + file + " on " + options.device() + " as "
                        + options.precision(), "aldm2_module_load", status, Aldm2.lastError());
            }
        }
        return new ShimModule(owner, file, options, cudaGraph, h);
    }

    static int dtype(Precision p) {
        switch (p) {
            case FP16: return Aldm2.DTYPE_F16;
            case BF16: return Aldm2.DTYPE_BF16;
            default: return Aldm2.DTYPE_F32;
        }
    }

    @Override
    public synchronized List<HostTensor> forward(List<HostTensor> inputs) {
        HostTensor.checkInputs(inputs, Aldm2.MAX_DIMS);
        Aldm2.ModuleHandle m = requireOpen();
        List<HostTensor> outputs;
        try {
            for (int i = 0; i < inputs.size(); i++) {
                addInput(m, i, inputs.get(i));
            }
            int status = Aldm2.moduleForward(m);
            if (status != Aldm2.STATUS_OK) {
                throw ShimErrors.failure("forward of " + file.getFileName() + " failed for inputs " + inputs,
                        "aldm2_module_forward", status, Aldm2.moduleLastError(m));
            }
            outputs = readOutputs(m);
        } catch (RuntimeException e) {
            int status = Aldm2.moduleClear(m);
            if (status != Aldm2.STATUS_OK) {
                e.addSuppressed(ShimErrors.failure("", "aldm2_module_clear", status, Aldm2.moduleLastError(m)));
            }
            throw e;
        }
        ShimErrors.check(Aldm2.moduleClear(m), "aldm2_module_clear", () -> Aldm2.moduleLastError(m));
        return outputs;
    }

    private void addInput(Aldm2.ModuleHandle m, int index, HostTensor h) {
        long[] shape = h.shape();
        long n = h.numel();
        int status;
        switch (h.dtype()) {
            case FLOAT32:
                status = Aldm2.moduleAddInput(m, Aldm2.DTYPE_F32, shape, shape.length, h.floats(), 4L * n);
                break;
            case INT64:
                status = Aldm2.moduleAddInput(m, Aldm2.DTYPE_I64, shape, shape.length, h.longs(), 8L * n);
                break;
            case BOOL:
                status = Aldm2.moduleAddInput(m, Aldm2.DTYPE_BOOL, shape, shape.length, h.bools(), n);
                break;
            default:
                throw new IllegalArgumentException("inputs[" + index + "] dtype " + h.dtype() + " is not supported");
        }
        if (status != Aldm2.STATUS_OK) {
            throw ShimErrors.failure("input " + index + " " + h + " of " + file.getFileName() + " rejected",
                    "aldm2_module_add_input", status, Aldm2.moduleLastError(m));
        }
    }

    private List<HostTensor> readOutputs(Aldm2.ModuleHandle m) {
        int[] count = new int[1];
        ShimErrors.check(Aldm2.moduleOutputCount(m, count), "aldm2_module_output_count",
                () -> Aldm2.moduleLastError(m));
        List<HostTensor> outputs = new ArrayList<>(count[0]);
        int[] dtype = new int[1];
        int[] ndim = new int[1];
        long[] dims = new long[Aldm2.MAX_DIMS];
        for (int i = 0; i < count[0]; i++) {
            ShimErrors.check(Aldm2.moduleOutputInfo(m, i, dtype, ndim, dims, dims.length), "aldm2_module_output_info",
                    () -> Aldm2.moduleLastError(m));
            long[] shape = Arrays.copyOf(dims, ndim[0]);
            long numel = 1;
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            if (numel > Integer.MAX_VALUE - 8) {
                throw new ModelRuntimeException("output " + i + " of " + file.getFileName() + " has " + numel
                        + " elements " + Arrays.toString(shape) + ", more than a Java array holds");
            }
            int n = (int) numel;
            int status;
            HostTensor t;
            switch (dtype[0]) {
                case Aldm2.DTYPE_F32: {
                    float[] data = new float[n];
                    status = Aldm2.moduleOutputCopy(m, i, Aldm2.DTYPE_F32, data, 4L * n);
                    t = HostTensor.ofFloats(data, shape);
                    break;
                }
                case Aldm2.DTYPE_I64: {
                    long[] data = new long[n];
                    status = Aldm2.moduleOutputCopy(m, i, Aldm2.DTYPE_I64, data, 8L * n);
                    t = HostTensor.ofLongs(data, shape);
                    break;
                }
                case Aldm2.DTYPE_BOOL: {
                    boolean[] data = new boolean[n];
                    status = Aldm2.moduleOutputCopy(m, i, Aldm2.DTYPE_BOOL, data, n);
                    t = HostTensor.ofBools(data, shape);
                    break;
                }
                default:
                    throw new ModelRuntimeException("output " + i + " of " + file.getFileName() + " has dtype "
                            + Aldm2.dtypeName(dtype[0]) + ", which has no host tensor type");
            }
            if (status != Aldm2.STATUS_OK) {
                throw ShimErrors.failure("output " + i + " of " + file.getFileName(), "aldm2_module_output_copy", status,
                        Aldm2.moduleLastError(m));
            }
            outputs.add(t);
        }
        return outputs;
    }

    private Aldm2.ModuleHandle requireOpen() {
        if (handle == null) {
            throw new IllegalStateException("module " + file + " is closed");
        }
        return handle;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public ModuleOptions options() {
        return options;
    }

    /** Whether forward runs through a CUDA graph. */
    boolean cudaGraph() {
        return cudaGraph;
    }

    @Override
    public synchronized void close() {
        if (handle == null) {
            return;
        }
        Aldm2.ModuleHandle h = handle;
        handle = null;
        try {
            ShimErrors.check(Aldm2.moduleFree(h), "aldm2_module_free", Aldm2::lastError);
        } finally {
            owner.onClose(this);
        }
    }

    @Override
    public String toString() {
        return "ShimModule[" + file + ", " + options + (cudaGraph ? ", CUDA graph" : "") + "]";
    }
}
