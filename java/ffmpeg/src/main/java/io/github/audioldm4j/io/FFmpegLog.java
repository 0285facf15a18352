package io.github.audioldm4j.io;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_DEBUG;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_PANIC;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_TRACE;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_VERBOSE;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;

import io.github.audioldm4j.util.Check;
import java.util.Locale;
import org.bytedeco.ffmpeg.global.avutil;

/**
 * FFmpeg's process-wide log level.
 *
 * <p>FFmpeg writes its own diagnostics ("[mp3float @ 0x...] Header missing") straight to the
 * process's native stderr. This package silences them: the first use of {@link AudioDecoder} or
 * {@link AudioEncoder} sets the level to {@link Level#QUIET}, because every failure is reported
 * through {@link AudioIOException} instead. To see FFmpeg's messages, start the JVM with
 * {@code -Daudioldm4j.ffmpeg.logLevel=warning} (any {@link Level} name, case-insensitive) or call
 * {@link #setLevel(Level)}.
 *
 * <p>The level is global to the process (it is FFmpeg's {@code av_log_set_level}), so it also
 * affects any other FFmpeg user in the same JVM.
 */
public final class FFmpegLog {
    /** System property that overrides the default level ({@code quiet}). */
    public static final String LEVEL_PROPERTY = "audioldm4j.ffmpeg.logLevel";

    /** FFmpeg log levels, from silent to most verbose. */
    public enum Level {
        QUIET(AV_LOG_QUIET), PANIC(AV_LOG_PANIC), FATAL(AV_LOG_FATAL), ERROR(AV_LOG_ERROR),
        WARNING(AV_LOG_WARNING), INFO(AV_LOG_INFO), VERBOSE(AV_LOG_VERBOSE), DEBUG(AV_LOG_DEBUG),
        TRACE(AV_LOG_TRACE);

        private final int value;

        Level(int value) {
            this.value = value;
        }

        /** FFmpeg's numeric {@code AV_LOG_*} value. */
        public int value() {
            return value;
        }
    }

    private FFmpegLog() {}

    static {
        String configured = System.getProperty(LEVEL_PROPERTY);
        Level level = Level.QUIET;
        if (configured != null && !configured.isBlank()) {
            try {
                level = Level.valueOf(configured.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(LEVEL_PROPERTY + " must be one of "
                        + java.util.Arrays.toString(Level.values()) + ", got \"" + configured + "\"", e);
            }
        }
        avutil.av_log_set_level(level.value());
    }

    /** Applies the default level once; called by every entry point of this package. */
    static void ensureInitialized() {
        // the static initializer does the work
    }

    /** Sets FFmpeg's process-wide log level. */
    public static void setLevel(Level level) {
        Check.notNull("level", level);
        avutil.av_log_set_level(level.value());
    }

    /** FFmpeg's current process-wide log level as its numeric {@code AV_LOG_*} value. */
    public static int levelValue() {
        return avutil.av_log_get_level();
    }
}
