package io.github.audioldm4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.testing.NativeMemory;
import io.github.audioldm4j.testing.TinyBundle;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Native memory stays flat over many calls. Without a PointerScope per call the presets leak
 * roughly 30 KB per call (300 MB over this test); the bound here is 32 MB of RSS growth after
 * warm-up, far below that yet above allocator noise.
 */
class RuntimeMemoryTest {
    private static final int CALLS = 10_000;
    private static final long RSS_BOUND = 32L << 20;

    @Test
    void tenThousandCallsKeepNativeMemoryFlat() {
        try (ModelRuntime rt = ModelRuntimes.createDefault();
                LoadedModule m = rt.load(TinyBundle.file("vae_encoder.pt"), ModuleOptions.CPU_FP32)) {
            float[] mel = new float[16 * 64];
            for (int i = 0; i < mel.length; i++) {
                mel[i] = (float) Math.sin(i * 0.1);
            }
            HostTensor in = HostTensor.ofFloats(mel, 1, 1, 16, 64);
            for (int i = 0; i < 500; i++) {
                m.forward(in);
            }
            System.gc();
            long rss0 = NativeMemory.rssBytes();
            long count0 = Pointer.totalCount();
            long bytes0 = Pointer.totalBytes();
            for (int i = 0; i < CALLS; i++) {
                HostTensor out = m.forward(in).get(0);
                assertEquals(16 * 4 * 16, out.floats().length);
            }
            System.gc();
            long rss1 = NativeMemory.rssBytes();
            long count1 = Pointer.totalCount();
            long bytes1 = Pointer.totalBytes();
            System.out.printf("[memory] %s: %d calls, RSS %+.1f MB, JavaCPP pointers %+d, JavaCPP bytes %+d%n",
                    rt.name(), CALLS, (rss1 - rss0) / 1e6, count1 - count0, bytes1 - bytes0);
            assertTrue(count1 - count0 <= 0, "live JavaCPP pointers grew by " + (count1 - count0));
            assertTrue(rss1 - rss0 < RSS_BOUND, "RSS grew by " + (rss1 - rss0) / 1e6 + " MB over " + CALLS + " calls");
            assertEquals(1, rt.liveHandles(), "only the module itself is live between calls");
        }
    }
}
