package io.github.audioldm4j.random;

import io.github.audioldm4j.util.Check;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A CPU pseudo-random generator that reproduces {@code torch.Generator('cpu').manual_seed(seed)}
 * bit-exactly for {@code torch.randn(shape, generator=g)} and {@code torch.rand(shape,
 * generator=g)} in float32, including how the state advances across consecutive calls, so that a
 * seed gives the same initial latents and the same ancestral-sampler noise as diffusers on CPU
 * ({@code randn_tensor} on CPU is exactly {@code torch.randn}).
 *
 * <p>What is reproduced (pytorch 1.13 sources):
 * <ul>
 *   <li>{@code aten/src/ATen/core/MT19937RNGEngine.h}: the mt19937 engine; the seed is a uint64
 *       but only its low 32 bits seed the state, so {@code 2^32 + 5} and {@code 5} give the same
 *       numbers (only {@link #initialSeed()} differs).</li>
 *   <li>{@code aten/src/ATen/CPUGeneratorImpl.cpp}: {@code random()} (one uint32),
 *       {@code random64()} (two uint32, first is the high word), the cached second normal
 *       ({@code next_double_normal_sample}), {@code get_state()}.</li>
 *   <li>{@code aten/src/ATen/core/DistributionsHelper.h} and {@code TransformationHelper.h}:
 *       {@code uniform_real_distribution<float>} = {@code (random() & (2^24-1)) * 2^-24};
 *       {@code normal_distribution<double>} = Box-Muller on two 53-bit uniforms
 *       ({@code random64()}), returning {@code r cos(theta)} and caching {@code r sin(theta)}.</li>
 *   <li>{@code aten/src/ATen/native/cpu/DistributionTemplates.h} {@code normal_kernel}: a float32
 *       tensor with at least 16 elements uses {@code normal_fill} (all uniforms first, then
 *       Box-Muller on blocks of 16 in float arithmetic with glibc's {@code logf/cosf/sinf};
 *       when the size is not a multiple of 16 the last 16 elements are redrawn and recomputed);
 *       smaller tensors take the scalar double path element by element. {@code normal_fill} does
 *       not touch the cached normal.</li>
 * </ul>
 *
 * <p>Kernels: {@link Kernel#DEFAULT} (this constructor's default) is torch's portable scalar kernel,
 * which torch runs with {@code ATEN_CPU_CAPABILITY=default} and off x86; its float log/sin/cos are
 * glibc's FMA variants ({@link GlibcFloatMath}), which glibc selects on every x86-64 CPU with FMA.
 * {@link Kernel#AVX2} reproduces {@code normal_fill_AVX2}, which torch runs on x86 CPUs with AVX2
 * (measured also on an AVX-512 CPU with torch 2.13; {@link #matchingTorch} picks it there) (Cephes log/sincos from {@code avx_mathfun.h} with GCC's FMA contraction,
 * {@link AvxMathFun}); it only changes {@code randn} with at least 16 elements, by up to about
 * 2e-6. Both were checked bit for bit against Debian's torch 1.13.1 (GCC 12, glibc 2.36) on the
 * golden files and on 2.4 million further values each; torch builds from other compilers or C
 * libraries can differ in the last bit of large {@code randn} outputs.
 *
 * <p>Not thread-safe: use one generator per thread (torch guards each call with a mutex).
 */
public final class TorchGenerator implements NoiseSource {

    /** Which of torch's CPU {@code normal_fill} kernels {@code randn} reproduces for &gt;= 16 elements. */
    public enum Kernel {
        /** The portable scalar {@code normal_fill} ({@code ATEN_CPU_CAPABILITY=default}, AVX-512, ARM). */
        DEFAULT,
        /** {@code normal_fill_AVX2} (x86 CPUs whose best capability is AVX2). */
        AVX2
    }

    /** System property naming the kernel {@link #matchingTorch} uses: {@code default} or {@code avx2}. */
    public static final String KERNEL_PROPERTY = "audioldm4j.randn.kernel";

    /**
     * The kernel a torch CPU build uses on this machine, as far as it can be told from Java: the
     * {@value #KERNEL_PROPERTY} property when set, else {@link Kernel#AVX2} on x86-64 and
     * {@link Kernel#DEFAULT} elsewhere. Measured: pip's torch 2.13 on an AVX-512 CPU (capability
     * AVX512) draws {@code randn(1, 8, 64, 16)} exactly as {@link Kernel#AVX2} (3205 of 8192 values
     * differ from {@link Kernel#DEFAULT}, by up to 1.5e-6); torch runs the scalar kernel only with
     * {@code ATEN_CPU_CAPABILITY=default} or off x86 — set {@code -Daudioldm4j.randn.kernel=default}
     * to match such a run.
     *
     * @throws IllegalArgumentException if the property is set to something else
     */
    public static Kernel machineKernel() {
        String v = System.getProperty(KERNEL_PROPERTY);
        if (v != null && !v.isBlank()) {
            switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "default":
                    return Kernel.DEFAULT;
                case "avx2":
                    return Kernel.AVX2;
                default:
                    throw new IllegalArgumentException(KERNEL_PROPERTY + " must be default or avx2, got \"" + v + "\"");
            }
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(java.util.Locale.ROOT);
        return arch.equals("amd64") || arch.equals("x86_64") ? Kernel.AVX2 : Kernel.DEFAULT;
    }

    /**
     * A generator that draws what {@code torch.Generator('cpu').manual_seed(seed)} draws in a torch
     * running on this machine ({@link #machineKernel}): what the pipeline uses for seeds.
     */
    public static TorchGenerator matchingTorch(long seed) {
        return new TorchGenerator(seed, machineKernel());
    }

    /** torch's default CPU seed ({@code default_rng_seed_val}). */
    public static final long DEFAULT_SEED = 67280421310721L;

    /** Size in bytes of {@code get_state()} ({@code sizeof(CPUGeneratorImplState)}). */
    public static final int STATE_SIZE = 5056;

    /** Largest number of elements one call may return (a Java array bound). */
    public static final int MAX_NUMEL = Integer.MAX_VALUE - 8;

    private static final double TWO_PI = 2.0 * Math.PI; // 2.0f * c10::pi<double>
    private static final float FLOAT_DIVISOR = 0x1p-24f;
    private static final double DOUBLE_DIVISOR = 0x1p-53;

    private final Kernel kernel;
    private Mt19937 engine;
    private boolean hasNextDoubleNormal;
    private double nextDoubleNormal;
    // torch's float cache (normal_distribution<float>); randn/rand never use it, it is only
    // carried through setState/getState
    private boolean hasNextFloatNormal;
    private float nextFloatNormal;

    /** A generator seeded like {@code torch.Generator('cpu').manual_seed(seed)}, default kernel. */
    public TorchGenerator(long seed) {
        this(seed, Kernel.DEFAULT);
    }

    /**
     * A generator seeded like {@code torch.Generator('cpu').manual_seed(seed)}.
     *
     * @param seed the seed, read as an unsigned 64-bit value (as torch does: negative Python seeds
     *     are wrapped mod 2^64, so {@code -1} here is torch's {@code 0xffff_ffff_ffff_ffff})
     * @param kernel which torch {@code normal_fill} kernel to reproduce
     */
    public TorchGenerator(long seed, Kernel kernel) {
        this.kernel = Check.notNull("kernel", kernel);
        this.engine = new Mt19937(seed);
    }

    private TorchGenerator(TorchGenerator other) {
        this.kernel = other.kernel;
        this.engine = other.engine.copy();
        this.hasNextDoubleNormal = other.hasNextDoubleNormal;
        this.nextDoubleNormal = other.nextDoubleNormal;
        this.hasNextFloatNormal = other.hasNextFloatNormal;
        this.nextFloatNormal = other.nextFloatNormal;
    }

    /** An independent copy with the same state (torch {@code clone_impl}). */
    public TorchGenerator copy() {
        return new TorchGenerator(this);
    }

    /** The kernel this generator reproduces. */
    public Kernel kernel() {
        return kernel;
    }

    /**
     * Re-seeds this generator ({@code CPUGeneratorImpl::set_current_seed}): a fresh engine and no
     * cached normal.
     *
     * @return this generator
     */
    public TorchGenerator manualSeed(long seed) {
        engine = new Mt19937(seed);
        hasNextDoubleNormal = false;
        nextDoubleNormal = 0.0;
        hasNextFloatNormal = false;
        nextFloatNormal = 0f;
        return this;
    }

    /** The seed last given (torch {@code initial_seed()}), as an unsigned 64-bit value in a long. */
    public long initialSeed() {
        return engine.seed;
    }

    /** The next uint32 of the engine ({@code CPUGeneratorImpl::random}), in [0, 2^32). */
    public long random() {
        return engine.nextInt() & 0xffffffffL;
    }

    /** Two engine draws as one uint64, first draw in the high word ({@code random64}). */
    public long random64() {
        long hi = engine.nextInt() & 0xffffffffL;
        long lo = engine.nextInt() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    /**
     * {@code torch.randn(shape, generator=g, dtype=torch.float32)}, flattened row-major.
     *
     * @throws IllegalArgumentException if a dimension is negative or the element count exceeds
     *     {@link #MAX_NUMEL}
     */
    public float[] randn(long... shape) {
        return randnFlat(numel(shape));
    }

    /**
     * {@link NoiseSource}: {@code torch.randn((n,), generator=g)}, which equals {@code randn} of
     * any shape with n elements.
     *
     * @throws IllegalArgumentException if {@code n < 0}
     */
    @Override
    public float[] randn(int n) {
        Check.nonNegative("n", n);
        return randnFlat(n);
    }

    /**
     * {@code torch.rand(shape, generator=g, dtype=torch.float32)}: uniform on [0, 1) with 24 random
     * bits per element, flattened row-major.
     *
     * @throws IllegalArgumentException if a dimension is negative or the element count exceeds
     *     {@link #MAX_NUMEL}
     */
    public float[] rand(long... shape) {
        int n = numel(shape);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = uniformFloat();
        }
        return out;
    }

    private float[] randnFlat(int size) {
        float[] data = new float[size];
        if (size >= 16) {
            // normal_kernel: float32, >= 16 elements, contiguous -> normal_fill(_AVX2)
            normalFill(data);
        } else {
            // scalar path: at::normal_distribution<double>(0, 1) per element, cast to float
            for (int i = 0; i < size; i++) {
                data[i] = (float) normalDouble();
            }
        }
        return data;
    }

    /** {@code uniform_real_distribution<float>(0, 1)}: 24 bits of one {@code random()}. */
    private float uniformFloat() {
        return (engine.nextInt() & 0xffffff) * FLOAT_DIVISOR;
    }

    /** {@code uniform_real_distribution<double>(0, 1)}: 53 bits of one {@code random64()}. */
    private double uniformDouble() {
        return (random64() & ((1L << 53) - 1)) * DOUBLE_DIVISOR;
    }

    /**
     * {@code normal_distribution<double>} (DistributionsHelper.h, torch 1.13): returns the cached
     * value if there is one; otherwise u1, u2 uniform, {@code r = sqrt(-2 log(1 - u2))},
     * {@code theta = 2 pi u1}, caches {@code r sin(theta)} and returns {@code r cos(theta)}. The
     * double results are rounded to float by the caller, which hides last-bit differences
     * between glibc's double log/sin/cos and StrictMath's.
     */
    private double normalDouble() {
        if (hasNextDoubleNormal) {
            hasNextDoubleNormal = false;
            return nextDoubleNormal * 1.0 + 0.0; // transformation::normal(ret, mean=0, std=1)
        }
        double u1 = uniformDouble();
        double u2 = uniformDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        hasNextDoubleNormal = true;
        nextDoubleNormal = r * StrictMath.sin(theta);
        double ret = r * StrictMath.cos(theta);
        return ret * 1.0 + 0.0;
    }

    /** {@code normal_fill} / {@code normal_fill_AVX2} with mean 0 and std 1. */
    private void normalFill(float[] data) {
        int size = data.length;
        for (int i = 0; i < size; i++) {
            data[i] = uniformFloat();
        }
        for (int i = 0; i < size - 15; i += 16) {
            normalFill16(data, i);
        }
        if (size % 16 != 0) {
            // Recompute the last 16 values.
            int base = size - 16;
            for (int i = 0; i < 16; i++) {
                data[base + i] = uniformFloat();
            }
            normalFill16(data, base);
        }
    }

    private void normalFill16(float[] data, int off) {
        if (kernel == Kernel.AVX2) {
            AvxMathFun.normalFill16(data, off);
        } else {
            normalFill16Scalar(data, off);
        }
    }

    /**
     * {@code normal_fill_16} (DistributionTemplates.h): float Box-Muller on data[j] and data[j+8].
     * {@code theta} is computed in double ({@code 2.0f * c10::pi<double> * u2}) and rounded to float.
     */
    private static void normalFill16Scalar(float[] data, int off) {
        final float mean = 0f;
        final float std = 1f;
        for (int j = 0; j < 8; j++) {
            float u1 = 1 - data[off + j]; // [0, 1) -> (0, 1] for log.
            float u2 = data[off + j + 8];
            float radius = (float) Math.sqrt(-2 * GlibcFloatMath.logf(u1));
            float theta = (float) (TWO_PI * u2);
            data[off + j] = radius * GlibcFloatMath.cosf(theta) * std + mean;
            data[off + j + 8] = radius * GlibcFloatMath.sinf(theta) * std + mean;
        }
    }

    /**
     * The generator state as {@code g.get_state()} returns it: the 5056 bytes of
     * {@code CPUGeneratorImplState} (little-endian x86-64 layout: uint64 seed, int left,
     * int seeded, uint64 next, uint64 state[624], doubles normal_x/normal_y/normal_rho,
     * int normal_is_valid, float next_float_normal_sample, bool valid; padding zero).
     */
    public byte[] getState() {
        ByteBuffer b = ByteBuffer.allocate(STATE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, engine.seed);
        b.putInt(8, engine.left);
        b.putInt(12, 1); // seeded_
        b.putLong(16, engine.next);
        for (int i = 0; i < Mt19937.N; i++) {
            b.putLong(24 + 8 * i, engine.state[i] & 0xffffffffL);
        }
        int normals = 24 + 8 * Mt19937.N; // 5016
        b.putDouble(normals, 0.0); // normal_x (unused)
        b.putDouble(normals + 8, hasNextDoubleNormal ? nextDoubleNormal : 0.0); // normal_y
        b.putDouble(normals + 16, 0.0); // normal_rho (unused)
        b.putInt(normals + 24, hasNextDoubleNormal ? 1 : 0);
        b.putFloat(5048, hasNextFloatNormal ? nextFloatNormal : 0f);
        b.put(5052, (byte) (hasNextFloatNormal ? 1 : 0));
        return b.array();
    }

    /**
     * Restores a state from {@link #getState()} or torch's {@code g.get_state()} bytes
     * ({@code CPUGeneratorImpl::set_state}).
     *
     * @throws IllegalArgumentException if the array is not {@value #STATE_SIZE} bytes or does not
     *     hold a valid mt19937 state
     */
    public void setState(byte[] state) {
        Check.notNull("state", state);
        if (state.length != STATE_SIZE) {
            throw new IllegalArgumentException(
                    "state must have length " + STATE_SIZE + " (sizeof CPUGeneratorImplState), got " + state.length);
        }
        ByteBuffer b = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        int left = b.getInt(8);
        int seeded = b.getInt(12);
        long next = b.getLong(16);
        if (seeded == 0 || left <= 0 || left > Mt19937.N || next < 0 || next > Mt19937.N) {
            throw new IllegalArgumentException("state must hold a valid mt19937 state (seeded != 0, left in [1, "
                    + Mt19937.N + "], next in [0, " + Mt19937.N + "]), got seeded=" + seeded + ", left=" + left
                    + ", next=" + next);
        }
        Mt19937 e = new Mt19937(0);
        e.seed = b.getLong(0);
        e.left = left;
        e.next = (int) next;
        for (int i = 0; i < Mt19937.N; i++) {
            e.state[i] = (int) b.getLong(24 + 8 * i);
        }
        engine = e;
        int normals = 24 + 8 * Mt19937.N;
        hasNextDoubleNormal = b.getInt(normals + 24) != 0;
        nextDoubleNormal = hasNextDoubleNormal ? b.getDouble(normals + 8) : 0.0;
        hasNextFloatNormal = state[5052] != 0;
        nextFloatNormal = hasNextFloatNormal ? b.getFloat(5048) : 0f;
    }

    private static int numel(long[] shape) {
        Check.notNull("shape", shape);
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("shape[" + i + "] must be >= 0, got " + shape[i]);
            }
        }
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
            if (n > MAX_NUMEL / d) {
                BigInteger total = BigInteger.ONE;
                for (long x : shape) {
                    total = total.multiply(BigInteger.valueOf(x));
                }
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " must have at most "
                        + MAX_NUMEL + " elements, got " + total);
            }
            n *= d;
        }
        return (int) n;
    }
}
