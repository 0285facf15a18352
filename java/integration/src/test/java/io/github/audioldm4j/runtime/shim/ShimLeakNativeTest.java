package io.github.audioldm4j.runtime.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntimeException;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.NativeMemory;
import io.github.audioldm4j.testing.TinyBundle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shim's own leak check: the library's handle counter (not a Java-side count) is back to the
 * number of open modules after every one of 10,000 calls, failed calls included, and RSS stays
 * flat. {@code RuntimeMemoryTest} covers RSS and JavaCPP pointers for any runtime; this adds the
 * per-call native count and the error path.
 */
class ShimLeakNativeTest {
    private static final int CALLS = 10_000;
    private static final long RSS_BOUND = 32L << 20;

    @BeforeEach
    void requireLibrary() {
        ShimTesting.assumeShimUsable();
    }

    @Test
    void nativeHandlesReturnToOpenModulesAfterEachOfTenThousandCalls() {
        long processBefore = Aldm2.liveHandles();
        try (ShimRuntime rt = new ShimRuntime();
                LoadedModule m = rt.load(TinyBundle.file("vae_encoder.pt"), ModuleOptions.CPU_FP32)) {
            float[] mel = new float[16 * 64];
            for (int i = 0; i < mel.length; i++) {
                mel[i] = (float) Math.cos(i * 0.05);
            }
            HostTensor in = HostTensor.ofFloats(mel, 1, 1, 16, 64);
            HostTensor wrong = HostTensor.ofFloats(new float[16 * 64], 1, 2, 8, 64);
            for (int i = 0; i < 500; i++) {
                m.forward(in);
            }
            System.gc();
            long rss0 = NativeMemory.rssBytes();
            int failures = 0;
            for (int i = 0; i < CALLS; i++) {
                if (i % 100 == 99) {
                    assertThrows(ModelRuntimeException.class, () -> m.forward(wrong));
                    failures++;
                } else {
                    assertEquals(16 * 4 * 16, m.forward(in).get(0).floats().length);
                }
                long live = rt.liveHandles();
                if (live != 1) {
                    throw new AssertionError("after call " + i + " the runtime holds " + live + " native objects, expected 1");
                }
            }
            assertEquals(processBefore + 2, Aldm2.liveHandles(), "runtime + module, process-wide");
            System.gc();
            long rss1 = NativeMemory.rssBytes();
            System.out.printf("[memory] shim: %d calls (%d failing), RSS %+.1f MB, native handles %d%n",
                    CALLS, failures, (rss1 - rss0) / 1e6, rt.liveHandles());
            assertTrue(rss1 - rss0 < RSS_BOUND, "RSS grew by " + (rss1 - rss0) / 1e6 + " MB over " + CALLS + " calls");
        }
        assertEquals(processBefore, Aldm2.liveHandles(), "nothing left after closing");
    }
}
