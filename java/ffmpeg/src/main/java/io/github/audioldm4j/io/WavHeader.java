package io.github.audioldm4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads where a RIFF/WAVE file's {@code data} chunk claims to end. FFmpeg's WAV demuxer quietly
 * accepts a data chunk that runs past the end of the file (it estimates the duration from the file
 * size instead), so a WAV file cut at a sample boundary would decode without any sign of the
 * truncation; this check supplies it.
 */
final class WavHeader {
    /** How far into the file the data chunk is searched for. */
    private static final int SEARCH_BYTES = 1 << 16;

    private WavHeader() {}

    /**
     * The byte offset at which the data chunk declares it ends, or -1 when the file is not a
     * plain RIFF/WAVE file, has no data chunk in its first 64 KiB, or uses a "size unknown"
     * placeholder (0 or 0xFFFFFFFF, written by streaming encoders).
     */
    static long declaredDataEnd(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SEARCH_BYTES);
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        if (head.length < 12 || !tag(head, 0, "RIFF") || !tag(head, 8, "WAVE")) {
            return -1;
        }
        long pos = 12;
        while (pos + 8 <= head.length) {
            long size = Integer.toUnsignedLong(b.getInt((int) pos + 4));
            if (tag(head, (int) pos, "data")) {
                if (size == 0 || size == 0xFFFFFFFFL) {
                    return -1;
                }
                return pos + 8 + size;
            }
            pos += 8 + size + (size & 1); // chunks are padded to an even length
        }
        return -1;
    }

    private static boolean tag(byte[] b, int at, String tag) {
        for (int i = 0; i < 4; i++) {
            if (b[at + i] != tag.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
