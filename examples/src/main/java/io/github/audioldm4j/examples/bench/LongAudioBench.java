package io.github.audioldm4j.examples.bench;

import io.github.audioldm4j.analysis.SeamMeter;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.io.AudioDecoder;
import io.github.audioldm4j.io.AudioFormat;
import io.github.audioldm4j.io.AudioReader;
import io.github.audioldm4j.io.AudioWriter;
import io.github.audioldm4j.io.DecodeOptions;
import io.github.audioldm4j.io.EncodeOptions;
import io.github.audioldm4j.io.SampleInput;
import io.github.audioldm4j.io.SampleSource;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.AudioToAudioRequest;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.LatentSampling;
import io.github.audioldm4j.pipeline.LongAudio;
import io.github.audioldm4j.pipeline.WindowPlan;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Peak resident memory and time against input length for the chunked VAE round trip and chunked
 * SDEdit (file in, file out: streaming decode, windows, streaming encode), each run in its own
 * child JVM so that its peak (VmHWM) is its own (chunked runs with a fixed pre-touched 256 MiB heap,
 * so growth can only be native memory or a leak); rounds alternate over the lengths. Baseline in
 * the same run: the whole-file decode of the same inputs (what the pipeline did before: the
 * whole file as one float array). Each chunked run also measures its seams against the input
 * ({@link SeamMeter}, streaming). An overlap sweep on the shortest input gives the seam numbers
 * and cost behind the default overlap.
 *
 * <pre>
 * mvn -q -B -pl java,examples -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
 * java -cp examples/target/classes:$(cat examples/target/bench.classpath) \
 *     io.github.audioldm4j.examples.bench.LongAudioBench --minutes 1,10,60 --rounds 2
 * </pre>
 */
