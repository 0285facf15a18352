package io.github.audioldm4j.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Behaviour and contract tests of {@link TorchGenerator} that need no golden file. */
class TorchGeneratorTest {

    @Test
    void firstDrawsOfSeed0MatchTorch() {
        // torch.Generator().manual_seed(0): torch.randn(1) -> 1.5409961, torch.rand(1) -> 0.4962566
        assertEquals(1.5409961f, new TorchGenerator(0).randn(1)[0]);
        assertEquals(0.4962566f, new TorchGenerator(0).rand(1L)[0]);
    }

    @Test
    void onlyTheLow32BitsOfTheSeedSeedTheEngine() {
        long big = (1L << 32) + 5;
        TorchGenerator a = new TorchGenerator(big);
        TorchGenerator b = new TorchGenerator(5);
        assertArrayEquals(a.randn(1, 8, 6, 4), b.randn(1, 8, 6, 4));
        assertEquals(big, a.initialSeed());
        assertEquals(5, b.initialSeed());
        assertEquals(-1L, new TorchGenerator(-1L).initialSeed(), "uint64 2^64-1 is kept as the bits of -1");
    }

    @Test
    void shapeOnlyMattersThroughItsElementCount() {
        assertArrayEquals(new TorchGenerator(3).randn(2, 3, 4), new TorchGenerator(3).randn(24));
        assertArrayEquals(new TorchGenerator(3).randn(2, 3), new TorchGenerator(3).randn(6L));
        assertEquals(1, new TorchGenerator(3).randn().length, "shape () is one element");
    }

    @Test
    void emptyTensorsDrawNothing() {
        TorchGenerator g = new TorchGenerator(11);
        assertEquals(0, g.randn(0).length);
        assertEquals(0, g.randn(4, 0, 3).length);
        assertEquals(0, g.rand(0L).length);
        assertArrayEquals(new TorchGenerator(11).randn(20), g.randn(20));
    }

    @Test
    void scalarPathCachesTheSecondNormal() {
        // randn(1) twice uses one Box-Muller pair: the second call consumes no engine output
        TorchGenerator g = new TorchGenerator(42);
        float[] a = g.randn(1);
        float[] b = g.randn(1);
        float[] both = new TorchGenerator(42).randn(2);
        assertEquals(both[0], a[0]);
        assertEquals(both[1], b[0]);
        // after an even number of scalar draws the cache is empty and rand continues right after
        TorchGenerator h = new TorchGenerator(42);
        h.randn(2);
        TorchGenerator k = new TorchGenerator(42);
        k.random64();
        k.random64();
        assertArrayEquals(k.rand(5L), h.rand(5L));
    }

    @Test
    void normalFillDoesNotTouchTheCache() {
        TorchGenerator g = new TorchGenerator(9);
        float first = g.randn(1)[0];
        g.randn(16); // vectorised path
        float cached = g.randn(1)[0];
        assertEquals(new TorchGenerator(9).randn(2)[1], cached);
        assertNotEquals(first, cached);
    }

    @Test
    void tailOfNonMultipleOf16IsRedrawn() {
        // 17 elements consume 17 + 16 uniforms; the first element equals randn(16)'s first only
        // because the redraw recomputes elements 1..16
        TorchGenerator g = new TorchGenerator(0);
        float[] r17 = g.randn(17);
        float[] r16 = new TorchGenerator(0).randn(16);
        assertEquals(r16[0], r17[0]);
        assertNotEquals(r16[1], r17[1]);
        TorchGenerator k = new TorchGenerator(0);
        for (int i = 0; i < 33; i++) {
            k.random();
        }
        assertArrayEquals(k.rand(4L), g.rand(4L));
    }

    @Test
    void manualSeedResetsStateAndCache() {
        TorchGenerator g = new TorchGenerator(1);
        g.randn(3); // leaves a cached normal
        g.manualSeed(77);
        assertArrayEquals(new TorchGenerator(77).getState(), g.getState());
        assertArrayEquals(new TorchGenerator(77).randn(5), g.randn(5));
    }

