package io.github.audioldm4j.examples.bench;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.corpus.CorpusInput;
import io.github.audioldm4j.corpus.CorpusJob;
import io.github.audioldm4j.corpus.CorpusSpec;
import io.github.audioldm4j.io.AudioEncoder;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.spark.ExecutorSettings;
import io.github.audioldm4j.spark.SparkCorpus;
import io.github.audioldm4j.spark.SparkCorpusJob;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Corpus throughput of the local runner against the Spark job in {@code local[N]} masters, on one
 * generated corpus, in one process, rounds alternating between the modes so that all see the same
 * machine load; plus the fixed costs: a Spark session start and stop, a Spark job over an output
 * that is already complete (session + Parquet read of the done keys + the driver's reduce and
 * report, no clip work) against the same rerun of the local runner, and one model load.
 *
 * <p>Models are warm in every timed run: the local runner gets a pipeline opened once for the
 * process, and the Spark executors of this JVM keep theirs between jobs (one load per executor
 * JVM, as on a cluster); the one cold load is timed on its own.
 *
 * <pre>
 * java -cp "DIST/lib/*:DIST/lib/spark/*" $(cat DIST/conf/spark-jvm-options) \
 *   -Dlog4j2.configurationFile=DIST/conf/log4j2-spark.properties \
 *   io.github.audioldm4j.examples.bench.SparkBench [--bundle DIR] [--clips 48] [--seconds 2]
 *   [--stages resample-16k,vae] [--steps 4] [--rounds 3] [--modes local,local[1],local[2]] [--threads 1]
 *   [--work DIR]
 * </pre>
 */
public final class SparkBench {
    static final String USAGE = "Usage: SparkBench [options]\n"
            + "Corpus clips/s: local runner vs Spark local[N], alternating rounds in one process, plus fixed costs.\n"
            + "  --bundle DIR     model bundle (default torchscript-models/tiny-bundle)\n"
            + "  --clips N        generated clips (default 48)\n"
            + "  --seconds S      clip length (default 2.0)\n"
            + "  --stages S,S     corpus stages (default resample-16k,vae)\n"
            + "  --steps N        schedule length of diffusion stages (default 4)\n"
            + "  --rounds N       alternating rounds (default 3)\n"
            + "  --modes M,M      local and/or Spark masters (default local,local[1],local[2])\n"
            + "  --threads N      libtorch threads (default 1)\n"
            + "  --work DIR       scratch folder (default a temporary one)\n"
            + "  --help           this text\n";

