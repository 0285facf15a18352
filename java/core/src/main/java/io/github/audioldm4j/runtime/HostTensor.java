package io.github.audioldm4j.runtime;

import io.github.audioldm4j.util.Check;
import java.util.Arrays;

/**
 * A host-side tensor: a flat row-major Java array plus a shape. This is the only tensor type that
 * crosses the runtime SPI; no native memory outlives a runtime call.
 *
 * <p>Instances are immutable by convention: the constructors keep the array they are given (no
 * copy) and accessors return it directly, so callers must not modify an array after handing it
 * over, nor the array they get back if the tensor is still shared.
 */
public final class HostTensor {
    /** Element type of a host tensor. */
    public enum DType { FLOAT32, INT64, BOOL }

    private final DType dtype;
    private final long[] shape;
    private final float[] floats;
    private final long[] longs;
    private final boolean[] bools;

    private HostTensor(DType dtype, long[] shape, float[] floats, long[] longs, boolean[] bools, int length) {
        Check.notNull("shape", shape);
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(
                        "shape[" + i + "] must be >= 0, got " + shape[i] + " in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, shape[i]);
        }
        if (n != length) {
            throw new IllegalArgumentException("data length must equal the product of shape "
                    + Arrays.toString(shape) + " (" + n + "), got " + length);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
        this.bools = bools;
    }

    public static HostTensor ofFloats(float[] data, long... shape) {
        Check.notNull("data", data);
        return new HostTensor(DType.FLOAT32, shape, data, null, null, data.length);
    }

    public static HostTensor ofLongs(long[] data, long... shape) {
        Check.notNull("data", data);
        return new HostTensor(DType.INT64, shape, null, data, null, data.length);
    }

    public static HostTensor ofBools(boolean[] data, long... shape) {
        Check.notNull("data", data);
        return new HostTensor(DType.BOOL, shape, null, null, data, data.length);
    }

    /** A 0-dimensional float tensor. */
    public static HostTensor scalar(float value) {
        return ofFloats(new float[] {value});
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The float data (row-major). Throws if this is not a FLOAT32 tensor. */
    public float[] floats() {
        if (dtype != DType.FLOAT32) {
            throw new IllegalStateException("tensor dtype is " + dtype + ", not FLOAT32");
        }
        return floats;
    }

    /** The int64 data (row-major). Throws if this is not an INT64 tensor. */
    public long[] longs() {
        if (dtype != DType.INT64) {
            throw new IllegalStateException("tensor dtype is " + dtype + ", not INT64");
        }
        return longs;
    }

    /** The bool data (row-major). Throws if this is not a BOOL tensor. */
    public boolean[] bools() {
        if (dtype != DType.BOOL) {
            throw new IllegalStateException("tensor dtype is " + dtype + ", not BOOL");
        }
        return bools;
    }

    /**
     * Validates the argument list of a {@link LoadedModule#forward} call: not null, no null
     * element, every rank at most {@code maxRank}.
     *
     * @throws IllegalArgumentException naming the offending element
     */
    public static void checkInputs(java.util.List<HostTensor> inputs, int maxRank) {
        if (inputs == null) {
            throw new IllegalArgumentException("inputs must not be null");
        }
        for (int i = 0; i < inputs.size(); i++) {
            HostTensor h = inputs.get(i);
            if (h == null) {
                throw new IllegalArgumentException("inputs[" + i + "] must not be null");
            }
            if (h.rank() > maxRank) {
                throw new IllegalArgumentException("inputs[" + i + "] rank must be <= " + maxRank + ", got "
                        + h.rank() + " (" + h + ")");
            }
        }
    }

    /** Index of the first non-finite float, or -1 (always -1 for non-float tensors). */
    public int firstNonFinite() {
        if (dtype != DType.FLOAT32) {
            return -1;
        }
        for (int i = 0; i < floats.length; i++) {
            if (!Float.isFinite(floats[i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "HostTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
