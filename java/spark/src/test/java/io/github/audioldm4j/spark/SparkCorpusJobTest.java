package io.github.audioldm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.corpus.CorpusInput;
import io.github.audioldm4j.corpus.CorpusJob;
import io.github.audioldm4j.corpus.CorpusReport;
import io.github.audioldm4j.corpus.CorpusSpec;
import io.github.audioldm4j.corpus.TestCorpus;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus job on Spark in {@code local[2]} with the tiny bundle and a generated 50-clip corpus:
 * equal to the local runner bit for bit, one model load per executor JVM, reruns and resumes
 * that skip finished clips, retried tasks that recompute the same rows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkCorpusJobTest {
    static final CorpusSpec SPEC = CorpusSpec.defaults().withStages(List.of("resample-16k", "mel-vocoder", "vae",
            "sdedit", CorpusSpec.GENERATE)).withSteps(4).withSeed(5).withMaxSeconds(1.0);
    @TempDir
    static Path tmp;
    static List<CorpusInput.Clip> clips;
    static Path local;
    static SparkSession spark;
    static ModelBundle bundle;
    static ExecutorSettings executors;

    @BeforeAll
    static void setUp() throws Exception {
        clips = CorpusInput.read(TestCorpus.make(tmp.resolve("corpus"), 50));
        bundle = ModelBundle.open(TinyBundle.dir());
        executors = ExecutorSettings.of(TinyBundle.dir(), null, "presets", ModuleOptions.CPU_FP32);
        // the local runner's output, the reference every Spark run must equal
        local = tmp.resolve("local");
        try (ModelRuntime rt = ModelRuntimes.create("presets")) {
            List<AudioLdm2Pipeline> opened = new ArrayList<>();
            long t0 = System.nanoTime();
            new CorpusJob(SPEC, local, bundle, () -> {
                AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, rt, ModuleOptions.CPU_FP32);
                opened.add(p);
                return p;
            }).run(clips, ProgressListener.NONE, CorpusJob.Listener.NONE, CancellationToken.none());
            System.out.printf("[spark-test] local runner: %d clips in %.1f s%n", clips.size(),
                    (System.nanoTime() - t0) / 1e9);
            opened.forEach(AudioLdm2Pipeline::close);
        }
        spark = SparkSession.builder().master("local[2,3]").appName("audioldm4j-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    static void tearDown() {
        SparkCorpusJob.beforeClip = id -> { };
        if (spark != null) {
            spark.stop();
        }
    }

    /** Every output file but the Parquet rows and the local store, by relative path, as bytes (rows: JSON minus timings). */
    static Map<String, String> outputs(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                String rel = dir.relativize(p).toString();
                if (rel.startsWith(SparkCorpusJob.ROWS + "/") || rel.equals(CorpusJob.RESULTS)) {
                    continue;
                }
                if (rel.equals("clips.jsonl")) {
                    m.put(rel, withoutTimings(Files.readAllLines(p)));
                } else {
                    m.put(rel, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(Files.readAllBytes(p))) + (rel.endsWith(".json") || rel.endsWith(".csv")
                            ? "\n" + Files.readString(p) : ""));
                }
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    static String withoutTimings(List<String> lines) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            ObjectNode o = (ObjectNode) mapper.readTree(l);
            o.remove("elapsed_seconds");
            sb.append(o).append('\n');
        }
        return sb.toString();
    }

    @Test
    @Order(1)
    void aSparkRunEqualsTheLocalRunWithOneModelLoadPerExecutor() throws Exception {
        Path out = tmp.resolve("spark");
        long t0 = System.nanoTime();
        SparkCorpusJob.Outcome o = new SparkCorpusJob(spark, SPEC, out, bundle, executors).clipsPerWave(20)
                .run(clips, CorpusJob.Listener.NONE);
        System.out.printf("[spark-test] local[2]: %d clips in %.1f s, %d waves%n", clips.size(),
                (System.nanoTime() - t0) / 1e9, o.waves());
        assertEquals(52, o.clips());
        assertEquals(3, o.waves(), "52 clips in waves of 20");
        assertEquals(52 * SPEC.stages().size(), o.computedRows());
        assertEquals(2, o.failedClips(), "the corrupt and the short clip");
        assertEquals(1, o.modelLoads(), "one model load in the one executor JVM of local[2], over 3 jobs and "
                + "their concurrent tasks");
        assertEquals(1, ExecutorModels.loadsInThisJvm());
        assertEquals(1, o.executorJvms().size(), o.executorJvms().toString());
        Map<String, String> expected = outputs(local);
        Map<String, String> actual = outputs(out);
        assertTrue(expected.containsKey(CorpusReport.SUMMARY) && expected.containsKey("report.html"), expected.keySet()
                .toString());
        assertTrue(expected.keySet().stream().anyMatch(k -> k.startsWith("audio/")), "worst-clip audio kept");
        assertEquals(expected.keySet(), actual.keySet(), "the same files");
        for (String k : expected.keySet()) {
            assertEquals(expected.get(k), actual.get(k), k + " differs between the local and the Spark run");
        }
        assertTrue(Files.list(out.resolve(SparkCorpusJob.ROWS)).anyMatch(p -> p.toString().endsWith(".parquet")));

        // a rerun over the output skips every clip: no model work, the same summary
        SparkCorpusJob.Outcome again = new SparkCorpusJob(spark, SPEC, out, bundle, executors)
                .run(clips, CorpusJob.Listener.NONE);
        assertEquals(0, again.computedRows());
        assertEquals(52 * SPEC.stages().size(), again.reusedRows());
        assertEquals(0, again.modelLoads());
        assertEquals(expected.get(CorpusReport.SUMMARY), outputs(out).get(CorpusReport.SUMMARY));
    }

    @Test
    @Order(2)
    void aResumedRunWithRetriedTasksEqualsTheLocalRun() throws Exception {
        Path out = tmp.resolve("resumed");
        // first a part of the corpus (as if the job had died after it)
        SparkCorpusJob.Outcome part = new SparkCorpusJob(spark, SPEC, out, bundle, executors).clipsPerWave(7)
                .run(clips.subList(0, 17), CorpusJob.Listener.NONE);
        assertEquals(17 * SPEC.stages().size(), part.computedRows());
        // then all of it, with the first attempt of the task of every fifth clip failing: Spark retries it
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        SparkCorpusJob.beforeClip = id -> {
            if (id.hashCode() % 5 == 0 && TaskContext.get().attemptNumber() == 0) {
                failures.merge(id, 1, Integer::sum);
                throw new IllegalStateException("injected failure of the first attempt at clip " + id);
            }
        };
        SparkCorpusJob.Outcome rest;
        try {
            rest = new SparkCorpusJob(spark, SPEC, out, bundle, executors).partitionsPerWave(9)
                    .run(clips, CorpusJob.Listener.NONE);
        } finally {
            SparkCorpusJob.beforeClip = id -> { };
        }
        assertTrue(!failures.isEmpty(), "some task attempts failed and were retried");
        assertEquals(35 * SPEC.stages().size(), rest.computedRows(), "only the clips not done before");
        assertEquals(17 * SPEC.stages().size(), rest.reusedRows());
        Map<String, String> expected = outputs(local);
        Map<String, String> actual = outputs(out);
        for (String k : List.of(CorpusReport.SUMMARY, "clips.csv", "clips.jsonl", CorpusReport.HTML)) {
            assertEquals(expected.get(k), actual.get(k), k + " of the resumed, retried run");
        }
    }

    @Test
    @Order(3)
    void theLibraryCallReturnsTheRowsAsADataset() throws Exception {
        Path out = tmp.resolve("dataset");
        CorpusSpec spec = SPEC.withStages(List.of("resample-16k", "vae"));
        List<CorpusInput.Clip> some = clips.subList(0, 6);
        Dataset<Row> rows = SparkCorpusJob.evaluate(spark, spec, some, out, bundle, executors);
        assertEquals(6 * 3, rows.count(), "a reference row and one row per stage for each clip");
        List<Row> vae = rows.filter("stage = 'vae' AND status = 'ran'").orderBy("clip_id").collectAsList();
        assertTrue(vae.size() >= 4, "vae rows: " + vae.size());
        ObjectMapper mapper = new ObjectMapper();
        for (Row r : vae) {
            ObjectNode json = (ObjectNode) mapper.readTree(r.<String>getAs("row_json"));
            assertEquals(json.get("metrics").get("lsd").asDouble(), r.<Double>getAs("lsd"), 0.0);
            assertEquals(json.get("clap_audio_cosine").asDouble(), r.<Double>getAs("clap_audio_cosine"), 0.0);
            assertEquals(json.get("clap_embedding").size(), r.getList(r.fieldIndex("clap_embedding")).size());
        }
    }

    @Test
    @Order(4)
    void eitherRunnerResumesTheOthersOutput() throws Exception {
        // a local run's output: the Spark job computes nothing, its Dataset holds the local rows
        Path fromLocal = tmp.resolve("from-local");
        try (Stream<Path> s = Files.walk(local)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path to = fromLocal.resolve(local.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        SparkCorpusJob job = new SparkCorpusJob(spark, SPEC, fromLocal, bundle, executors);
        SparkCorpusJob.Outcome o = job.run(clips, CorpusJob.Listener.NONE);
        assertEquals(0, o.computedRows(), "every row came from the local run");
        assertEquals(0, o.modelLoads());
        assertEquals(52L * (SPEC.stages().size() + 1), job.rows().count(), "the local rows joined the Parquet rows");
        Map<String, String> expected = outputs(local);
        assertEquals(expected, outputs(fromLocal));

        // a Spark run's output (mirrored into results.jsonl): the local runner loads no model
        Path fromSpark = tmp.resolve("spark");
        assertTrue(Files.isRegularFile(fromSpark.resolve(CorpusJob.RESULTS)), "the Spark run mirrored its rows");
        CorpusJob.Outcome l = new CorpusJob(SPEC, fromSpark, bundle, () -> {
            throw new AssertionError("the local runner opened models over a complete Spark output");
        }).run(clips, ProgressListener.NONE, CorpusJob.Listener.NONE, CancellationToken.none());
        assertEquals(0, l.computedRows());
        assertEquals(52 * SPEC.stages().size(), l.reusedRows());
        assertEquals(expected, outputs(fromSpark));
    }

    @Test
    @Order(5)
    void badInputsAreRefusedBeforeAnyWork() throws Exception {
        Path out = tmp.resolve("bad");
        NullPointerException n = assertThrows(NullPointerException.class,
                () -> new SparkCorpusJob(null, SPEC, out, bundle, executors));
        assertEquals("spark must not be null", n.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SparkCorpusJob(spark, SPEC, out, bundle, null));
        assertTrue(e.getMessage().contains("bundle and executors must be given together"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SparkCorpusJob(spark, SPEC, out, bundle,
                new ExecutorSettings(TinyBundle.dir().toString(), "0".repeat(64), "presets", "cpu", "fp32")));
        assertTrue(e.getMessage().startsWith("executors.manifestSha256 must be the SHA-256"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SparkCorpusJob(spark, SPEC, out, null, null)
                .clipsPerWave(0));
        assertTrue(e.getMessage().startsWith("clipsPerWave must be in [1, 1000000], got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SparkCorpusJob(spark, SPEC, out, null, null)
                .partitionsPerWave(-1));
        assertTrue(e.getMessage().startsWith("partitionsPerWave must be in"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SparkCorpusJob(spark, SPEC, out, null, null)
                .run(List.of(), CorpusJob.Listener.NONE));
        assertTrue(e.getMessage().startsWith("clips must not be empty"), e.getMessage());
        List<CorpusInput.Clip> twice = List.of(clips.get(0), clips.get(0));
        e = assertThrows(IllegalArgumentException.class, () -> new SparkCorpusJob(spark, SPEC, out, null, null)
                .run(twice, CorpusJob.Listener.NONE));
        assertTrue(e.getMessage().contains("clip ids must be unique"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExecutorSettings.of(tmp, null, "presets",
                ModuleOptions.CPU_FP32));
        assertTrue(e.getMessage().startsWith("driverBundle must be a bundle folder"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ExecutorSettings("b", "x", "presets", "cpu", "fp8"));
        assertTrue(e.getMessage().contains("precision must be one of fp32, fp16, bf16, got \"fp8\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ExecutorSettings(" ", "x", "presets", "cpu", "fp32"));
        assertTrue(e.getMessage().startsWith("bundle must not be blank"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> ExecutorModels.resolveBundle("no-such-archive"));
        assertTrue(s.getMessage().contains("--archives FILE#no-such-archive"), s.getMessage());
        assertTrue(!Files.exists(out.resolve(SparkCorpusJob.ROWS)), "nothing was written");
        // an executor refuses a second runtime in its JVM (the presets one is loaded)
        ExecutorSettings shim = new ExecutorSettings(executors.bundle(), executors.manifestSha256(), "shim", "cpu",
                "fp32");
        Path failing = tmp.resolve("shim-refused");
        SparkException se = assertThrows(SparkException.class, () -> new SparkCorpusJob(spark,
                SPEC.withStages(List.of("vae")), failing, bundle, shim).run(clips.subList(2, 3),
                CorpusJob.Listener.NONE));
        assertTrue(String.valueOf(se.getMessage()).contains("one runtime per JVM"), se.getMessage());
    }
}
