package io.github.audioldm4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audio files for the audio-in pipelines: the container's duration is checked before decoding. */
class AudioInputTest {

    static Path longWav(Path dir, double seconds) throws IOException {
        return io.github.audioldm4j.testing.LongWav.longWav(dir, seconds);
    }

    @Test
    void twoHourFileIsRefusedFromItsHeaderBeforeDecoding(@TempDir Path tmp) throws Exception {
        Path wav = longWav(tmp, 7200);
        long before = usedHeap();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioInput.decode(wav, 16000, 60.0));
        assertTrue(e.getMessage().contains("is too long: 7200.00 s according to its wav header"), e.getMessage());
        assertTrue(e.getMessage().contains("at most 60.0 s is taken"), e.getMessage());
        assertEquals("maxSeconds must be finite and > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> AudioInput.decode(wav, 16000, 0)).getMessage());
        // decoding it whole at 16 kHz would take 460 MB of floats
        assertTrue(usedHeap() - before < 200L << 20, "decoded before refusing");
    }

    @Test
    void fileWithinTheLimitDecodes(@TempDir Path tmp) throws Exception {
        float[] x = new float[16000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 * Math.sin(i * 0.05));
        }
        Path wav = tmp.resolve("one.wav");
        AudioEncoder.encode(x, 16000, wav);
        assertEquals(16000, AudioInput.decode(wav, 16000, 60.0).length);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
