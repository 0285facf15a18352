package io.github.audioldm4j.corpus;

import io.github.audioldm4j.io.AudioEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A test corpus made on the spot: tones, chirps and noise at several rates and formats (Java),
 * speech from espeak-ng and a sox tone where those tools are installed, one corrupt file and one
 * clip too short for the job, with a JSONL manifest carrying captions.
 */
public final class TestCorpus {
    private TestCorpus() {}

    /** Writes {@code count} clips (plus the broken ones) under {@code dir}; returns the manifest. */
    public static Path make(Path dir, int count) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int[] rates = {16000, 22050, 44100, 48000};
        String[] ext = {"wav", "flac", "mp3", "ogg"};
        String[] words = {"a tone", "a chirp", "noise", "a dog barking", "rain"};
        List<String> lines = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(11);
        int made = 0;
        if (tool("/usr/bin/espeak-ng")) {
            Path wav = dir.resolve("speech-0.wav");
            run("/usr/bin/espeak-ng", "-w", wav.toString(), "the quick brown fox jumps over the lazy dog");
            lines.add(line("speech-0.wav", "speech-0", "a man speaking"));
            made++;
        }
        if (tool("/usr/bin/sox")) {
            Path wav = dir.resolve("sox-tone.flac");
            run("/usr/bin/sox", "-n", "-r", "32000", wav.toString(), "synth", "1.2", "sine", "300-2000", "vol", "0.5");
            lines.add(line("sox-tone.flac", "sox-tone", "a rising tone"));
            made++;
        }
        for (int i = 0; made < count; i++, made++) {
            int rate = rates[i % rates.length];
            double seconds = 0.5 + 0.25 * (i % 5);
            float[] x = new float[(int) (rate * seconds)];
            double f0 = 150 + 40 * i;
            for (int k = 0; k < x.length; k++) {
                double t = k / (double) rate;
                double v = switch (i % 3) {
                    case 0 -> 0.4 * Math.sin(2 * Math.PI * f0 * t) + 0.1 * Math.sin(2 * Math.PI * 3 * f0 * t);
                    case 1 -> 0.3 * Math.sin(2 * Math.PI * (f0 + 2000 * t) * t);
                    default -> 0.2 * (rnd.nextDouble() * 2 - 1);
                };
                x[k] = (float) v;
            }
            String name = String.format("clip-%02d.%s", i, ext[i % ext.length]);
            AudioEncoder.encode(x, rate, dir.resolve(name));
            lines.add(line(name, String.format("clip-%02d", i), i % 2 == 0 ? words[i % words.length] : null));
        }
        Files.writeString(dir.resolve("corrupt.wav"), "RIFF....WAVEjunk that is not audio");
        lines.add(line("corrupt.wav", "corrupt", null));
        AudioEncoder.encode(new float[1600], 16000, dir.resolve("short.wav")); // 0.1 s
        lines.add(line("short.wav", "short", null));
        Path manifest = dir.resolve("manifest.jsonl");
        Files.writeString(manifest, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return manifest;
    }

    private static String line(String path, String id, String caption) {
        return "{\"path\": \"" + path + "\", \"id\": \"" + id + "\"" + (caption == null ? "" : ", \"caption\": \""
                + caption + "\"") + "}";
    }

    private static boolean tool(String p) {
        return Files.isExecutable(Path.of(p));
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed");
        }
    }
}
