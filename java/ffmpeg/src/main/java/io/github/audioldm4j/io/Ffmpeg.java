package io.github.audioldm4j.io;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

/** Small helpers shared by the decoder and the encoder. */
final class Ffmpeg {
    private Ffmpeg() {}

    /** FFmpeg's text for an error code ({@code av_strerror}). */
    static String errorString(int code) {
        byte[] buf = new byte[256];
        if (avutil.av_strerror(code, buf, buf.length) < 0) {
            return "unknown FFmpeg error " + code;
        }
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * A {@code file:} URL for a local path. The {@code file:} prefix keeps FFmpeg from reading a
     * name such as {@code concat:a|b} or {@code http://x} as another protocol.
     */
    static BytePointer fileUrl(Path file) {
        return new BytePointer("file:" + file.toAbsolutePath(), StandardCharsets.UTF_8);
    }

    /**
     * Takes a reference of our own on a pointer that outlives the call that made it (a streaming
     * reader's resampler lives across reads): when the caller has a {@link org.bytedeco.javacpp.PointerScope}
     * open, the scope's release at its end no longer frees it; our {@code close()} does.
     */
    static <P extends org.bytedeco.javacpp.Pointer> P retained(P p) {
        p.retainReference();
        return p;
    }

    /** A Java string from a NUL-terminated native string, or the fallback when it is null. */
    static String string(BytePointer p, String fallback) {
        return p == null || p.isNull() ? fallback : p.getString(StandardCharsets.UTF_8);
    }
}
