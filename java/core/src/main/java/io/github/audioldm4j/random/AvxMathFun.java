package io.github.audioldm4j.random;

/**
 * Lane-by-lane Java port of torch's {@code normal_fill_16_AVX2}
 * ({@code aten/src/ATen/native/cpu/DistributionTemplates.h}) with the {@code log256_ps} and
 * {@code sincos256_ps} it calls ({@code aten/src/ATen/native/cpu/avx_mathfun.h}: Cephes
 * single-precision log and sin/cos by Julien Pommier and Giovanni Garberoglio, zlib license).
 *
 * <p>torch compiles this kernel with {@code -mavx2 -mfma}; GCC then fuses the {@code _mm256_mul_ps}
 * / {@code _mm256_add_ps} pairs of these functions into FMA instructions (GCC implements those
 * intrinsics as plain vector arithmetic, which {@code -ffp-contract=fast} may contract). The
 * {@code Math.fma} calls below sit where GCC 12 ({@code -O2}/{@code -O3 -mavx2 -mfma}, the
 * compiler of the reference torch build) places them; everything else is plain float arithmetic,
 * bit-for-bit the vector lane's.
 */
final class AvxMathFun {
    private AvxMathFun() {}

    private static final float ONE = 1.0f;
    private static final float HALF = 0.5f;
    private static final float MIN_NORM_POS = Float.intBitsToFloat(0x00800000);
    private static final int INV_MANT_MASK = ~0x7f800000;

    // log256_ps constants (_PS256_CONST: double literals rounded to float)
    private static final float SQRTHF = (float) 0.707106781186547524;
    private static final float LOG_P0 = (float) 7.0376836292E-2;
    private static final float LOG_P1 = (float) -1.1514610310E-1;
    private static final float LOG_P2 = (float) 1.1676998740E-1;
    private static final float LOG_P3 = (float) -1.2420140846E-1;
    private static final float LOG_P4 = (float) 1.4249322787E-1;
    private static final float LOG_P5 = (float) -1.6668057665E-1;
    private static final float LOG_P6 = (float) 2.0000714765E-1;
    private static final float LOG_P7 = (float) -2.4999993993E-1;
    private static final float LOG_P8 = (float) 3.3333331174E-1;
    private static final float LOG_Q1 = (float) -2.12194440e-4;
    private static final float LOG_Q2 = (float) 0.693359375;

    // sincos256_ps constants
    private static final float MINUS_DP1 = (float) -0.78515625;
    private static final float MINUS_DP2 = (float) -2.4187564849853515625e-4;
    private static final float MINUS_DP3 = (float) -3.77489497744594108e-8;
    private static final float SINCOF_P0 = (float) -1.9515295891E-4;
    private static final float SINCOF_P1 = (float) 8.3321608736E-3;
    private static final float SINCOF_P2 = (float) -1.6666654611E-1;
    private static final float COSCOF_P0 = (float) 2.443315711809948E-005;
    private static final float COSCOF_P1 = (float) -1.388731625493765E-003;
    private static final float COSCOF_P2 = (float) 4.166664568298827E-002;
    private static final float FOPI = (float) 1.27323954473516; // 4 / pi

    /** {@code _mm256_set1_ps(2.0f * c10::pi<double>)}: 2 pi rounded to float. */
    private static final float TWO_PI_F = (float) (2.0 * Math.PI);

    /** One lane of {@code log256_ps}. */
    static float log(float x0) {
        boolean invalid = x0 <= 0f; // _CMP_LE_OS (NaN compares false)
        float x = Math.max(x0, MIN_NORM_POS); // _mm256_max_ps returns the 2nd operand on NaN
        if (Float.isNaN(x0)) {
            x = MIN_NORM_POS;
        }
        int imm0 = Float.floatToRawIntBits(x) >>> 23;
        // keep only the fractional part
        x = Float.intBitsToFloat((Float.floatToRawIntBits(x) & INV_MANT_MASK) | Float.floatToRawIntBits(HALF));
        imm0 = imm0 - 0x7f;
        float e = imm0;
        e = e + ONE;
        // if (x < SQRTHF) { e -= 1; x = x + x - 1.0; } else { x = x - 1.0; }
        boolean mask = x < SQRTHF;
        float tmp = mask ? x : 0f;
        x = x - ONE;
        e = e - (mask ? ONE : 0f);
        x = x + tmp;
        float z = x * x;
        float y = LOG_P0;
        y = Math.fma(y, x, LOG_P1);
        y = Math.fma(y, x, LOG_P2);
        y = Math.fma(y, x, LOG_P3);
        y = Math.fma(y, x, LOG_P4);
        y = Math.fma(y, x, LOG_P5);
        y = Math.fma(y, x, LOG_P6);
        y = Math.fma(y, x, LOG_P7);
        y = Math.fma(y, x, LOG_P8);
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = Math.fma(-z, HALF, y);
        x = x + y;
        x = Math.fma(e, LOG_Q2, x);
        if (invalid) {
            // x | 0xffffffff: a NaN ("negative arg will be NAN")
            return Float.intBitsToFloat(0xffffffff);
        }
        return x;
    }

