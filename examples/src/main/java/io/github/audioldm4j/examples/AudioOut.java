package io.github.audioldm4j.examples;

import io.github.audioldm4j.io.AudioEncoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Writes one result file and reports it as text or as the command's JSON object. */
final class AudioOut {
    private AudioOut() {}

    static void write(String command, String mode, Path input, float[] result, int sampleRate, Path out,
            double inputSeconds, double elapsed, OutputOptions output, PrintStream stdout, String detail)
            throws IOException {
        write(command, mode, input, result, sampleRate, out, inputSeconds, elapsed, output, stdout, detail, null);
    }

    /** {@link #write} with the files of {@code --npy-out} (null: none) reported as {@code npy_files}. */
    static void write(String command, String mode, Path input, float[] result, int sampleRate, Path out,
            double inputSeconds, double elapsed, OutputOptions output, PrintStream stdout, String detail,
            java.util.List<String> npyFiles) throws IOException {
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        AudioEncoder.encode(result, sampleRate, out);
        if (output.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("command", command);
            j.put("mode", mode);
            j.put("input", input.toAbsolutePath().toString());
            j.put("input_seconds", inputSeconds);
            j.put("output", out.toAbsolutePath().toString());
            j.put("sample_rate", sampleRate);
            j.put("elapsed_seconds", elapsed);
            if (npyFiles != null) {
                j.put("npy_files", npyFiles);
            }
            JsonOut.print(stdout, j);
        } else {
            stdout.printf(Locale.ROOT, "%s of %s (%.2f s%s) in %.1f s%nwrote %s%n", mode, input, inputSeconds, detail,
                    elapsed, out.toAbsolutePath());
            if (npyFiles != null) {
                npyFiles.forEach(f -> stdout.println("wrote " + f));
            }
        }
    }
}
