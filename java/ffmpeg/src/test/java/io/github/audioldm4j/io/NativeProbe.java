package io.github.audioldm4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.Pointer;

/**
 * Run in a separate JVM by {@link NativeMemoryTest} so that FFmpeg's native stderr and the
 * process's resident memory can be observed without the test runner's noise.
 *
 * <ul>
 *   <li>{@code log <file>...}: decodes each file leniently (FFmpeg logs errors while doing so) and
 *       prints nothing itself;
 *   <li>{@code leak <dir> <warmup> <iterations> <encodeEvery>}: decodes, probes and encodes the
 *       files {@link NativeMemoryTest} prepared, on success and on every error path, and prints
 *       {@code key=value} lines with VmRSS and JavaCPP's tracked native bytes.
 * </ul>
 */
public final class NativeProbe {
    private NativeProbe() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "log" -> {
                for (int i = 1; i < args.length; i++) {
                    try {
                        AudioDecoder.decode(Path.of(args[i]), DecodeOptions.of(16000).withStrict(false));
                    } catch (AudioIOException expected) {
                        // only FFmpeg's own output matters here
                    }
                }
            }
            case "leak" -> leak(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("mode must be log or leak, got " + args[0]);
        }
    }

    private static void leak(Path dir, int warmup, int iterations, int encodeEvery) throws IOException {
        List<Path> inputs = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(p -> !p.getFileName().toString().startsWith("out")).sorted().forEach(inputs::add);
        }
        inputs.add(dir.resolve("missing.wav"));
        Map<String, Integer> outcomes = new TreeMap<>();
        float[] signal = TestAudio.signal(16000, 0.05, 440, 1234, 1);

        for (int i = 0; i < warmup; i++) {
            round(dir, inputs, signal, outcomes, i % encodeEvery == 0);
        }
        System.gc();
        long rss0 = rssKb();
        long tracked0 = Pointer.totalBytes();
        long start = System.nanoTime();
        long rssMid = 0;
        outcomes.clear();
        maxTrackedIncrease = 0;
        maxTrackedCall = "none";
        StringBuilder trace = new StringBuilder();
        for (int i = 0; i < iterations; i++) {
            round(dir, inputs, signal, outcomes, i % encodeEvery == 0);
            if (i + 1 == iterations / 2) {
                rssMid = rssKb();
            }
            if ((i + 1) % 200 == 0) {
                trace.append(trace.length() == 0 ? "" : ",").append(rssKb());
            }
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        System.gc();
        System.out.println("files=" + inputs.size());
        System.out.println("outcomes=" + outcomes);
        System.out.println("rss_start_kb=" + rss0);
        System.out.println("rss_mid_kb=" + rssMid);
        System.out.println("rss_end_kb=" + rssKb());
        System.out.println("rss_every_200_rounds_kb=" + trace);
        System.out.println("tracked_start_bytes=" + tracked0);
        System.out.println("tracked_end_bytes=" + Pointer.totalBytes());
        System.out.println("tracked_max_increase_per_call_bytes=" + maxTrackedIncrease + " (" + maxTrackedCall + ")");
        System.out.println("elapsed_ms=" + elapsedMs);
    }

    private static void round(Path dir, List<Path> inputs, float[] signal, Map<String, Integer> outcomes, boolean encode) {
        for (Path p : inputs) {
            record(outcomes, "decode:" + p.getFileName(), () -> AudioDecoder.decode(p, 16000));
        }
        Path first = inputs.get(0);
        // stop early: the decoder and resampler are freed in mid-stream
        record(outcomes, "slice:" + first.getFileName(),
                () -> AudioDecoder.decode(first, DecodeOptions.of(22050).withOffset(0.1).withMaxDuration(0.05)));
        record(outcomes, "probe:" + first.getFileName(), () -> AudioDecoder.probe(first));
        // streaming decode in small reads, each inside a caller's PointerScope (the reader's
        // resampler must survive those scopes and still be freed by close)
        for (Path p : inputs.subList(0, Math.min(6, inputs.size()))) {
            record(outcomes, "stream:" + p.getFileName(), () -> {
                try (AudioReader r = AudioReader.open(p, DecodeOptions.of(16000))) {
                    float[] block = new float[997];
                    long n = 0;
                    while (true) {
                        int got;
                        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                            got = r.read(block, 0, block.length);
                        }
                        if (got < 0) {
                            return n;
                        }
                        n += got;
                    }
                }
            });
        }
        if (encode) {
            record(outcomes, "stream-encode:abandoned", () -> {
                try (AudioWriter w = AudioWriter.open(dir.resolve("abandoned.mp3"), 17000,
                        EncodeOptions.of(AudioFormat.MP3))) {
                    w.write(signal, 0, signal.length / 2);
                    return null; // closed without finish: the partial file is deleted
                }
            });
            for (AudioFormat f : AudioFormat.values()) {
                // 17 kHz forces the resampler for MP3 and Opus
                record(outcomes, "encode:" + f, () -> AudioEncoder.encode(signal, 17000, dir.resolve("out-" + f), f));
            }
            record(outcomes, "encode:bad-dir",
                    () -> AudioEncoder.encode(signal, 16000, dir.resolve("no-such-dir/x.wav"), AudioFormat.WAV_PCM16));
        }
    }

    private interface Call {
        Object run() throws AudioIOException;
    }

    /** The largest increase of JavaCPP's tracked native bytes across one call, and which call. */
    private static long maxTrackedIncrease;
    private static String maxTrackedCall = "none";

    private static void record(Map<String, Integer> outcomes, String what, Call call) {
        String result;
        long before = Pointer.totalBytes();
        try {
            call.run();
            result = "ok";
        } catch (AudioIOException e) {
            result = e.reason().name();
        }
        // JavaCPP counts every allocation it makes until it is released; a call that releases all
        // of them (PointerScope, explicit close) leaves the count where it was. Pointer GC may
        // only lower it (by releasing older garbage), never raise it.
        long increase = Pointer.totalBytes() - before;
        if (increase > maxTrackedIncrease) {
            maxTrackedIncrease = increase;
            maxTrackedCall = what;
        }
        outcomes.merge(what + "=" + result, 1, Integer::sum);
    }

    /** The process's resident set size from /proc/self/status, in KiB. */
    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