public final class LongAudioBench {
    private LongAudioBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args);
            return;
        }
        Map<String, String> o = options(args);
        Path bundle = Path.of(o.getOrDefault("--bundle", "torchscript-models/tiny-bundle"));
        Path work = Path.of(o.getOrDefault("--work", "target/long-audio-bench"));
        int rounds = Integer.parseInt(o.getOrDefault("--rounds", "2"));
        int steps = Integer.parseInt(o.getOrDefault("--steps", "10"));
        String threads = o.getOrDefault("--threads", "1");
        List<Double> minutes = new ArrayList<>();
        for (String m : o.getOrDefault("--minutes", "1,10,60").split(",")) {
            minutes.add(Double.parseDouble(m));
        }
        Files.createDirectories(work);
        Map<Double, Path> inputs = new LinkedHashMap<>();
        for (double m : minutes) {
            Path p = work.resolve(String.format(Locale.ROOT, "input-%.0fmin.flac", m));
            if (!Files.exists(p)) {
                generate(p, m * 60);
            }
            inputs.put(m, p);
        }
        List<String> modes = List.of("decode-whole", "vae", "sdedit");
        Map<String, List<String>> results = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (double m : minutes) {
                for (String mode : modes) {
                    String line = runChild(bundle, inputs.get(m), work, mode, steps, threads, "2.56");
                    results.computeIfAbsent(mode + " " + m, k -> new ArrayList<>()).add(line);
                    System.out.printf(Locale.ROOT, "round %d  %5.0f min  %-12s %s%n", r + 1, m, mode, line);
                }
            }
        }
        // overlap sweep on the shortest input (one round)
        double shortest = minutes.get(0);
        for (String overlap : List.of("0.64", "1.28", "2.56", "5.12")) {
            for (String mode : List.of("vae", "sdedit")) {
                String line = runChild(bundle, inputs.get(shortest), work, mode, steps, threads, overlap, "unchunked");
                System.out.printf(Locale.ROOT, "overlap %s s  %5.0f min  %-6s %s%n", overlap, shortest, mode, line);
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        return o;
    }

    /** A synthetic input: a slow chirp, a tone, speech-like bursts of noise; FLAC 16 kHz. */
    static void generate(Path file, double seconds) throws IOException {
        long n = Math.round(seconds * 16000);
        java.util.Random rnd = new java.util.Random(42);
        try (AudioWriter w = AudioWriter.open(file, 16000, EncodeOptions.of(AudioFormat.FLAC_16))) {
            float[] block = new float[16000];
            double phase = 0;
            for (long done = 0; done < n; done += block.length) {
                int m = (int) Math.min(block.length, n - done);
                for (int i = 0; i < m; i++) {
                    double t = (done + i) / 16000.0;
                    phase += 2 * Math.PI * (250 + 200 * Math.sin(2 * Math.PI * t / 37.0)) / 16000.0;
                    double burst = Math.sin(2 * Math.PI * t / 1.7) > 0.3 ? 0.08 * rnd.nextGaussian() : 0;
                    block[i] = (float) (0.3 * Math.sin(phase) + 0.1 * Math.sin(2 * Math.PI * 2500 * t) + burst);
                }
                w.write(block, 0, m);
            }
            w.finish();
        }
    }

    private static String runChild(Path bundle, Path input, Path work, String mode, int steps, String threads,
            String overlap) throws IOException, InterruptedException {
        return runChild(bundle, input, work, mode, steps, threads, overlap, "input");
    }

    private static String runChild(Path bundle, Path input, Path work, String mode, int steps, String threads,
            String overlap, String against) throws IOException, InterruptedException {
        // chunked runs: a fixed, pre-touched heap, so the peak RSS is the heap plus native memory and any
        // growth with the input's length is real; the whole-file decode baseline needs a heap for the file
        List<String> heap = mode.equals("decode-whole") ? List.of("-Xmx3g")
                : List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(heap);
        cmd.addAll(List.of("-Daudioldm4j.threads=" + threads, "-cp", System.getProperty("java.class.path"),
                LongAudioBench.class.getName(), "--child", bundle.toString(), input.toString(),
                work.resolve("out-" + mode + ".flac").toString(), mode, Integer.toString(steps), overlap, against));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        if (rc != 0) {
            throw new IllegalStateException("child " + mode + " on " + input + " failed (" + rc + "):\n" + out);
        }
        return last;
    }

    /** One run in this JVM: prints elapsed seconds, peak RSS and (chunked) the seam report. */
    private static void child(String[] a) throws Exception {
        Path bundle = Path.of(a[1]);
        Path input = Path.of(a[2]);
        Path out = Path.of(a[3]);
        String mode = a[4];
        int steps = Integer.parseInt(a[5]);
        double overlap = Double.parseDouble(a[6]);
        long t0 = System.nanoTime();
        if (mode.equals("decode-whole")) {
            float[] x = AudioDecoder.decode(input, 16000).samples();
            System.out.printf(Locale.ROOT, "elapsed_s=%.2f peak_rss_mb=%.0f audio_s=%.0f%n", (System.nanoTime() - t0) / 1e9,
                    peakRssMb(), x.length / 16000.0);
            return;
        }
        try (ModelRuntime runtime = ModelRuntimes.createDefault();
                AudioLdm2Pipeline p = AudioLdm2Pipeline.open(ModelBundle.open(bundle), runtime, ModuleOptions.CPU_FP32)) {
            WindowPlan plan = WindowPlan.seconds(WindowPlan.DEFAULT_WINDOW_SECONDS, overlap,
                    p.models().bundle().manifest());
            LongAudio la = new LongAudio(p, plan);
            SampleInput in = AudioReader.input(input, DecodeOptions.of(16000));
            double rssAfterLoad = peakRssMb();
            SampleSource result = mode.equals("vae")
                    ? la.vaeRoundTrip(in, LatentSampling.MODE, true, 0, LongAudio.Progress.NONE)
                    : la.refine(in, AudioToAudioRequest.builder().prompt("a siren and a hum").numInferenceSteps(steps)
                            .strength(0.5).seed(1).build(), LongAudio.Progress.NONE, CancellationToken.none());
            long tWork = System.nanoTime();
            SeamMeter meter = new SeamMeter(16000, plan.nearSeam(1024));
            // the reference: the unchunked result where the input fits the whole-clip path (<= 60 s), else the input
            SampleInput reference = in;
            String against = "input";
            if (a.length > 7 && a[7].equals("unchunked") && AudioDecoder.probe(input).durationSeconds() <= 60.0) {
                float[] x = AudioDecoder.decode(input, 16000).samples();
                float[] whole = mode.equals("vae") ? p.vaeRoundTrip(x, LatentSampling.MODE, true, 0)
                        : p.refine(x, AudioToAudioRequest.builder().prompt("a siren and a hum").numInferenceSteps(steps)
                                .strength(0.5).seed(1).build());
                reference = SampleInput.of(whole, 16000);
                against = "unchunked";
            }
            long samples = 0;
            try (result; SampleSource ref = reference.open(); AudioWriter w = AudioWriter.open(out, 16000)) {
                float[] y = new float[1 << 16];
                float[] x = new float[1 << 16];
                for (int n; (n = result.read(y, 0, y.length)) >= 0; ) {
                    int got = 0;
                    while (got < n) {
                        int k = ref.read(x, got, n - got);
                        if (k < 0) {
                            throw new IllegalStateException("the output is longer than the input");
                        }
                        got += k;
                    }
                    meter.accept(x, y, 0, n);
                    w.write(y, 0, n);
                    samples += n;
                }
                w.finish();
            }
            SeamMeter.Report r = meter.report();
            System.out.printf(Locale.ROOT, "elapsed_s=%.2f work_s=%.2f peak_rss_mb=%.0f rss_after_load_mb=%.0f audio_s=%.0f "
                    + "windows=%d vs=" + against + " lsd_seams=%.4f lsd_elsewhere=%.4f band_excess_db=%.3f rms_diff_seams=%.3g "
                    + "rms_diff_elsewhere=%.3g%n", (System.nanoTime() - t0) / 1e9, (System.nanoTime() - tWork) / 1e9,
                    peakRssMb(), rssAfterLoad, samples / 16000.0, plan.windowsFor(samples), r.lsdNearSeams(),
                    r.lsdElsewhere(), r.maxBandLevelExcessDb(), r.rmsDifferenceNearSeams(), r.rmsDifferenceElsewhere());
        }
    }

    /** VmHWM (peak resident set) of this process in MiB. */
    static double peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
