package io.github.audioldm4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;

/**
 * Runs an ffmpeg command-line binary in tests: the one bundled in the bytedeco FFmpeg presets
 * (same libraries as the code under test, always available) or the system's {@code ffmpeg}
 * (another FFmpeg version; tests using it skip when it is absent).
 */
final class FfmpegCli {
    private static volatile FfmpegCli bundled;
    private final String executable;

    private FfmpegCli(String executable) {
        this.executable = executable;
    }

    /** The presets' ffmpeg 8 binary, extracted by JavaCPP's loader. */
    static FfmpegCli bundled() {
        if (bundled == null) {
            synchronized (FfmpegCli.class) {
                if (bundled == null) {
                    bundled = new FfmpegCli(Loader.load(org.bytedeco.ffmpeg.ffmpeg.class));
                }
            }
        }
        return bundled;
    }

    /** {@code /usr/bin/ffmpeg}, or {@code ffmpeg} on the PATH, if installed. */
    static Optional<FfmpegCli> system() {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/ffmpeg")));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "ffmpeg"));
                }
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst()
                .map(p -> new FfmpegCli(p.toString()));
    }

    String executable() {
        return executable;
    }

    /** The first line of {@code ffmpeg -version}. */
    String version() {
        String out = new String(run(List.of("-hide_banner", "-version")).stdout, StandardCharsets.UTF_8);
        return out.lines().findFirst().orElse("?");
    }

    /** The result of one run. */
    record Result(int exitCode, byte[] stdout, String stderr) {}

    Result run(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable);
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t = new Thread(() -> copy(p.getErrorStream(), err));
            t.start();
            byte[] out = p.getInputStream().readAllBytes();
            int rc = p.waitFor();
            t.join();
            return new Result(rc, out, err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs and fails unless the exit code is 0. */
    Result check(List<String> args) {
        Result r = run(args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(executable + " " + args + " failed (" + r.exitCode() + "): " + r.stderr());
        }
        return r;
    }

    /** Writes a file from an {@code aevalsrc} expression (one expression per channel, '|'-separated). */
    void generate(String expression, int sampleRate, double seconds, Path out, String... codecArgs) {
        List<String> args = new ArrayList<>(List.of("-v", "error", "-y", "-f", "lavfi", "-i",
                "aevalsrc=" + expression + ":s=" + sampleRate + ":d=" + seconds));
        args.addAll(List.of(codecArgs));
        args.add(out.toString());
        check(args);
    }

    /** {@code ffmpeg -i file -ar rate -ac 1 [extra] -f f32le -} as floats. */
    float[] decodeMono(Path file, int rate, String... extra) {
        List<String> args = new ArrayList<>(List.of("-v", "error", "-i", file.toString(), "-ar",
                Integer.toString(rate), "-ac", "1"));
        args.addAll(List.of(extra));
        args.addAll(List.of("-f", "f32le", "-"));
        byte[] raw = check(args).stdout();
        float[] f = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended
        }
    }
}
