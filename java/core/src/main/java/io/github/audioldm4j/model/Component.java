package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.bundle.TensorSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.util.Check;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the per-component wrappers: holds one loaded TorchScript module and its manifest
 * spec, checks every call's inputs against the spec before it reaches native code, and checks
 * the outputs' count, shapes and finiteness after. Not thread-safe.
 */
abstract class Component implements AutoCloseable {
    private final LoadedModule module;
    private final ComponentSpec spec;

    Component(LoadedModule module, ComponentSpec spec) {
        this.module = Check.notNull("module", module);
        this.spec = Check.notNull("spec", spec);
    }

    /** The manifest entry of this component. */
    public ComponentSpec spec() {
        return spec;
    }

    /** The manifest name, e.g. {@code unet}. */
    public String name() {
        return spec.name();
    }

    final List<HostTensor> run(HostTensor... inputs) {
        List<TensorSpec> ins = spec.inputs();
        if (inputs.length != ins.size()) {
            throw new IllegalArgumentException(name() + " takes " + ins.size() + " inputs, got " + inputs.length);
        }
        Map<String, Long> bindings = new HashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            ins.get(i).check(name() + " input", inputs[i], bindings);
            int bad = inputs[i].firstNonFinite();
            if (bad >= 0) {
                throw new IllegalArgumentException(name() + " input '" + ins.get(i).name()
                        + "' must contain only finite values, got " + inputs[i].floats()[bad] + " at index " + bad);
            }
        }
        List<HostTensor> outs = module.forward(inputs);
        if (outs.size() != spec.outputs().size()) {
            throw new NonFiniteOutputException(name() + " returned " + outs.size() + " outputs, the manifest declares "
                    + spec.outputs().size(), name(), -1);
        }
        for (int i = 0; i < outs.size(); i++) {
            TensorSpec os = spec.outputs().get(i);
            try {
                os.check(name() + " output", outs.get(i), bindings);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("component " + name() + " broke its manifest contract: "
                        + e.getMessage(), e);
            }
            int bad = outs.get(i).firstNonFinite();
            if (bad >= 0) {
                throw new NonFiniteOutputException(name() + " output '" + os.name() + "' contains a non-finite value ("
                        + outs.get(i).floats()[bad] + " at flat index " + bad + " of shape "
                        + java.util.Arrays.toString(outs.get(i).shape()) + "); with fp16 try fp32 or bf16",
                        name(), bad);
            }
        }
        return outs;
    }

    @Override
    public void close() {
        module.close();
    }
}
