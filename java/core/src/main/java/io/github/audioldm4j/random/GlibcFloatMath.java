package io.github.audioldm4j.random;

/**
 * Bit-exact Java ports of glibc's single-precision {@code logf}, {@code sinf} and {@code cosf},
 * which torch's scalar {@code normal_fill_16} calls through {@code std::log/std::cos/std::sin}
 * on float.
 *
 * <p>Sources: glibc {@code sysdeps/ieee754/flt-32/e_logf.c} + {@code e_logf_data.c} (logf),
 * {@code s_sinf.c}, {@code s_cosf.c}, {@code s_sincosf.h} ({@code reduce_fast},
 * {@code reduce_large}), {@code sincosf_poly.h} ({@code sinf_poly}) and
 * {@code s_sincosf_data.c} (tables). These are the ARM optimized-routines algorithms: double
 * arithmetic with small tables, not correctly rounded (logf 0.82 ulp, sinf/cosf 0.56 ulp), so a
 * correctly rounded {@code (float) Math.log(x)} differs from them on a few percent of inputs.
 *
 * <p>glibc on x86-64 selects, through an ifunc, a copy of each function built with
 * {@code -mfma -mavx2} ({@code __logf_fma}, {@code __sinf_fma}, {@code __cosf_fma}) on every CPU
 * with FMA (all AVX2/AVX-512 x86 CPUs); GCC contracts {@code a * b + c} in that copy into fused
 * multiply-adds. The {@code Math.fma} calls below are placed exactly where the contracted
 * instructions are in glibc 2.36's {@code libm.so.6} (read from its disassembly). Verified
 * exhaustively against glibc 2.36 over every input torch can pass (all {@code k * 2^-24} for logf,
 * all {@code float(2 pi k 2^-24)} for sinf/cosf) and on 4M random float bit patterns. glibc's
 * non-FMA x86 variants ({@code __logf_sse2}, ...) and other architectures can differ from these in
 * the last bit on a small fraction of inputs.
 */
final class GlibcFloatMath {
    private GlibcFloatMath() {}

    // ---- logf (e_logf.c, LOGF_TABLE_BITS = 4, LOGF_POLY_ORDER = 4) ----

    private static final int LOGF_OFF = 0x3f330000;
    private static final double LN2 = 0x1.62e42fefa39efp-1;
    private static final double A0 = -0x1.00ea348b88334p-2;
    private static final double A1 = 0x1.5575b0be00b6ap-2;
    private static final double A2 = -0x1.ffffef20a4123p-2;
    private static final double[] INVC = {
        0x1.661ec79f8f3bep+0, 0x1.571ed4aaf883dp+0, 0x1.49539f0f010bp+0, 0x1.3c995b0b80385p+0,
        0x1.30d190c8864a5p+0, 0x1.25e227b0b8eap+0, 0x1.1bb4a4a1a343fp+0, 0x1.12358f08ae5bap+0,
        0x1.0953f419900a7p+0, 0x1p+0, 0x1.e608cfd9a47acp-1, 0x1.ca4b31f026aap-1,
        0x1.b2036576afce6p-1, 0x1.9c2d163a1aa2dp-1, 0x1.886e6037841edp-1, 0x1.767dcf5534862p-1,
    };
    private static final double[] LOGC = {
        -0x1.57bf7808caadep-2, -0x1.2bef0a7c06ddbp-2, -0x1.01eae7f513a67p-2, -0x1.b31d8a68224e9p-3,
        -0x1.6574f0ac07758p-3, -0x1.1aa2bc79c81p-3, -0x1.a4e76ce8c0e5ep-4, -0x1.1973c5a611cccp-4,
        -0x1.252f438e10c1ep-5, 0x0p+0, 0x1.aa5aa5df25984p-5, 0x1.c5e53aa362eb4p-4,
        0x1.526e57720db08p-3, 0x1.bc2860d22477p-3, 0x1.1058bc8a07ee1p-2, 0x1.4043057b6ee09p-2,
    };

    /** glibc {@code __logf_fma}. */
    static float logf(float x) {
        int ix = Float.floatToRawIntBits(x);
        if (ix == 0x3f800000) {
            return 0f;
        }
        if (Integer.compareUnsigned(ix - 0x00800000, 0x7f800000 - 0x00800000) >= 0) {
            // x < 0x1p-126 or inf or nan
            if (ix * 2 == 0) {
                return Float.NEGATIVE_INFINITY;
            }
            if (ix == 0x7f800000) {
                return x;
            }
            if ((ix & 0x80000000) != 0 || Integer.compareUnsigned(ix * 2, 0xff000000) >= 0) {
                return Float.NaN;
            }
            // subnormal: normalise
            ix = Float.floatToRawIntBits(x * 0x1p23f);
            ix -= 23 << 23;
        }
        // x = 2^k z, z in [OFF, 2*OFF]; log(x) = log1p(z/c - 1) + log(c) + k*Ln2
        int tmp = ix - LOGF_OFF;
        int i = (tmp >>> (23 - 4)) & 15;
        int k = tmp >> 23;
        int iz = ix - (tmp & 0xff800000);
        double invc = INVC[i];
        double logc = LOGC[i];
        double z = Float.intBitsToFloat(iz);
        double r = Math.fma(z, invc, -1.0);
        double y0 = Math.fma(k, LN2, logc);
        double r2 = r * r;
        double y = Math.fma(A1, r, A2);
        y = Math.fma(A0, r2, y);
        y = Math.fma(y, r2, y0 + r);
        return (float) y;
    }

