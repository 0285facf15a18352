package io.github.audioldm4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audio files for the audio-in pipelines: the container's duration is checked before decoding. */
class AudioInputTest {

    /** A real 8-bit mono WAV at 1 kHz: 2 hours in 7.2 MB. */
    static Path longWav(Path dir, double seconds) throws IOException {
        int rate = 1000;
        long n = Math.round(seconds * rate);
        Path p = dir.resolve("long.wav");
        try (OutputStream out = Files.newOutputStream(p)) {
            ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
            h.put("RIFF".getBytes()).putInt((int) (36 + n)).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                    .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate).putShort((short) 1)
                    .putShort((short) 8).put("data".getBytes()).putInt((int) n);
            out.write(h.array());
            byte[] block = new byte[1 << 16];
            for (int i = 0; i < block.length; i++) {
                block[i] = (byte) (128 + 40 * Math.sin(i * 0.3));
            }
            for (long left = n; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(left, block.length));
            }
        }
        return p;
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