    private SparkBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help")) {
                System.out.print(USAGE);
                return;
            }
            if (!List.of("--bundle", "--clips", "--seconds", "--stages", "--steps", "--rounds", "--modes",
                    "--threads", "--work").contains(a)) {
                fail("unknown option \"" + a + "\"");
            }
            if (i + 1 >= args.length) {
                fail("option " + a + " needs a value");
            }
            o.put(a, args[++i]);
        }
        Path bundleDir = Path.of(o.getOrDefault("--bundle", "torchscript-models/tiny-bundle"));
        int clips = whole("--clips", o.getOrDefault("--clips", "48"), 1);
        double seconds = number("--seconds", o.getOrDefault("--seconds", "2.0"), 0.25, 60);
        List<String> stages = Arrays.asList(o.getOrDefault("--stages", "resample-16k,vae").split(","));
        int steps = whole("--steps", o.getOrDefault("--steps", "4"), 1);
        int rounds = whole("--rounds", o.getOrDefault("--rounds", "3"), 1);
        List<String> modes = Arrays.asList(o.getOrDefault("--modes", "local,local[1],local[2]").split(","));
        for (String m : modes) {
            if (!m.equals("local") && !m.matches("local\\[[1-9][0-9]*]")) {
                fail("option --modes must be local or local[N], got \"" + m + "\"");
            }
        }
        int threads = whole("--threads", o.getOrDefault("--threads", "1"), 1);
        if (!Files.isRegularFile(bundleDir.resolve(ModelBundle.MANIFEST))) {
            fail("option --bundle must be a bundle folder with " + ModelBundle.MANIFEST + ", got " + bundleDir);
        }
        System.setProperty("audioldm4j.threads", Integer.toString(threads));
        Path work = o.containsKey("--work") ? Files.createDirectories(Path.of(o.get("--work")))
                : Files.createTempDirectory("spark-bench");

        List<CorpusInput.Clip> corpus = makeCorpus(work.resolve("clips"), clips, seconds);
        CorpusSpec spec = new CorpusSpec(stages, "", steps, 3.5, 0.3, 4000, 0, 10.24, 0.25, 3);
        ModelBundle bundle = ModelBundle.open(bundleDir);
        ModuleOptions options = ModuleOptions.CPU_FP32;
        ExecutorSettings executors = ExecutorSettings.of(bundle.dir(), null, ModelRuntimes.DEFAULT, options);

        long t = System.nanoTime();
        ModelRuntime rt = ModelRuntimes.create(ModelRuntimes.DEFAULT);
        AudioLdm2Pipeline pipeline = AudioLdm2Pipeline.open(bundle, rt, options);
        double loadSeconds = (System.nanoTime() - t) / 1e9;

        System.out.printf(Locale.ROOT, "corpus: %d clips of %.2f s, stages %s, %d steps, %d libtorch thread(s), "
                + "%d cores%n", clips, seconds, stages, steps, threads, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "model load (cold, once): %.2f s%n", loadSeconds);

        // warm-up: one run of each mode (JIT, libtorch first-call work, Spark classes, executor models)
        Map<String, List<Double>> times = new LinkedHashMap<>();
        int run = 0;
        for (String m : modes) {
            double s = once(m, spec, corpus, work.resolve("warm-" + run++), bundle, executors, pipeline);
            System.out.printf(Locale.ROOT, "warm-up %-9s %.2f s%n", m, s);
            times.put(m, new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < modes.size(); k++) {
                String m = modes.get((k + r) % modes.size()); // rotate the order every round
                double s = once(m, spec, corpus, work.resolve("run-" + run++), bundle, executors, pipeline);
                times.get(m).add(s);
                System.out.printf(Locale.ROOT, "round %d %-9s %.2f s%n", r + 1, m, s);
            }
        }

        // fixed costs
        List<Double> session = new ArrayList<>();
        List<Double> sparkRerun = new ArrayList<>();
        List<Double> localRerun = new ArrayList<>();
        Path done = work.resolve("done");
        once("local[1]", spec, corpus, done, bundle, executors, pipeline);
        for (int r = 0; r < rounds; r++) {
            t = System.nanoTime();
            SparkSession s = SparkSession.builder().appName("bench").master("local[1]")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
            s.stop();
            session.add((System.nanoTime() - t) / 1e9);
            sparkRerun.add(once("local[1]", spec, corpus, done, bundle, executors, pipeline));
            localRerun.add(once("local", spec, corpus, done, bundle, executors, pipeline));
        }
        pipeline.close();
        rt.close();

        double base = median(times.getOrDefault("local", times.values().iterator().next()));
        System.out.println();
        System.out.println("| run | median s (rounds) | clips/s | ratio to the local runner |");
        System.out.println("|---|---|---|---|");
        for (Map.Entry<String, List<Double>> e : times.entrySet()) {
            double med = median(e.getValue());
            System.out.printf(Locale.ROOT, "| %s | %.2f (%s) | %.2f | %.2f |%n",
                    e.getKey().equals("local") ? "local runner" : "Spark " + e.getKey(), med, list(e.getValue()),
                    clips / med, clips / med / (clips / base));
        }
        System.out.printf(Locale.ROOT, "| Spark session start + stop, local[1] | %.2f (%s) | | |%n", median(session),
                list(session));
        System.out.printf(Locale.ROOT, "| rerun over complete output, Spark local[1] | %.2f (%s) | | |%n",
                median(sparkRerun), list(sparkRerun));
        System.out.printf(Locale.ROOT, "| rerun over complete output, local runner | %.2f (%s) | | |%n",
                median(localRerun), list(localRerun));
        System.out.printf(Locale.ROOT, "| model load (cold) | %.2f | | |%n", loadSeconds);
        if (!o.containsKey("--work")) {
            deleteTree(work);
        }
    }

    private static double once(String mode, CorpusSpec spec, List<CorpusInput.Clip> corpus, Path out,
            ModelBundle bundle, ExecutorSettings executors, AudioLdm2Pipeline pipeline) throws IOException {
        long t = System.nanoTime();
        if (mode.equals("local")) {
            CorpusJob.Outcome r = new CorpusJob(spec, out, bundle, () -> pipeline).run(corpus,
                    ProgressListener.NONE, CorpusJob.Listener.NONE, CancellationToken.none());
            check(r.failedClips(), mode);
        } else {
            SparkCorpusJob.Outcome r = SparkCorpus.run(mode, Map.of(), spec, corpus, out, bundle, executors,
                    CorpusJob.Listener.NONE, 256);
            check(r.failedClips(), mode);
        }
        return (System.nanoTime() - t) / 1e9;
    }

    private static void check(int failed, String mode) {
        if (failed != 0) {
            throw new IllegalStateException(mode + ": " + failed + " clip(s) failed; a benchmark needs all to pass");
        }
    }

    /** Tones, chirps and noise at 16, 22.05, 44.1 and 48 kHz, deterministic. */
    static List<CorpusInput.Clip> makeCorpus(Path dir, int n, double seconds) throws IOException {
        Files.createDirectories(dir);
        int[] rates = {16000, 22050, 44100, 48000};
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            int rate = rates[i % rates.length];
            float[] x = new float[(int) Math.round(rate * seconds)];
            double f0 = 120 + 37 * i;
            for (int k = 0; k < x.length; k++) {
                double tt = k / (double) rate;
                x[k] = (float) switch (i % 3) {
                    case 0 -> 0.4 * Math.sin(2 * Math.PI * f0 * tt);
                    case 1 -> 0.3 * Math.sin(2 * Math.PI * (f0 + 1500 * tt) * tt);
                    default -> 0.2 * (rnd.nextDouble() * 2 - 1);
                };
            }
            AudioEncoder.encode(x, rate, dir.resolve(String.format(Locale.ROOT, "clip-%03d.wav", i)));
        }
        return CorpusInput.read(dir);
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String list(List<Double> xs) {
        return String.join(", ", xs.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
    }

    private static int whole(String option, String v, int min) {
        try {
            int n = Integer.parseInt(v);
            if (n < min) {
                fail("option " + option + " must be >= " + min + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            fail("option " + option + " must be a whole number, got \"" + v + "\"");
            return 0;
        }
    }

    private static double number(String option, String v, double min, double max) {
        try {
            double d = Double.parseDouble(v);
            if (!(d >= min && d <= max)) {
                fail("option " + option + " must be in [" + min + ", " + max + "], got " + v);
            }
            return d;
        } catch (NumberFormatException e) {
            fail("option " + option + " must be a number, got \"" + v + "\"");
            return 0;
        }
    }

    private static void fail(String message) {
        System.err.println("SparkBench: " + message);
        System.err.print(USAGE);
        System.exit(2);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
