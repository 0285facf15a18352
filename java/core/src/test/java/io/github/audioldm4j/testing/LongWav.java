package io.github.audioldm4j.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Long WAV files for the duration checks: a real 8-bit mono WAV at 1 kHz (2 hours in 7.2 MB). */
public final class LongWav {
    private LongWav() {}

    /** A real 8-bit mono WAV at 1 kHz: 2 hours in 7.2 MB. */
    public static Path longWav(Path dir, double seconds) throws IOException {
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

}
