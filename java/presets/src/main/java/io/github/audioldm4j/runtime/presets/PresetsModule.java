package io.github.audioldm4j.runtime.presets;

import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntimeException;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.Precision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BoolPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.LongArrayRef;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorList;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.Tuple;
import org.bytedeco.pytorch.TupleElements;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A TorchScript module held by the presets runtime. Each {@link #forward} runs inside its own
 * {@link PointerScope} and {@link InferenceMode} guard, so every native temporary (input and
 * output tensors, IValues, the guard itself) is released before it returns.
 */
final class PresetsModule implements LoadedModule {
    /** Native temporaries of calls in flight (0 between calls); see {@link PresetsRuntime#liveHandles()}. */
    private static final AtomicLong TEMPORARIES = new AtomicLong();

    private final PresetsRuntime owner;
    private final Path file;
    private final ModuleOptions options;
    private final org.bytedeco.pytorch.Device device;
    private JitModule module;

    private PresetsModule(PresetsRuntime owner, Path file, ModuleOptions options, JitModule module,
            org.bytedeco.pytorch.Device device) {
        this.owner = owner;
        this.file = file;
        this.options = options;
        this.module = module;
        this.device = device;
    }

    static long liveTemporaries() {
        return TEMPORARIES.get();
    }

    static PresetsModule load(PresetsRuntime owner, Path file, ModuleOptions options) {
        org.bytedeco.pytorch.Device dev = new org.bytedeco.pytorch.Device(options.device().toString());
        JitModule m = null;
        PresetsRuntime.applyThreadsToThisThread();
        try (PointerScope scope = new PointerScope()) {
            InferenceMode guard = new InferenceMode();
            try {
                m = torch.load(file.toAbsolutePath().toString(), new DeviceOptional(dev), true);
                m.eval();
                if (options.precision() != Precision.FP32) {
                    m.to(scalarType(options.precision()));
                }
                // keep the module beyond the scope; close() releases it
                m.retainReference();
            } finally {
                guard.close();
            }
        } catch (RuntimeException e) {
            if (m != null && m.referenceCount() > 0) {
                m.releaseReference();
            }
            throw new ModelRuntimeException("cannot load TorchScript module " + file + " on " + options.device()
                    + " as " + options.precision() + ": " + NativeErrors.summary(e), e);
        }
        return new PresetsModule(owner, file, options, m, dev);
    }

    static ScalarType scalarType(Precision p) {
        switch (p) {
            case FP16: return ScalarType.Half;
            case BF16: return ScalarType.BFloat16;
            default: return ScalarType.Float;
        }
    }

    @Override
    public synchronized List<HostTensor> forward(List<HostTensor> inputs) {
        // the same rank limit as the shim runtime (ALDM2_MAX_DIMS), so both runtimes accept the same calls
        HostTensor.checkInputs(inputs, 16);
        if (module == null) {
            throw new IllegalStateException("module " + file + " is closed");
        }
        PresetsRuntime.applyThreadsToThisThread();
        try (PointerScope scope = new PointerScope()) {
            InferenceMode guard = new InferenceMode();
            TEMPORARIES.incrementAndGet();
            try {
                IValueVector args = new IValueVector();
                for (HostTensor h : inputs) {
                    args.push_back(new IValue(toTorch(h)));
                }
                IValue out;
                try {
                    out = module.forward(args);
                } catch (RuntimeException e) {
                    throw new ModelRuntimeException("forward of " + file.getFileName() + " failed for inputs "
                            + inputs + ": " + NativeErrors.summary(e), e);
                }
                List<HostTensor> result = new ArrayList<>();
                flatten(out, result);
                return result;
            } finally {
                guard.close();
                TEMPORARIES.decrementAndGet();
            }
        }
    }

    private Tensor toTorch(HostTensor h) {
        long[] shape = h.shape();
        Tensor t;
        switch (h.dtype()) {
            case FLOAT32: {
                t = torch.empty(shape, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());
                t.data_ptr_float().put(h.floats());
                // rank >= 2 floats run in the compute precision; rank 0/1 floats (timesteps) stay float32
                ScalarType target = shape.length >= 2 ? scalarType(options.precision()) : ScalarType.Float;
                if (!is(target, ScalarType.Float) || options.device().isCuda()) {
                    t = t.to(device, target);
                }
                return t;
            }
            case INT64: {
                t = torch.empty(shape, new TensorOptions(ScalarType.Long), new MemoryFormatOptional());
                t.data_ptr_long().put(h.longs());
                break;
            }
            case BOOL: {
                t = torch.empty(shape, new TensorOptions(ScalarType.Bool), new MemoryFormatOptional());
                boolean[] b = h.bools();
                BoolPointer p = t.data_ptr_bool();
                for (int i = 0; i < b.length; i++) {
                    p.put(i, b[i]);
                }
                break;
            }
            default:
                throw new IllegalArgumentException("unsupported input dtype " + h.dtype());
        }
        if (options.device().isCuda()) {
            t = t.to(device, t.scalar_type());
        }
        return t;
    }

    private void flatten(IValue v, List<HostTensor> out) {
        if (v.isTensor()) {
            out.add(toHost(v.toTensor()));
        } else if (v.isTuple()) {
            Tuple tuple = v.toTuple();
            TupleElements el = tuple.elements();
            for (long i = 0; i < el.size(); i++) {
                flatten(el.get(i), out);
            }
        } else if (v.isTensorList()) {
            TensorList list = v.toTensorList();
            for (long i = 0; i < list.size(); i++) {
                out.add(toHost(list.get(i)));
            }
        } else {
            throw new ModelRuntimeException("forward of " + file.getFileName()
                    + " returned an unsupported value (expected a tensor or a tuple of tensors): " + v.tagKind().getString());
        }
    }

    private static HostTensor toHost(Tensor t) {
        LongArrayRef sizes = t.sizes();
        long[] shape = new long[(int) sizes.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = sizes.at(i);
        }
        ScalarType st = t.scalar_type();
        org.bytedeco.pytorch.Device cpu = new org.bytedeco.pytorch.Device("cpu");
        int n = Math.toIntExact(t.numel());
        if (is(st, ScalarType.Float) || is(st, ScalarType.Half) || is(st, ScalarType.BFloat16) || is(st, ScalarType.Double)) {
            Tensor c = t.to(cpu, ScalarType.Float).contiguous();
            float[] data = new float[n];
            c.data_ptr_float().get(data);
            return HostTensor.ofFloats(data, shape);
        }
        if (is(st, ScalarType.Long) || is(st, ScalarType.Int) || is(st, ScalarType.Short) || is(st, ScalarType.Char)
                || is(st, ScalarType.Byte)) {
            Tensor c = t.to(cpu, ScalarType.Long).contiguous();
            long[] data = new long[n];
            c.data_ptr_long().get(data);
            return HostTensor.ofLongs(data, shape);
        }
        if (is(st, ScalarType.Bool)) {
            Tensor c = t.to(cpu, ScalarType.Bool).contiguous();
            boolean[] data = new boolean[n];
            BoolPointer p = c.data_ptr_bool();
            for (int i = 0; i < n; i++) {
                data[i] = p.get(i);
            }
            return HostTensor.ofBools(data, shape);
        }
        throw new ModelRuntimeException("unsupported output dtype " + torch.toString(st).getString());
    }

    /** JavaCPP may hand back distinct enum objects for the same C++ value: compare the values. */
    private static boolean is(ScalarType a, ScalarType b) {
        return a.value == b.value;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public ModuleOptions options() {
        return options;
    }

    /** The device this module runs on. */
    Device device() {
        return options.device();
    }

    @Override
    public synchronized void close() {
        if (module == null) {
            return;
        }
        try {
            module.releaseReference();
        } finally {
            module = null;
            owner.onClose(this);
        }
    }

    @Override
    public String toString() {
        return "PresetsModule[" + file + ", " + options + "]";
    }
}
