package io.github.audioldm4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An audio file could not be read or written.
 *
 * <p>The exception names the file, says why ({@link #reason()}) and, when the failure came from
 * FFmpeg, carries FFmpeg's error code and its {@code av_strerror} text together with the FFmpeg
 * function that failed. Example message:
 *
 * <pre>{@code
 * cannot decode /data/x.flac: corrupt audio data (avcodec_send_packet: Invalid data found when processing input, error -1094995529)
 * }</pre>
 *
 * <p>Invalid arguments (a null path, a bad sample rate, NaN samples) are not reported this way;
 * they throw {@link IllegalArgumentException} or {@link NullPointerException} before any file is
 * touched.
 */
public final class AudioIOException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why an audio file could not be read or written. */
    public enum Reason {
        /** The path does not exist. */
        FILE_NOT_FOUND("file not found"),
        /** The path exists but is a directory or another non-regular file. */
        NOT_A_REGULAR_FILE("not a regular file"),
        /** The file exists but the process may not read it. */
        NOT_READABLE("file not readable"),
        /** The file has zero bytes. */
        EMPTY_FILE("empty file (0 bytes)"),
        /** FFmpeg recognises no container format in the file (e.g. a text file or random bytes). */
        UNRECOGNIZED_FORMAT("unrecognized or invalid container format"),
        /** The container opened but holds no audio stream (e.g. an image, a video without audio). */
        NO_AUDIO_STREAM("no audio stream"),
        /** The audio stream uses a codec this FFmpeg build cannot decode. */
        UNSUPPORTED_CODEC("unsupported audio codec"),
        /** The container is valid but its audio stream holds no samples. */
        NO_AUDIO_DATA("audio stream holds no samples"),
        /**
         * The file ends before its headers are complete, or its audio ends well before the length
         * its headers declare: a truncated file, or one whose damaged pages the demuxer dropped.
         */
        TRUNCATED("truncated or damaged file"),
        /**
         * The demuxer or decoder reported invalid data, or FFmpeg recognised the container but
         * could not read its headers.
         */
        CORRUPT_DATA("corrupt audio data"),
        /** The decoded audio has more samples than a Java array can hold. */
        TOO_LONG("decoded audio is too long for one float array"),
        /** Reading failed at the operating-system level. */
        READ_FAILED("read error"),
        /** The encoder could not be opened or rejected the samples. */
        ENCODE_FAILED("encoding failed"),
        /** The output file could not be created or written. */
        WRITE_FAILED("write error");

        private final String description;

        Reason(String description) {
            this.description = description;
        }

        /** A short human-readable description, used in exception messages. */
        public String description() {
            return description;
        }
    }

    private final Reason reason;
    private final transient Path file;
    private final String ffmpegFunction;
    private final int ffmpegErrorCode;
    private final String ffmpegError;

    /**
     * Creates an exception that did not come from an FFmpeg call.
     *
     * @param operation "decode", "probe" or "encode", used in the message
     * @param file the file concerned
     * @param reason why it failed
     * @param detail an optional extra sentence, or null
     */
    public AudioIOException(String operation, Path file, Reason reason, String detail) {
        this(operation, file, reason, detail, null, 0, null, null);
    }

    /**
     * Creates an exception for a failed FFmpeg call.
     *
     * @param operation "decode", "probe" or "encode", used in the message
     * @param file the file concerned
     * @param reason why it failed
     * @param detail an optional extra sentence, or null
     * @param ffmpegFunction the FFmpeg function that failed, e.g. {@code "avformat_open_input"}
     * @param ffmpegErrorCode FFmpeg's (negative) error code
     * @param ffmpegError FFmpeg's {@code av_strerror} text for the code
     * @param cause an underlying exception, or null
     */
    public AudioIOException(String operation, Path file, Reason reason, String detail,
            String ffmpegFunction, int ffmpegErrorCode, String ffmpegError, Throwable cause) {
        super(message(operation, file, reason, detail, ffmpegFunction, ffmpegErrorCode, ffmpegError), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.file = file;
        this.ffmpegFunction = ffmpegFunction;
        this.ffmpegErrorCode = ffmpegErrorCode;
        this.ffmpegError = ffmpegError;
    }

    private static String message(String operation, Path file, Reason reason, String detail,
            String function, int code, String error) {
        StringBuilder sb = new StringBuilder();
        sb.append("cannot ").append(operation).append(' ').append(file).append(": ").append(reason.description());
        if (detail != null && !detail.isEmpty()) {
            sb.append("; ").append(detail);
        }
        if (function != null) {
            sb.append(" (").append(function).append(": ").append(error).append(", error ").append(code).append(')');
        }
        return sb.toString();
    }

    /** Why the operation failed. */
    public Reason reason() {
        return reason;
    }

    /** The file that could not be read or written. */
    public Path file() {
        return file;
    }

    /** The FFmpeg function that failed, or null when FFmpeg reported no error. */
    public String ffmpegFunction() {
        return ffmpegFunction;
    }

    /** FFmpeg's negative error code, or 0 when FFmpeg reported no error. */
    public int ffmpegErrorCode() {
        return ffmpegErrorCode;
    }

    /** FFmpeg's {@code av_strerror} text, or null when FFmpeg reported no error. */
    public String ffmpegError() {
        return ffmpegError;
    }
}
