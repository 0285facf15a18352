package io.github.audioldm4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Comparisons of float outputs computed by libtorch (and the BLAS under it). Bit equality is only
 * promised by the math this project owns (schedulers, RNG, DSP); libtorch results move with the
 * kernel the CPU selects. Observed: two batch rows of one GPT-2 call that hold the same input differ
 * by 1 ulp on AVX-512 machines (OpenBLAS sgemm handles the rows in different register blocks, the
 * tail block accumulating in another order), and they are bit-equal on AVX2 ones. The same holds
 * for other runtimes (presets vs shim) and other thread counts.
 *
 * <p>The tolerance used here, {@link #REL_TOL} of the larger magnitude of the two vectors, is far
 * above such reordering noise (float32 eps 1.2e-7 times a few hundred accumulation steps, and a few
 * layers of propagation) and far below any real difference: rows of different prompts differ by
 * order 1e-1 of their magnitude.
 */
public final class TorchOutputs {
    /** Largest accepted |a - b| relative to max(|a|, |b|) over the whole vector. */
    public static final double REL_TOL = 1e-5;

    private TorchOutputs() {}

    /** max |a - b| / max(1e-30, max |a|, max |b|). */
    public static double relDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "lengths");
        double diff = 0;
        double scale = 1e-30;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.max(Math.abs(a[i]), Math.abs(b[i])));
        }
        return diff / scale;
    }

    /** Asserts the two libtorch outputs agree to {@link #REL_TOL} (see the class comment for why not bit-equal). */
    public static void assertSameUpToKernel(float[] expected, float[] actual, String what) {
        double d = relDiff(expected, actual);
        if (!(d <= REL_TOL)) {
            throw new AssertionError(what + ": max relative difference " + d + " > " + REL_TOL);
        }
    }

    /** Asserts the two libtorch outputs differ by much more than kernel noise (100x {@link #REL_TOL}). */
    public static void assertClearlyDifferent(float[] a, float[] b, String what) {
        double d = relDiff(a, b);
        if (!(d > 100 * REL_TOL)) {
            throw new AssertionError(what + ": expected clearly different outputs, max relative difference " + d);
        }
    }
}
