package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.corpus.CorpusInput;
import io.github.audioldm4j.corpus.CorpusJob;
import io.github.audioldm4j.corpus.CorpusReport;
import io.github.audioldm4j.corpus.CorpusSpec;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.study.ReconstructionStudy;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code audioldm4j corpus}: the study (and text-to-audio) over a whole dataset, resumable. */
@Command(name = "corpus", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the reconstruction study (and text-to-audio from captions) over a folder or a manifest "
                + "(CSV/JSONL: path, id, caption): per-clip metrics and CLAP scores, FAD/KAD and bootstrap CIs per "
                + "stage, summary.json and report.html.",
            "Resumable: results are keyed by content, stage and settings; a rerun does no model work, an interrupted "
                + "run continues where it stopped."})
public final class Corpus extends ModelCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "DIR|FILE", description = "folder (recursive) or manifest")
    Path input;
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "corpus-report", description = "output folder")
    Path outDir;
    @Option(names = "--bundle", paramLabel = "DIR", description = "model bundle; without it only model-free stages run")
    Path bundleDir;
    @Option(names = "--stages", paramLabel = "S[,S...]", split = ",", description = "stages (default: every study "
            + "stage); add 'generate' for text-to-audio from the captions")
    List<String> stages;
    @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "schedule length")
    int steps;
    @Option(names = "--guidance", paramLabel = "G", defaultValue = "3.5", description = "guidance scale")
    double guidance;
    @Option(names = "--strength", paramLabel = "S", defaultValue = "0.3", description = "SDEdit / band-split strength")
    double strength;
    @Option(names = "--cutoff", paramLabel = "HZ", defaultValue = "4000", description = "band edge")
    double cutoff;
    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "", description = "text condition of the diffusion stages")
    String prompt;
    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "job seed (per-clip seeds derive from it)")
    long seed;
    @Option(names = "--max-seconds", paramLabel = "S", defaultValue = "10.24", description = "clips are cut to this "
            + "(with --long-clips segments: the segment length)")
    double maxSeconds;
    @Option(names = "--long-clips", paramLabel = "POLICY", defaultValue = "first", description = "a file longer than "
            + "--max-seconds: 'first' measures its first --max-seconds, 'segments' every --max-seconds of it (one clip "
            + "per segment, aggregated per file in the report)")
    String longClips;
    @Option(names = "--min-seconds", paramLabel = "S", defaultValue = "0.25", description = "shorter clips are failures")
    double minSeconds;
    @Option(names = "--worst", paramLabel = "N", defaultValue = "3", description = "worst clips per stage in the report")
    int worst;
    @Option(names = "--spark", paramLabel = "MASTER", description = "run on Apache Spark: local[N], spark://host:port, "
            + "or the master spark-submit was given (launcher: the Spark jars in lib/spark join the class path)")
    String sparkMaster;
    @Option(names = "--executor-bundle", paramLabel = "NAME", description = "with --spark: executors read the bundle "
            + "shipped with spark-submit --archives BUNDLE.zip#NAME (default: the --bundle folder, which every "
            + "executor must see at the same absolute path)")
    String executorBundle;
    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "with --spark: a Spark setting (repeatable)")
    Map<String, String> sparkConf;
    @Option(names = "--clips-per-wave", paramLabel = "N", defaultValue = "256", description = "with --spark: clips per "
            + "Spark job (a failure loses at most one wave)")
    int clipsPerWave;

    private boolean segmentsPolicy() {
        return switch (longClips) {
            case "first" -> false;
            case "segments" -> true;
            default -> throw CliChecks.usage(spec, "option --long-clips must be first or segments, got " + longClips);
        };
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = top.out();
        CorpusSpec corpusSpec;
        try {
            corpusSpec = new CorpusSpec(stages != null ? stages : ReconstructionStudy.STAGE_NAMES, prompt, steps,
                    guidance, strength, cutoff, seed, maxSeconds, minSeconds, worst, segmentsPolicy());
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, e, Map.ofEntries(Map.entry("stages", "stages"),
                    Map.entry("numInferenceSteps", "steps"), Map.entry("guidanceScale", "guidance"),
                    Map.entry("strength", "strength"), Map.entry("cutoffHz", "cutoff"),
                    Map.entry("maxSeconds", "max-seconds"), Map.entry("minSeconds", "min-seconds"),
                    Map.entry("worstClips", "worst")));
        }
        checkSparkOptions();
        List<CorpusInput.Clip> clips;
        try {
            clips = CorpusInput.read(input);
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, "option --input: " + e.getMessage());
        }
        CliChecks.outputDirectory(spec, "--out", outDir);
        runtimeOptions.check();
        ModelBundle bundle = bundleDir == null ? null : ModelBundle.open(CliChecks.directory(spec, "--bundle", bundleDir));
        ModuleOptions options = runtimeOptions.options();
        if (sparkMaster != null) {
            return spark(out, corpusSpec, clips, bundle, options);
        }
        List<AutoCloseable> opened = new ArrayList<>();
        CorpusJob.Outcome o;
        long t0 = System.nanoTime();
        try {
            CorpusJob job = new CorpusJob(corpusSpec, outDir, bundle, bundle == null ? null : () -> {
                ModelRuntime rt = runtimeOptions.runtime();
                AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, rt, options);
                opened.add(p);
                opened.add(rt);
                return p;
            });
            long start = System.nanoTime();
            CorpusJob.Listener listener = output.quiet ? CorpusJob.Listener.NONE : (i, n, id, status) -> {
                double el = (System.nanoTime() - start) / 1e9;
                double rate = i / el;
                top.err().printf(Locale.ROOT, "[%d/%d] %.2f clips/s, ETA %.0f s  %s: %s%n", i, n, rate,
                        (n - i) / rate, id, status);
            };
            ProgressListener progress = output.quiet ? ConsoleProgress.warningsOnly(top.err()) : ProgressListener.NONE;
            o = job.run(clips, progress, listener, CancellationToken.none());
        } finally {
            for (AutoCloseable c : opened) {
                c.close();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        print(out, o.clips(), o.computedRows(), o.reusedRows(), o.failedClips(), o.modelsLoaded(), secs, null);
        return 0;
    }

    /** The Spark options, checked before the corpus is read or a model opened. */
    private void checkSparkOptions() {
        if (sparkMaster == null) {
            if (executorBundle != null || sparkConf != null) {
                throw CliChecks.usage(spec, "options --executor-bundle and --spark-conf need --spark MASTER");
            }
            return;
        }
        if (sparkMaster.isBlank()) {
            throw CliChecks.usage(spec, "option --spark must name a master (local[2], spark://host:7077), got \""
                    + sparkMaster + "\"");
        }
        if (clipsPerWave < 1) {
            throw CliChecks.usage(spec, "option --clips-per-wave must be >= 1, got " + clipsPerWave);
        }
        if (executorBundle != null && executorBundle.isBlank()) {
            throw CliChecks.usage(spec, "option --executor-bundle must not be blank, got \"" + executorBundle + "\"");
        }
        if (executorBundle != null && bundleDir == null) {
            throw CliChecks.usage(spec, "option --executor-bundle needs --bundle (the driver reads its manifest)");
        }
        if (sparkConf != null) {
            for (Map.Entry<String, String> e : sparkConf.entrySet()) {
                if (e.getKey().isBlank() || !e.getKey().startsWith("spark.")) {
                    throw CliChecks.usage(spec, "option --spark-conf keys must start with \"spark.\", got \""
                            + e.getKey() + "\"");
                }
            }
        }
    }

    private Integer spark(PrintStream out, CorpusSpec corpusSpec, List<CorpusInput.Clip> clips, ModelBundle bundle,
            ModuleOptions options) throws Exception {
        if (runtimeOptions.threads != null) {
            // local masters run the tasks in this JVM; cluster executors take spark.task.cpus
            System.setProperty("audioldm4j.threads", Integer.toString(runtimeOptions.threads));
        }
        io.github.audioldm4j.spark.ExecutorSettings executors = bundle == null ? null
                : io.github.audioldm4j.spark.ExecutorSettings.of(bundle.dir(), executorBundle, runtimeOptions.runtimeName(),
                        options);
        long t0 = System.nanoTime();
        CorpusJob.Listener listener = output.quiet ? CorpusJob.Listener.NONE : (i, n, id, status) -> top.err()
                .printf(Locale.ROOT, "[%d/%d] %s (%.1f s)%n", i, n, status, (System.nanoTime() - t0) / 1e9);
        Map<String, String> conf = new LinkedHashMap<>(sparkConf == null ? Map.of() : sparkConf);
        io.github.audioldm4j.spark.SparkCorpusJob.Outcome o = io.github.audioldm4j.spark.SparkCorpus.run(sparkMaster,
                conf, corpusSpec, clips, outDir, bundle, executors, listener, clipsPerWave);
        double secs = (System.nanoTime() - t0) / 1e9;
        print(out, o.clips(), o.computedRows(), o.reusedRows(), o.failedClips(), o.modelLoads() > 0, secs, o);
        return 0;
    }

    private void print(PrintStream out, int clips, int computed, int reused, int failed, boolean loaded, double secs,
            io.github.audioldm4j.spark.SparkCorpusJob.Outcome spark) {
        if (output.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("command", "corpus");
            j.put("clips", clips);
            j.put("computed_rows", computed);
            j.put("reused_rows", reused);
            j.put("failed_clips", failed);
            j.put("models_loaded", loaded);
            if (spark != null) {
                j.put("spark_master", sparkMaster);
                j.put("model_loads", spark.modelLoads());
                j.put("executor_jvms", new ArrayList<>(spark.executorJvms()));
                j.put("waves", spark.waves());
                j.put("rows", outDir.resolve(io.github.audioldm4j.spark.SparkCorpusJob.ROWS).toAbsolutePath().toString());
            }
            j.put("elapsed_seconds", secs);
            j.put("clips_per_second", clips / secs);
            j.put("summary", outDir.resolve(CorpusReport.SUMMARY).toAbsolutePath().toString());
            j.put("report", outDir.resolve(CorpusReport.HTML).toAbsolutePath().toString());
            JsonOut.print(out, j);
        } else {
            out.printf(Locale.ROOT, "%d clips (%d failed): %d results computed, %d reused, in %.1f s%n", clips,
                    failed, computed, reused, secs);
            if (spark != null) {
                out.printf(Locale.ROOT, "spark %s: %d model load(s) in %d executor JVM(s), %d wave(s)%n", sparkMaster,
                        spark.modelLoads(), spark.executorJvms().size(), spark.waves());
            }
            out.println("wrote " + outDir.resolve(CorpusReport.SUMMARY).toAbsolutePath());
            out.println("wrote " + outDir.resolve(CorpusReport.HTML).toAbsolutePath());
        }
    }
}