    @Test
    void copyIsIndependent() {
        TorchGenerator g = new TorchGenerator(5);
        g.randn(3);
        TorchGenerator c = g.copy();
        assertArrayEquals(g.randn(40), c.randn(40));
        c.rand(7L);
        assertNotEquals(g.rand(1L)[0], c.rand(1L)[0]);
    }

    @Test
    void random64IsTwoDrawsHighWordFirst() {
        TorchGenerator a = new TorchGenerator(123);
        TorchGenerator b = new TorchGenerator(123);
        long hi = a.random();
        long lo = a.random();
        assertEquals((hi << 32) | lo, b.random64());
        assertTrue(hi >= 0 && hi <= 0xffffffffL);
    }

    @Test
    void stateRoundTripsIncludingTheFloatCacheBytes() {
        TorchGenerator g = new TorchGenerator(31);
        g.randn(5);
        byte[] s = g.getState();
        ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN).putFloat(5048, 0.25f).put(5052, (byte) 1);
        TorchGenerator r = new TorchGenerator(0);
        r.setState(s);
        assertArrayEquals(s, r.getState());
        assertArrayEquals(g.randn(7), r.randn(7));
    }

    @Test
    void isANoiseSource() {
        NoiseSource n = new TorchGenerator(8);
        assertArrayEquals(new TorchGenerator(8).randn(1, 8, 4, 16), n.randn(8 * 4 * 16));
    }

    @Test
    void avx2KernelOnlyChangesLargeRandn() {
        TorchGenerator.Kernel avx = TorchGenerator.Kernel.AVX2;
        assertArrayEquals(new TorchGenerator(4).randn(15), new TorchGenerator(4, avx).randn(15));
        assertArrayEquals(new TorchGenerator(4).rand(100L), new TorchGenerator(4, avx).rand(100L));
        float[] a = new TorchGenerator(4).randn(4096);
        float[] b = new TorchGenerator(4, avx).randn(4096);
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        assertTrue(max > 0 && max < 1e-5f, "kernels should differ by ~1e-6, got " + max);
        assertEquals(avx, new TorchGenerator(4, avx).kernel());
    }

    // ---- contract errors ----

    @Test
    void rejectsNegativeDimensions() {
        TorchGenerator g = new TorchGenerator(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.randn(2, -3));
        assertEquals("shape[1] must be >= 0, got -3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.rand(-1L));
        assertEquals("shape[0] must be >= 0, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.randn(-4));
        assertEquals("n must be >= 0, got -4", e.getMessage());
    }

    @Test
    void rejectsTooManyElements() {
        TorchGenerator g = new TorchGenerator(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.randn(1L << 20, 1L << 20));
        assertEquals("shape [1048576, 1048576] must have at most 2147483639 elements, got 1099511627776",
                e.getMessage());
    }

    @Test
    void rejectsNulls() {
        TorchGenerator g = new TorchGenerator(0);
        assertEquals("shape must not be null",
                assertThrows(NullPointerException.class, () -> g.randn((long[]) null)).getMessage());
        assertEquals("kernel must not be null",
                assertThrows(NullPointerException.class, () -> new TorchGenerator(0, null)).getMessage());
        assertEquals("state must not be null",
                assertThrows(NullPointerException.class, () -> g.setState(null)).getMessage());
    }

    @Test
    void rejectsBadStates() {
        TorchGenerator g = new TorchGenerator(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.setState(new byte[10]));
        assertEquals("state must have length 5056 (sizeof CPUGeneratorImplState), got 10", e.getMessage());
        byte[] s = new TorchGenerator(0).getState();
        ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0);
        e = assertThrows(IllegalArgumentException.class, () -> g.setState(s));
        assertEquals("state must hold a valid mt19937 state (seeded != 0, left in [1, 624], next in [0, 624]), "
                + "got seeded=1, left=0, next=0", e.getMessage());
        // a rejected state leaves the generator unchanged
        assertArrayEquals(new TorchGenerator(0).randn(4), g.randn(4));
    }
}