    // ---- sinf / cosf (s_sinf.c, s_cosf.c, s_sincosf.h, sincosf_poly.h, s_sincosf_data.c) ----

    private static final double PI63 = 0x1.921FB54442D18p-62;
    /** 2/pi scaled by 2^24 (TOINT_INTRINSICS is 0 on x86-64). */
    private static final double HPI_INV = 0x1.45F306DC9C883p+23;
    private static final double HPI = 0x1.921FB54442D18p0;
    private static final double[] SIGN = {1.0, -1.0, -1.0, 1.0};
    // cosine polynomial (the second table of __sincosf_table negates it) and sine polynomial
    private static final double C0 = 0x1p0;
    private static final double C1 = -0x1.ffffffd0c621cp-2;
    private static final double C2 = 0x1.55553e1068f19p-5;
    private static final double C3 = -0x1.6c087e89a359dp-10;
    private static final double C4 = 0x1.99343027bf8c3p-16;
    private static final double S1 = -0x1.555545995a603p-3;
    private static final double S2 = 0x1.1107605230bc4p-7;
    private static final double S3 = -0x1.994eb3774cf24p-13;
    /** 4/pi to 192 bits, 8 new bits per entry. */
    private static final int[] INV_PIO4 = {
        0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e,
        0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
        0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1,
        0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
        0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599,
        0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
    };
    private static final int TOP12_PIO4 = 0x3f4;      // abstop12(pio4)
    private static final int TOP12_TINY = 0x398;      // abstop12(0x1p-12f)
    private static final int TOP12_120 = 0x42f;       // abstop12(120.0f)
    private static final int TOP12_INF = 0x7f8;       // abstop12(INFINITY)

    private static int abstop12(float x) {
        return (Float.floatToRawIntBits(x) >>> 20) & 0x7ff;
    }

    /**
     * {@code sinf_poly}: sine polynomial for even {@code n}, cosine polynomial for odd {@code n};
     * {@code negCos} selects the second table (cosine coefficients negated).
     */
    private static float sinfPoly(double x, double x2, boolean negCos, int n) {
        if ((n & 1) == 0) {
            double x3 = x * x2;
            double s1 = Math.fma(x2, S3, S2);
            double x7 = x3 * x2;
            double s = Math.fma(x3, S1, x);
            return (float) Math.fma(x7, s1, s);
        }
        double c0 = negCos ? -C0 : C0;
        double c1 = negCos ? -C1 : C1;
        double c2 = negCos ? -C2 : C2;
        double c3 = negCos ? -C3 : C3;
        double c4 = negCos ? -C4 : C4;
        double x4 = x2 * x2;
        double c2v = Math.fma(x2, c4, c3);
        double c1v = Math.fma(x2, c1, c0);
        double x6 = x4 * x2;
        double c = Math.fma(x4, c2, c1v);
        return (float) Math.fma(x6, c2v, c);
    }

    /** glibc {@code __sinf_fma}. */
    static float sinf(float y) {
        return sinCos(y, false);
    }

    /** glibc {@code __cosf_fma}. */
    static float cosf(float y) {
        return sinCos(y, true);
    }

    private static float sinCos(float y, boolean cos) {
        double x = y;
        int top = abstop12(y);
        if (top < TOP12_PIO4) {
            double x2 = x * x;
            if (top < TOP12_TINY) {
                return cos ? 1.0f : y;
            }
            return sinfPoly(x, x2, false, cos ? 1 : 0);
        }
        if (top < TOP12_120) {
            // reduce_fast: quadrant in bits 24..31 of the scaled product, then x - n*pi/2
            double r = x * HPI_INV;
            int n = ((int) r + 0x800000) >> 24;
            x = Math.fma(-(double) n, HPI, x);
            double s = SIGN[n & 3];
            return sinfPoly(x * s, x * x, (n & 2) != 0, cos ? n ^ 1 : n);
        }
        if (top < TOP12_INF) {
            int xi = Float.floatToRawIntBits(y);
            int sign = xi >>> 31;
            // reduce_large: 32x96 -> 128 bit product with 4/pi, 2.62 fixed point modulo
            int base = (xi >>> 26) & 15;
            int shift = (xi >>> 23) & 7;
            int m = ((xi & 0xffffff) | 0x800000) << shift;
            long ml = m & 0xffffffffL;
            long res0 = (m * INV_PIO4[base]) & 0xffffffffL;
            long res1 = ml * (INV_PIO4[base + 4] & 0xffffffffL);
            long res2 = ml * (INV_PIO4[base + 8] & 0xffffffffL);
            res0 = (res2 >>> 32) | (res0 << 32);
            res0 += res1;
            long nl = (res0 + (1L << 61)) >>> 62;
            res0 -= nl << 62;
            int n = (int) nl;
            x = (double) res0 * PI63;
            double s = SIGN[(n + sign) & 3];
            return sinfPoly(x * s, x * x, ((n + sign) & 2) != 0, cos ? n ^ 1 : n);
        }
        return Float.NaN;
    }
}
