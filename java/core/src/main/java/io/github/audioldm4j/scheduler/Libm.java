package io.github.audioldm4j.scheduler;

/**
 * Float32 libm functions with the exact results of the C library torch calls on Linux, where
 * Java's correctly rounded values would differ in the last bit.
 *
 * <p>{@link #expm1f} follows the fdlibm single-precision algorithm that glibc ships as
 * {@code sysdeps/ieee754/flt-32/s_expm1f.c} (used by glibc through at least 2.36; torch's CPU
 * {@code expm1} on float32 calls it element by element). It is not correctly rounded: on random
 * arguments in [-3, 3] about 8% of its results differ by one ulp from the rounded exact value,
 * and UniPC's B(h) coefficients use it. The algorithm is written here in Java, float arithmetic
 * operation by operation, with the original constants. Original notice of the C source:
 *
 * <pre>
 * Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 * Developed at SunPro, a Sun Microsystems, Inc. business.
 * Permission to use, copy, modify, and distribute this
 * software is freely granted, provided that this notice
 * is preserved.
 * </pre>
 */
final class Libm {
    private Libm() {}

    private static final float O_THRESHOLD = 8.8721679688e+01f; // 0x42b17180
    private static final float LN2_HI = 6.9313812256e-01f; // 0x3f317180
    private static final float LN2_LO = 9.0580006145e-06f; // 0x3717f7d1
    private static final float INVLN2 = 1.4426950216e+00f; // 0x3fb8aa3b
    // scaled coefficients related to expm1
    private static final float Q1 = -3.3333335072e-02f; // 0xbd088889
    private static final float Q2 = 1.5873016091e-03f; // 0x3ad00d01
    private static final float Q3 = -7.9365076090e-05f; // 0xb8a670cd
    private static final float Q4 = 4.0082177293e-06f; // 0x36867e54
    private static final float Q5 = -2.0109921195e-07f; // 0xb457edbb

    /** {@code expm1(x)} for float32 as glibc's fdlibm-derived {@code expm1f} computes it. */
    static float expm1f(float x) {
        int hx = Float.floatToRawIntBits(x);
        boolean negative = hx < 0; // sign bit
        hx &= 0x7fffffff; // |x|

        // filter out huge and non-finite arguments
        if (hx >= 0x4195b844) { // |x| >= 27 * ln2
            if (hx >= 0x42b17218) { // |x| >= 88.721...
                if (hx > 0x7f800000) {
                    return x + x; // NaN
                }
                if (hx == 0x7f800000) {
                    return negative ? -1f : x; // exp(+-inf) - 1 = {-1, inf}
                }
                if (x > O_THRESHOLD) {
                    return Float.POSITIVE_INFINITY; // overflow
                }
            }
            if (negative) {
                return -1f; // x < -27 * ln2
            }
        }

        // argument reduction
        float hi;
        float lo;
        float c = 0f;
        int k;
        if (hx > 0x3eb17218) { // |x| > 0.5 ln2
            if (hx < 0x3F851592) { // and |x| < 1.5 ln2
                if (!negative) {
                    hi = x - LN2_HI;
                    lo = LN2_LO;
                    k = 1;
                } else {
                    hi = x + LN2_HI;
                    lo = -LN2_LO;
                    k = -1;
                }
            } else {
                k = (int) (INVLN2 * x + (negative ? -0.5f : 0.5f));
                float t = k;
                hi = x - t * LN2_HI; // t * ln2_hi is exact here
                lo = t * LN2_LO;
            }
            x = hi - lo;
            c = (hi - x) - lo;
        } else if (hx < 0x33000000) { // |x| < 2^-25: expm1(x) = x
            return x;
        } else {
            k = 0;
        }

        // x is now in the primary range
        float hfx = 0.5f * x;
        float hxs = x * hfx;
        float r1 = 1f + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
        float t = 3.0f - r1 * hfx;
        float e = hxs * ((r1 - t) / (6.0f - x * t));
        if (k == 0) {
            return x - (x * e - hxs); // c is 0
        }
        e = (x * (e - c) - c);
        e -= hxs;
        if (k == -1) {
            return 0.5f * (x - e) - 0.5f;
        }
        if (k == 1) {
            if (x < -0.25f) {
                return -2.0f * (e - (x + 0.5f));
            }
            return 1f + 2.0f * (x - e);
        }
        if (k <= -2 || k > 56) { // suffices to return exp(x) - 1
            float y = 1f - (e - x);
            y = Float.intBitsToFloat(Float.floatToRawIntBits(y) + (k << 23)); // add k to y's exponent
            return y - 1f;
        }
        float y;
        if (k < 23) {
            t = Float.intBitsToFloat(0x3f800000 - (0x1000000 >> k)); // t = 1 - 2^-k
            y = t - (e - x);
        } else {
            t = Float.intBitsToFloat((0x7f - k) << 23); // 2^-k
            y = x - (e + t);
            y += 1f;
        }
        return Float.intBitsToFloat(Float.floatToRawIntBits(y) + (k << 23)); // add k to y's exponent
    }
}
