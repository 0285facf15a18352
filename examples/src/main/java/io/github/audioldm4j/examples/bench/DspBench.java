package io.github.audioldm4j.examples.bench;

import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.GriffinLimVocoder;
import io.github.audioldm4j.dsp.Spectrogram;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Log-mel throughput benchmark: {@link AudioLdm2MelExtractor#logMel} (warmed up) against PyTorch's
 * {@code torch.stft} + mel matmul + log on the same machine, reported in seconds of audio per second of wall time
 * and as a ratio Java / torch.
 *
 * <p>The torch side is {@code torchscript-models/bench/logmel_torch_bench.py}, run through {@code ProcessBuilder}
 * with {@code --python} (default {@code /usr/bin/python3}). Measurement rounds alternate between Java and torch so
 * that both see the same machine load; the medians are compared. If Python or torch is missing, pass a previously
 * measured torch number with {@code --torch-throughput}.
 *
 * <pre>
 * java ... DspBench [--seconds 10.24] [--rounds 5] [--min-time 2.0] [--parallelism 1,2]
 *                   [--torch-threads 1,2] [--python /usr/bin/python3]
 *                   [--script torchscript-models/bench/logmel_torch_bench.py] [--torch-throughput X]
 *                   [--griffin-lim]   (also time the Griffin-Lim vocoder once, informational)
 * </pre>
 */
public final class DspBench {
    static final String USAGE = "Usage: DspBench [options]\n"
            + "Log-mel throughput (seconds of audio per second) of the Java front end vs torch.stft on /usr/bin/python3.\n"
            + "  --seconds S           signal length per call (default 10.24)\n"
            + "  --rounds N            alternating Java/torch rounds (default 5)\n"
            + "  --min-time S          minimum seconds per round (default 2.0)\n"
            + "  --parallelism 1,2     Java thread counts to measure\n"
            + "  --torch-threads 1,2   torch thread counts to measure\n"
            + "  --python PATH         Python with torch (default /usr/bin/python3)\n"
            + "  --script PATH         torch baseline script (default torchscript-models/bench/logmel_torch_bench.py)\n"
            + "  --torch-throughput X  use a previously measured torch throughput instead of running Python\n"
            + "  --griffin-lim         also time the Griffin-Lim vocoder once (informational)\n"
            + "  --help                this text\n";

    private DspBench() {}

    private static double number(String option, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + option + " must be a number, got \"" + value + "\"");
        }
    }

    private static long whole(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + option + " must be an integer, got \"" + value + "\"");
        }
    }

    /** Entry point; see the class documentation for the options. */
    public static void main(String[] args) throws Exception {
        double seconds = 10.24;
        int rounds = 5;
        double minTime = 2.0;
        int[] parallelisms = {1, 2};
        int[] torchThreads = {1, 2};
        String python = "/usr/bin/python3";
        String script = "torchscript-models/bench/logmel_torch_bench.py";
        Double torchGiven = null;
        boolean griffinLim = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (v == null && !a.equals("--griffin-lim") && !a.equals("--help")) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                switch (a) {
                    case "--help" -> {
                        System.out.print(USAGE);
                        return;
                    }
                    case "--seconds" -> { seconds = number(a, v); i++; }
                    case "--rounds" -> { rounds = (int) whole(a, v); i++; }
                    case "--min-time" -> { minTime = number(a, v); i++; }
                    case "--parallelism" -> { parallelisms = ints(a, v); i++; }
                    case "--torch-threads" -> { torchThreads = ints(a, v); i++; }
                    case "--python" -> { python = v; i++; }
                    case "--script" -> { script = v; i++; }
                    case "--torch-throughput" -> { torchGiven = number(a, v); i++; }
                    case "--griffin-lim" -> griffinLim = true;
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (!(seconds > 0.1) || rounds < 1 || !(minTime > 0)) {
                throw new IllegalArgumentException("--seconds must be > 0.1, --rounds >= 1 and --min-time > 0, got "
                        + seconds + ", " + rounds + ", " + minTime);
            }
        } catch (IllegalArgumentException e) { // includes NumberFormatException
            System.err.println("error: " + e.getMessage());
            System.err.println();
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        int n = (int) Math.round(seconds * AudioLdm2MelExtractor.SAMPLE_RATE);
        float[] x = new float[n];
        SplittableRandom rnd = new SplittableRandom(0);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() - 0.5);
        }
        boolean runTorch = torchGiven == null && new File(python).canExecute() && new File(script).isFile();
        System.out.printf(Locale.ROOT, "machine: %d available processors, %s %s, Java %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "signal: %.2f s at 16 kHz (%d samples, %d frames); %d rounds of >= %.1f s%n",
                seconds, n, 1 + n / 160, rounds, minTime);

        AudioLdm2MelExtractor[] extractors = new AudioLdm2MelExtractor[parallelisms.length];
        for (int p = 0; p < parallelisms.length; p++) {
            extractors[p] = new AudioLdm2MelExtractor(parallelisms[p]);
            warmUp(extractors[p], x, 3.0);
        }
        double[][] java = new double[parallelisms.length][rounds];
        double[][] torch = new double[torchThreads.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int p = 0; p < parallelisms.length; p++) {
                java[p][r] = measure(extractors[p], x, seconds, minTime);
            }
            if (runTorch) {
                for (int t = 0; t < torchThreads.length; t++) {
                    torch[t][r] = runTorch(python, script, seconds, minTime, torchThreads[t]);
                }
            }
        }
        System.out.println();
        System.out.println("| implementation | threads | median audio-s/s | rounds |");
        System.out.println("|---|---|---|---|");
        double bestJava = 0;
        double javaSingle = 0;
        for (int p = 0; p < parallelisms.length; p++) {
            double m = median(java[p]);
            bestJava = Math.max(bestJava, m);
            if (parallelisms[p] == 1) {
                javaSingle = m;
            }
            System.out.printf(Locale.ROOT, "| Java AudioLdm2MelExtractor | %d | %.1f | %s |%n", parallelisms[p], m,
                    fmt(java[p]));
        }
        double bestTorch = 0;
        double torchSingle = 0;
        if (runTorch) {
            for (int t = 0; t < torchThreads.length; t++) {
                double m = median(torch[t]);
                bestTorch = Math.max(bestTorch, m);
                if (torchThreads[t] == 1) {
                    torchSingle = m;
                }
                System.out.printf(Locale.ROOT, "| torch.stft + matmul + log | %d | %.1f | %s |%n", torchThreads[t], m,
                        fmt(torch[t]));
            }
        } else if (torchGiven != null) {
            bestTorch = torchGiven;
            System.out.printf(Locale.ROOT, "| torch (given with --torch-throughput) | ? | %.1f | - |%n", torchGiven);
        } else {
            System.out.println("torch baseline skipped: " + python + " or " + script
                    + " not found; pass --torch-throughput");
        }
        System.out.println();
        if (bestTorch > 0) {
            System.out.printf(Locale.ROOT, "ratio best Java / best torch: %.2fx%n", bestJava / bestTorch);
        }
        if (javaSingle > 0 && torchSingle > 0) {
            System.out.printf(Locale.ROOT, "ratio 1-thread Java / 1-thread torch: %.2fx%n", javaSingle / torchSingle);
        }
        if (griffinLim) {
            // informational: the model-free vocoder on the same signal's log-mel (no torch counterpart here)
            Spectrogram logMel = extractors[extractors.length - 1].logMel(x);
            GriffinLimVocoder vocoder = GriffinLimVocoder.audioLdm2().build();
            vocoder.vocode(logMel);
            long t0 = System.nanoTime();
            vocoder.vocode(logMel);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "GriffinLimVocoder (60 iterations, 200 NNLS steps) on %.2f s: %.2f s "
                    + "(%.1f audio-s/s)%n", seconds, s, seconds / s);
        }
    }

    private static void warmUp(AudioLdm2MelExtractor e, float[] x, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        float sink = 0;
        while (System.nanoTime() < end) {
            sink += e.logMel(x).get(0, 0);
        }
        if (sink == 42f) {
            System.out.print("");
        }
    }

    private static double measure(AudioLdm2MelExtractor e, float[] x, double seconds, double minTime) {
        long start = System.nanoTime();
        int calls = 0;
        float sink = 0;
        double elapsed;
        do {
            Spectrogram s = e.logMel(x);
            sink += s.get(s.numFrames() - 1, 63);
            calls++;
            elapsed = (System.nanoTime() - start) / 1e9;
        } while (elapsed < minTime);
        if (sink == 42f) {
            System.out.print("");
        }
        return calls * seconds / elapsed;
    }

    private static double runTorch(String python, String script, double seconds, double minTime, int threads)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, script, "--seconds", Double.toString(seconds),
                "--min-time", Double.toString(minTime), "--rounds", "1", "--threads", Integer.toString(threads)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        double value = -1;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
                if (line.startsWith("TORCH_LOGMEL_THROUGHPUT ")) {
                    value = Double.parseDouble(line.split("\\s+")[1]);
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0 || value < 0) {
            throw new IllegalStateException("torch benchmark failed: " + String.join(" ", cmd) + "\n" + all);
        }
        return value;
    }

    private static int[] ints(String option, String csv) {
        String[] parts = csv.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (int) whole(option, parts[i].trim());
            if (out[i] < 1) {
                throw new IllegalArgumentException("option " + option + " values must be >= 1, got " + out[i]);
            }
        }
        return out;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", d));
        }
        return sb.toString();
    }
}
