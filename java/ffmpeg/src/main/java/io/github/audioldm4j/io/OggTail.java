package io.github.audioldm4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks how an Ogg file ends. Ogg has no total-length header, and FFmpeg's Ogg demuxer drops an
 * incomplete last page silently, so a truncated Ogg file looks like a shorter one. A complete Ogg
 * stream, however, ends with a whole page whose header carries the end-of-stream flag (RFC 3533,
 * section 6); a cut file ends inside a page or on a page without that flag.
 */
final class OggTail {
    private static final int TAIL_BYTES = 1 << 17; // > the largest possible page (65307 bytes)
    private static final int EOS_FLAG = 0x04;

    private OggTail() {}

    /** What the end of the file looks like. */
    enum End {
        /** The last page is complete and flagged end-of-stream. */
        COMPLETE,
        /** The file ends inside a page. */
        PARTIAL_PAGE,
        /** The last page is complete but not flagged end-of-stream. */
        NO_END_OF_STREAM,
        /** No complete page header was found in the tail; nothing can be said. */
        UNKNOWN
    }

    static End inspect(Path file) throws IOException {
        byte[] tail;
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            int n = (int) Math.min(size, TAIL_BYTES);
            ByteBuffer buf = ByteBuffer.allocate(n);
            ch.position(size - n);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read the whole tail
            }
            tail = buf.array();
        }
        // Try each capture pattern in the tail as a page start; a false match inside page data
        // breaks its chain quickly and the next candidate is tried.
        for (int start = find(tail, 0); start >= 0; start = find(tail, start + 1)) {
            End end = walk(tail, start);
            if (end != null) {
                return end;
            }
        }
        return End.UNKNOWN;
    }

    /** Follows pages from {@code pos}; null if the chain is not a run of valid pages. */
    private static End walk(byte[] tail, int pos) {
        int complete = 0;
        int lastFlags = 0;
        while (true) {
            if (pos == tail.length) {
                return (lastFlags & EOS_FLAG) != 0 ? End.COMPLETE : End.NO_END_OF_STREAM;
            }
            if (!capture(tail, pos)) {
                // a capture pattern cut by the end of the file also counts as a partial page
                return complete > 0 && tail.length - pos < 27 && prefixOfCapture(tail, pos) ? End.PARTIAL_PAGE : null;
            }
            if (pos + 27 > tail.length) {
                return complete > 0 ? End.PARTIAL_PAGE : null;
            }
            int segments = tail[pos + 26] & 0xff;
            if (pos + 27 + segments > tail.length) {
                return complete > 0 ? End.PARTIAL_PAGE : null;
            }
            int body = 0;
            for (int i = 0; i < segments; i++) {
                body += tail[pos + 27 + i] & 0xff;
            }
            int next = pos + 27 + segments + body;
            if (next > tail.length) {
                return complete > 0 ? End.PARTIAL_PAGE : null;
            }
            lastFlags = tail[pos + 5] & 0xff;
            complete++;
            pos = next;
        }
    }

    private static boolean capture(byte[] b, int i) {
        return i + 5 <= b.length && b[i] == 'O' && b[i + 1] == 'g' && b[i + 2] == 'g' && b[i + 3] == 'S' && b[i + 4] == 0;
    }

    private static boolean prefixOfCapture(byte[] b, int i) {
        byte[] pattern = {'O', 'g', 'g', 'S', 0};
        for (int k = 0; i + k < b.length; k++) {
            if (k >= pattern.length || b[i + k] != pattern[k]) {
                return k >= pattern.length;
            }
        }
        return true;
    }

    private static int find(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (capture(b, i)) {
                return i;
            }
        }
        return -1;
    }
}
