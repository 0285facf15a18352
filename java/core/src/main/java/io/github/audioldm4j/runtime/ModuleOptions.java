package io.github.audioldm4j.runtime;

import io.github.audioldm4j.util.Check;

/**
 * How to load a module.
 *
 * @param device where the module runs
 * @param precision the compute dtype of floating-point parameters and inputs
 */
public record ModuleOptions(Device device, Precision precision) {
    public static final ModuleOptions CPU_FP32 = new ModuleOptions(Device.CPU, Precision.FP32);

    public ModuleOptions {
        Check.notNull("device", device);
        Check.notNull("precision", precision);
        if (device.kind() == Device.Kind.CPU && precision == Precision.FP16) {
            throw new IllegalArgumentException(
                    "precision FP16 is not supported on the CPU device (use FP32 or BF16), got FP16 on " + device);
        }
    }
}
