package io.github.audioldm4j.random;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Exhaustive check of the glibc ports over every input torch's {@code normal_fill_16} can give
 * them. The CRC-32 values are of the little-endian float32 outputs of glibc 2.36's
 * {@code logf}/{@code sinf}/{@code cosf} (the {@code _fma} ifunc variants, on an FMA-capable
 * x86-64 CPU) for, in order, {@code logf(j * 2^-24)} for j = 1..2^24 and
 * {@code sinf/cosf(float(2 pi_double * (k * 2^-24)))} for k = 0..2^24-1, computed once with a
 * small C program linked against libm.
 */
class GlibcFloatMathTest {
    private static final int N = 1 << 24;

    private static long crcOf(java.util.function.IntFunction<Float> f, int from, int to) {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[4 * 4096];
        int fill = 0;
        for (int i = from; i <= to; i++) {
            int bits = Float.floatToRawIntBits(f.apply(i));
            buf[fill++] = (byte) bits;
            buf[fill++] = (byte) (bits >>> 8);
            buf[fill++] = (byte) (bits >>> 16);
            buf[fill++] = (byte) (bits >>> 24);
            if (fill == buf.length) {
                crc.update(buf, 0, fill);
                fill = 0;
            }
        }
        crc.update(buf, 0, fill);
        return crc.getValue();
    }

    private static float theta(int k) {
        return (float) (2.0 * Math.PI * (k * 0x1p-24f));
    }

    @Test
    void logfMatchesGlibcOnAllUniformInputs() {
        assertEquals(0x75e9fdceL, crcOf(j -> GlibcFloatMath.logf(j * 0x1p-24f), 1, N));
    }

    @Test
    void sinfMatchesGlibcOnAllBoxMullerAngles() {
        assertEquals(0xce1db6daL, crcOf(k -> GlibcFloatMath.sinf(theta(k)), 0, N - 1));
    }

    @Test
    void cosfMatchesGlibcOnAllBoxMullerAngles() {
        assertEquals(0xff779a1eL, crcOf(k -> GlibcFloatMath.cosf(theta(k)), 0, N - 1));
    }

    @Test
    void specialValues() {
        assertEquals(0f, GlibcFloatMath.logf(1f));
        assertEquals(Float.NEGATIVE_INFINITY, GlibcFloatMath.logf(0f));
        assertEquals(Float.POSITIVE_INFINITY, GlibcFloatMath.logf(Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, GlibcFloatMath.logf(-1f));
        assertEquals(1f, GlibcFloatMath.cosf(0f));
        assertEquals(0f, GlibcFloatMath.sinf(0f));
        assertEquals(Float.NaN, GlibcFloatMath.sinf(Float.POSITIVE_INFINITY));
        // large arguments take reduce_large; the expected bits are glibc's
        assertEquals(0x1.a75cc2p-1f, GlibcFloatMath.sinf(1000f));
        assertEquals(-0x1.392444p-1f, GlibcFloatMath.cosf(1e30f));
        assertEquals(-0x1.9d1dap+6f, GlibcFloatMath.logf(Float.MIN_VALUE));
    }
}
