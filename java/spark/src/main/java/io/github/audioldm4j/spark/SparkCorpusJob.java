package io.github.audioldm4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.analysis.Metric;
import io.github.audioldm4j.analysis.MetricRegistry;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.corpus.ClipWorker;
import io.github.audioldm4j.corpus.CorpusInput;
import io.github.audioldm4j.corpus.CorpusJob;
import io.github.audioldm4j.corpus.CorpusReport;
import io.github.audioldm4j.corpus.CorpusSpec;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * The corpus job on Apache Spark: the local runner's per-clip code ({@link ClipWorker}) in
 * {@code mapPartitions}, with one pipeline per executor JVM ({@link ExecutorModels}); result
 * rows appended as Parquet under {@code <out>/rows}; the summary, tables and report reduced on
 * the driver by the local runner's own {@link CorpusReport} from the rows, so the output equals
 * the local run's for the same corpus and spec.
 *
 * <p>Clips run in waves of {@link #clipsPerWave} (one Spark job each): a crashed or killed run
 * keeps every finished wave, and a rerun over the same output skips every finished clip (the
 * driver broadcasts the keys already in the Parquet rows). Task retries and speculative copies
 * recompute the same rows (seeds derive from the clip id; see {@link CorpusSpec#clipSeed}); of
 * two copies Spark's output committer keeps one, and rows with equal keys count once.
 *
 * <p>The output folder must be one the driver and every executor can write (a shared file
 * system): executors write the stage audio the report plays there, and the driver reads the
 * rows back.
 */
public final class SparkCorpusJob {
    /** The Parquet rows inside the output folder. */
    public static final String ROWS = "rows";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * Called in a task before each clip with the clip id (tests inject task failures with it;
     * per JVM, so only local-mode tests can set it).
     */
    static volatile java.util.function.Consumer<String> beforeClip = id -> { };

    /**
     * What a run did.
     *
     * @param clips clips in the corpus
     * @param computedRows stage results computed by this run
     * @param reusedRows stage results found from earlier runs
     * @param failedClips clips recorded as failed by this run
     * @param modelLoads pipelines opened by this run's tasks (one per executor JVM that had no
     *     models yet; 0 when every result was there)
     * @param executorJvms the executor JVMs that ran tasks ({@code host:pid})
     * @param waves Spark jobs run
     */
    public record Outcome(int clips, int computedRows, int reusedRows, int failedClips, long modelLoads,
            Set<String> executorJvms, int waves) {}

    private final SparkSession spark;
    private final CorpusSpec spec;
    private final Path outDir;
    private final ModelBundle bundle;
    private final ExecutorSettings executors;
    private int clipsPerWave = 256;
    private int partitionsPerWave;

    /**
     * @param bundle the driver's bundle (its versions go into the summary), or null: model stages are
     *     recorded as skipped
     * @param executors how executors open that bundle (given with the bundle, null without it)
     */
    public SparkCorpusJob(SparkSession spark, CorpusSpec spec, Path outDir, ModelBundle bundle,
            ExecutorSettings executors) {
        this.spark = Check.notNull("spark", spark);
        this.spec = Check.notNull("spec", spec);
        this.outDir = Check.notNull("outDir", outDir).toAbsolutePath().normalize();
        if ((bundle == null) != (executors == null)) {
            throw new IllegalArgumentException("bundle and executors must be given together, got "
                    + (bundle == null ? "no bundle" : "no executor settings"));
        }
        if (bundle != null) {
            String driverSha = ModelBundle.sha256(bundle.dir().resolve(ModelBundle.MANIFEST));
            if (!driverSha.equals(executors.manifestSha256())) {
                throw new IllegalArgumentException("executors.manifestSha256 must be the SHA-256 of the bundle's "
                        + "manifest.json " + driverSha + ", got " + executors.manifestSha256());
            }
        }
        this.bundle = bundle;
        this.executors = executors;
        this.partitionsPerWave = Math.max(1, spark.sparkContext().defaultParallelism()) * 4;
    }

    /** Clips per Spark job (default 256): a failure loses at most one wave. */
    public SparkCorpusJob clipsPerWave(int n) {
        this.clipsPerWave = Check.inRange("clipsPerWave", n, 1, 1_000_000);
        return this;
    }

    /** Tasks per wave (default 4 x the default parallelism): smaller tasks balance better and retry cheaper. */
    public SparkCorpusJob partitionsPerWave(int n) {
        this.partitionsPerWave = Check.inRange("partitionsPerWave", n, 1, 1_000_000);
        return this;
    }

    /** The Parquet schema of the rows: the row's fields as columns, and the whole row as JSON. */
    public static StructType schema() {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("key", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("clip_id", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("stage", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("status", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("reason", DataTypes.StringType, true));
        f.add(DataTypes.createStructField("path", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("content_sha256", DataTypes.StringType, false));
        for (Metric m : MetricRegistry.all()) {
            f.add(DataTypes.createStructField(m.key(), DataTypes.DoubleType, true));
        }
        f.add(DataTypes.createStructField("clap_audio_cosine", DataTypes.DoubleType, true));
        f.add(DataTypes.createStructField("clap_text_score", DataTypes.DoubleType, true));
        f.add(DataTypes.createStructField("clap_embedding", DataTypes.createArrayType(DataTypes.FloatType, false),
                true));
        f.add(DataTypes.createStructField("elapsed_seconds", DataTypes.DoubleType, true));
        f.add(DataTypes.createStructField("row_json", DataTypes.StringType, false));
        return DataTypes.createStructType(f);
    }

    /** Runs (or resumes) the job over {@code clips}, then writes the summary, the tables and the report. */
    public Outcome run(List<CorpusInput.Clip> clips, CorpusJob.Listener listener) throws IOException {
        Check.notEmpty("clips", clips);
        Check.notNull("listener", listener);
        Set<String> seen = new HashSet<>();
        for (CorpusInput.Clip c : clips) {
            if (!seen.add(c.id())) {
                throw new IllegalArgumentException("clip ids must be unique, got \"" + c.id() + "\" twice");
            }
        }
        Files.createDirectories(outDir);
        // with the segments policy a long file is many clips, spread over the tasks like any others
        List<CorpusInput.Clip> ordered = new ArrayList<>(CorpusInput.expand(clips, spec));
        ordered.sort(Comparator.comparing(CorpusInput.Clip::id));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // rows a local run left in this folder join the Parquet rows first (they count as done and
        // appear in rows()); at the end every row is mirrored into the local store, so that either
        // runner resumes the other's output
        Set<String> before = keys();
        List<Row> imported = new ArrayList<>();
        for (ObjectNode r : CorpusJob.storedRows(outDir)) {
            if (before.add(r.get("key").asText())) {
                imported.add(toRow(r));
            }
        }
        if (!imported.isEmpty()) {
            spark.createDataFrame(imported, schema()).write().mode(SaveMode.Append).parquet(rowsDir().toString());
        }
        LongAccumulator loads = spark.sparkContext().longAccumulator("audioldm4j model loads");
        CollectionAccumulator<String> jvms = spark.sparkContext().collectionAccumulator("audioldm4j executor JVMs");
        String specJson = spec.toJson().toString();
        String out = outDir.toString();
        int waves = 0;
        Set<String> done = new HashSet<>(before);
        for (int from = 0; from < ordered.size(); from += clipsPerWave) {
            List<ClipTask> wave = new ArrayList<>();
            for (CorpusInput.Clip c : ordered.subList(from, Math.min(ordered.size(), from + clipsPerWave))) {
                wave.add(new ClipTask(c.id(), c.path().toAbsolutePath().toString(), c.caption(), c.offsetSeconds(),
                        c.source()));
            }
            Broadcast<Set<String>> doneKeys = jsc.broadcast(done);
            JavaRDD<Row> rows = jsc.parallelize(wave, Math.min(wave.size(), partitionsPerWave))
                    .mapPartitions(new ClipPartition(specJson, out, executors, doneKeys, loads, jvms));
            spark.createDataFrame(rows, schema()).write().mode(SaveMode.Append).parquet(rowsDir().toString());
            doneKeys.destroy();
            waves++;
            done = keys();
            listener.onClip(Math.min(ordered.size(), from + clipsPerWave), ordered.size(), wave.get(wave.size() - 1).id,
                    "wave " + waves + " done");
        }
        List<ObjectNode> all = readRows();
        CorpusJob.storeRows(outDir, all);
        int computed = 0;
        int failed = 0;
        for (ObjectNode r : all) {
            if (before.contains(r.get("key").asText())) {
                continue;
            }
            if ("reference".equals(r.get("stage").asText())) {
                failed += "failed".equals(r.path("status").asText()) ? 1 : 0;
            } else {
                computed++;
            }
        }
        CorpusReport.write(spec, ordered, all, outDir, bundle);
        return new Outcome(ordered.size(), computed, ordered.size() * spec.stages().size() - computed, failed,
                loads.value(), new java.util.TreeSet<>(jvms.value()), waves);
    }

    /**
     * The job's result rows as a Dataset (one row per clip and stage, each key once), after
     * {@link #run}; for a user's own Spark application.
     */
    public Dataset<Row> rows() {
        if (!Files.isDirectory(rowsDir())) {
            throw new IllegalStateException("no rows under " + rowsDir() + ": run the job first");
        }
        return spark.read().schema(schema()).parquet(rowsDir().toString()).dropDuplicates(new String[] {"key"});
    }

    /**
     * Runs the job and returns its rows: the library call for a user's Spark application.
     *
     * @see #run
     */
    public static Dataset<Row> evaluate(SparkSession spark, CorpusSpec spec, List<CorpusInput.Clip> clips, Path outDir,
            ModelBundle bundle, ExecutorSettings executors) throws IOException {
        SparkCorpusJob job = new SparkCorpusJob(spark, spec, outDir, bundle, executors);
        job.run(clips, CorpusJob.Listener.NONE);
        return job.rows();
    }

    private Path rowsDir() {
        return outDir.resolve(ROWS);
    }

    private Set<String> keys() {
        Set<String> k = new HashSet<>();
        if (Files.isDirectory(rowsDir()) && hasParquet()) {
            for (Row r : spark.read().schema(schema()).parquet(rowsDir().toString()).select("key").collectAsList()) {
                k.add(r.getString(0));
            }
        }
        return k;
    }

    private boolean hasParquet() {
        try (var s = Files.list(rowsDir())) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".parquet"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + rowsDir(), e);
        }
    }

    /** Every row (each key once), parsed from its JSON: the exact values the executors computed. */
    private List<ObjectNode> readRows() {
        List<ObjectNode> out = new ArrayList<>();
        if (!Files.isDirectory(rowsDir()) || !hasParquet()) {
            return out;
        }
        Set<String> keys = new HashSet<>();
        for (Row r : spark.read().schema(schema()).parquet(rowsDir().toString()).select("key", "row_json")
                .collectAsList()) {
            if (keys.add(r.getString(0))) {
                try {
                    out.add((ObjectNode) MAPPER.readTree(r.getString(1)));
                } catch (IOException e) {
                    throw new UncheckedIOException("unreadable row " + r.getString(0) + " under " + rowsDir(), e);
                }
            }
        }
        return out;
    }

    /** One clip as a task sees it (serializable). */
    static final class ClipTask implements Serializable {
        private static final long serialVersionUID = 1L;
        final String id;
        final String path;
        final String caption;
        final double offsetSeconds;
        final String source;

        ClipTask(String id, String path, String caption, double offsetSeconds, String source) {
            this.id = id;
            this.path = path;
            this.caption = caption;
            this.offsetSeconds = offsetSeconds;
            this.source = source;
        }

        CorpusInput.Clip clip() {
            return new CorpusInput.Clip(id, Path.of(path), caption, offsetSeconds, source);
        }
    }

    /** The per-partition work: the local runner's per-clip code on this executor's shared pipeline. */
    static final class ClipPartition implements FlatMapFunction<Iterator<ClipTask>, Row> {
        private static final long serialVersionUID = 1L;
        private final String specJson;
        private final String outDir;
        private final ExecutorSettings executors;
        private final Broadcast<Set<String>> done;
        private final LongAccumulator loads;
        private final CollectionAccumulator<String> jvms;

        ClipPartition(String specJson, String outDir, ExecutorSettings executors, Broadcast<Set<String>> done,
                LongAccumulator loads, CollectionAccumulator<String> jvms) {
            this.specJson = specJson;
            this.outDir = outDir;
            this.executors = executors;
            this.done = done;
            this.loads = loads;
            this.jvms = jvms;
        }

        @Override
        public Iterator<Row> call(Iterator<ClipTask> tasks) throws Exception {
            CorpusSpec spec = CorpusSpec.fromJson(MAPPER.readTree(specJson));
            Set<String> doneKeys = done.value();
            ClipWorker worker = new ClipWorker(spec, Path.of(outDir), executors == null ? null
                    : () -> ExecutorModels.pipeline(executors, () -> loads.add(1)));
            jvms.add(ExecutorModels.jvmId());
            TaskContext context = TaskContext.get();
            CancellationToken cancel = new CancellationToken();
            if (context != null) {
                context.addTaskFailureListener((org.apache.spark.util.TaskFailureListener) (ctx, error) -> cancel.cancel());
            }
            List<Row> rows = new ArrayList<>();
            try (worker) {
                while (tasks.hasNext()) {
                    if (context != null) {
                        context.killTaskIfInterrupted();
                    }
                    ClipTask t = tasks.next();
                    beforeClip.accept(t.id);
                    CorpusInput.Clip clip = t.clip();
                    ClipWorker.Prepared in = worker.prepare(clip, doneKeys::contains);
                    if (in.complete()) {
                        continue;
                    }
                    List<ObjectNode> clipRows;
                    synchronized (ExecutorModels.LOCK) {
                        clipRows = worker.compute(clip, in, ProgressListener.NONE, cancel);
                    }
                    for (ObjectNode r : clipRows) {
                        rows.add(toRow(r));
                    }
                }
            }
            return rows.iterator();
        }
    }

    static Row toRow(ObjectNode r) {
        List<Object> v = new ArrayList<>();
        v.add(r.get("key").asText());
        v.add(r.get("clip_id").asText());
        v.add(r.get("stage").asText());
        v.add(r.path("status").asText());
        v.add(r.hasNonNull("reason") ? r.get("reason").asText() : null);
        v.add(r.path("path").asText());
        v.add(r.path("content_sha256").asText());
        JsonNode metrics = r.path("metrics");
        for (Metric m : MetricRegistry.all()) {
            JsonNode x = metrics.path(m.key());
            v.add(x.isNumber() ? x.asDouble() : null);
        }
        v.add(r.hasNonNull("clap_audio_cosine") ? r.get("clap_audio_cosine").asDouble() : null);
        v.add(r.hasNonNull("clap_text_score") ? r.get("clap_text_score").asDouble() : null);
        if (r.has("clap_embedding")) {
            List<Float> e = new ArrayList<>();
            r.get("clap_embedding").forEach(x -> e.add((float) x.asDouble()));
            v.add(scala.jdk.javaapi.CollectionConverters.asScala(e).toSeq());
        } else {
            v.add(null);
        }
        v.add(r.hasNonNull("elapsed_seconds") ? r.get("elapsed_seconds").asDouble() : null);
        v.add(r.toString());
        return RowFactory.create(v.toArray());
    }
}