    /**
     * One lane of {@code normal_fill_16_AVX2} with mean 0 and std 1 on data[off+j] (u1 source)
     * and data[off+j+8] (u2 source), for j in [0, 8).
     */
    static void normalFill16(float[] data, int off) {
        for (int j = 0; j < 8; j++) {
            float u1 = ONE - data[off + j];
            float u2 = data[off + j + 8];
            float radius = (float) Math.sqrt(-2.0f * log(u1));
            float theta = TWO_PI_F * u2;
            float[] sc = sincos(theta);
            float n1 = radius * sc[1];
            float n2 = radius * sc[0];
            data[off + j] = Math.fma(n1, 1.0f, 0.0f);      // _mm256_fmadd_ps(n1, std, mean)
            data[off + j + 8] = Math.fma(n2, 1.0f, 0.0f);
        }
    }

    /** One lane of {@code sincos256_ps}: returns {sin, cos}. */
    static float[] sincos(float x0) {
        int signBitSin = Float.floatToRawIntBits(x0) & 0x80000000;
        // take the absolute value
        float x = Float.intBitsToFloat(Float.floatToRawIntBits(x0) & 0x7fffffff);
        // scale by 4/Pi
        float y = x * FOPI;
        // store the integer part of y in imm2 (_mm256_cvttps_epi32: 0x80000000 when out of range)
        int imm2 = cvtt(y);
        // j=(j+1) & (~1)
        imm2 = imm2 + 1;
        imm2 = imm2 & ~1;
        y = imm2;
        int imm4 = imm2;
        // swap sign flag for the sine, polynomial selection mask
        int swapSignBitSin = (imm2 & 4) << 29;
        boolean polyMask = (imm2 & 2) == 0;
        // x = ((x - y * DP1) - y * DP2) - y * DP3
        x = Math.fma(y, MINUS_DP1, x);
        x = Math.fma(y, MINUS_DP2, x);
        x = Math.fma(y, MINUS_DP3, x);
        imm4 = imm4 - 2;
        imm4 = ~imm4 & 4;
        int signBitCos = imm4 << 29;
        signBitSin = signBitSin ^ swapSignBitSin;
        // first polynomial (0 <= x <= Pi/4)
        float z = x * x;
        float yc = COSCOF_P0;
        yc = Math.fma(yc, z, COSCOF_P1);
        yc = Math.fma(yc, z, COSCOF_P2);
        yc = yc * z;
        float tmp = z * HALF;
        yc = Math.fma(yc, z, -tmp);
        yc = yc + ONE;
        // second polynomial (Pi/4 <= x <= 0)
        float y2 = SINCOF_P0;
        y2 = Math.fma(y2, z, SINCOF_P1);
        y2 = Math.fma(y2, z, SINCOF_P2);
        y2 = y2 * z;
        y2 = Math.fma(y2, x, x);
        // select the correct result from the two polynomials (bitwise and/andnot as the lanes do)
        float ysin2 = polyMask ? y2 : 0f;
        float ysin1 = polyMask ? 0f : yc;
        y2 = y2 - ysin2;
        yc = yc - ysin1;
        float s = ysin1 + ysin2;
        float c = yc + y2;
        // update the sign
        s = Float.intBitsToFloat(Float.floatToRawIntBits(s) ^ signBitSin);
        c = Float.intBitsToFloat(Float.floatToRawIntBits(c) ^ signBitCos);
        return new float[] {s, c};
    }

    private static int cvtt(float y) {
        if (Float.isNaN(y) || y >= 0x1p31f || y < -0x1p31f) {
            return 0x80000000;
        }
        return (int) y;
    }
}
