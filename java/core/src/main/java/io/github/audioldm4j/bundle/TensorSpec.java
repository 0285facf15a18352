package io.github.audioldm4j.bundle;

import io.github.audioldm4j.runtime.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * One input or output of a bundle component as declared in the manifest.
 *
 * @param name the argument name (e.g. {@code sample})
 * @param dtype {@code float32}, {@code int64} or {@code bool}
 * @param shape each entry an {@link Integer} (a fixed size) or a {@link String} symbol such as
 *     {@code "B"}, {@code "T"}, {@code "L"}, or a simple expression like {@code "T/4"},
 *     {@code "L+5"}, {@code "160*T+32"} over one symbol
 */
public record TensorSpec(String name, String dtype, List<Object> shape) {
    public TensorSpec {
        shape = List.copyOf(shape);
    }

    /** The host dtype this spec declares. */
    public HostTensor.DType hostDType() {
        switch (dtype) {
            case "float32": return HostTensor.DType.FLOAT32;
            case "int64": return HostTensor.DType.INT64;
            case "bool": return HostTensor.DType.BOOL;
            default: throw new IllegalStateException("unknown dtype " + dtype);
        }
    }

    /**
     * Checks a tensor against this spec, binding single-letter symbols on first use (so the
     * same {@code B} must agree across all inputs of a call).
     *
     * @param where a description for the error message, e.g. {@code "unet input"}
     * @param bindings symbol values seen so far; updated in place
     * @throws IllegalArgumentException naming the tensor, dimension, expected and actual value
     */
    public void check(String where, HostTensor t, Map<String, Long> bindings) {
        if (t.dtype() != hostDType()) {
            throw new IllegalArgumentException(where + " '" + name + "' must have dtype " + dtype + ", got " + t.dtype());
        }
        long[] actual = t.shape();
        if (actual.length != shape.size()) {
            throw new IllegalArgumentException(where + " '" + name + "' must have rank " + shape.size() + " "
                    + shape + ", got shape " + java.util.Arrays.toString(actual));
        }
        for (int i = 0; i < actual.length; i++) {
            Object s = shape.get(i);
            if (s instanceof Integer) {
                if (actual[i] != (Integer) s) {
                    throw new IllegalArgumentException(where + " '" + name + "' dimension " + i + " must be " + s
                            + " (shape " + shape + "), got " + actual[i] + " in " + java.util.Arrays.toString(actual));
                }
            } else {
                String sym = (String) s;
                if (sym.matches("[A-Za-z]\\w*")) {
                    Long bound = bindings.putIfAbsent(sym, actual[i]);
                    if (bound != null && bound != actual[i]) {
                        throw new IllegalArgumentException(where + " '" + name + "' dimension " + i + " (" + sym
                                + ") must equal " + bound + " as in the other tensors, got " + actual[i]);
                    }
                }
            }
        }
    }
}
