package io.github.audioldm4j.spark;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.corpus.CorpusInput;
import io.github.audioldm4j.corpus.CorpusJob;
import io.github.audioldm4j.corpus.CorpusSpec;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark corpus job for callers that do not touch Spark's API (the command-line tool): starts
 * a session on a master URL ({@code local[2]}, {@code spark://host:7077}, or the master
 * {@code spark-submit} was given), runs {@link SparkCorpusJob}, stops the session.
 */
public final class SparkCorpus {
    private SparkCorpus() {}

    /**
     * @param master Spark master URL ({@code local[N]}, {@code spark://host:port}, {@code yarn}, ...)
     * @param conf further Spark settings ({@code spark.executor.memory}, ...)
     * @param bundle the driver's bundle, or null
     * @param executors how executors open it (null without a bundle)
     * @param clipsPerWave clips per Spark job
     */
    public static SparkCorpusJob.Outcome run(String master, Map<String, String> conf, CorpusSpec spec,
            List<CorpusInput.Clip> clips, Path outDir, ModelBundle bundle, ExecutorSettings executors,
            CorpusJob.Listener listener, int clipsPerWave) throws IOException {
        Check.notBlank("master", master);
        Check.notNull("conf", conf);
        SparkSession.Builder b = SparkSession.builder().appName("audioldm4j corpus").master(master);
        if (master.startsWith("local")) {
            b.config("spark.ui.enabled", "false");
            b.config("spark.driver.host", "127.0.0.1");
            b.config("spark.driver.bindAddress", "127.0.0.1");
        }
        conf.forEach(b::config);
        SparkSession spark = b.getOrCreate();
        try {
            spark.sparkContext().setLogLevel("WARN");
            return new SparkCorpusJob(spark, spec, outDir, bundle, executors).clipsPerWave(clipsPerWave)
                    .run(clips, listener);
        } finally {
            spark.stop();
        }
    }
}
