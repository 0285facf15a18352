package io.github.audioldm4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.io.AudioEncoder;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's spark-submit block, run as written against a standalone master and worker that
 * the distribution's {@code spark-standalone} starts from its own Spark jars: two executor JVMs,
 * one model load each, and the summary equal to a local run of the same corpus.
 */
class SparkStandaloneTest {
    static final Path DIST = Paths.get("target", "audioldm4j").toAbsolutePath();

    static String readmeBlock() throws IOException {
        String text = Files.readString(Paths.get("..", "README.md"));
        int marker = text.indexOf("<!-- spark-standalone-example -->");
        assertTrue(marker >= 0, "README has the spark-standalone example");
        int start = text.indexOf("```bash\n", marker) + "```bash\n".length();
        int end = text.indexOf("```", start);
        StringBuilder sb = new StringBuilder();
        for (String line : text.substring(start, end).split("\n")) {
            sb.append(line.strip().isEmpty() ? "" : line.replaceFirst("^   ", "")).append('\n');
        }
        return sb.toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String run(Path cwd, Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
                + System.getenv("PATH"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(400, TimeUnit.SECONDS), "did not finish: " + String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    @Test
    void theReadmeSparkSubmitCommandRunsOnAStandaloneMasterAndWorker(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(DIST.resolve("bin/spark-standalone")), "no distribution at "
                + DIST + " (built by mvn install / package)");
        // the README's folder layout, in a scratch folder
        Files.createDirectories(tmp.resolve("examples/target"));
        Files.createSymbolicLink(tmp.resolve("examples/target/audioldm4j"), DIST);
        Files.createDirectories(tmp.resolve("torchscript-models"));
        Files.createSymbolicLink(tmp.resolve("torchscript-models/tiny-bundle"), TinyBundle.dir().toAbsolutePath());
        Path corpus = Files.createDirectories(tmp.resolve("my-corpus"));
        for (int i = 0; i < 6; i++) {
            int rate = i % 2 == 0 ? 16000 : 22050;
            float[] x = new float[(int) (rate * (0.6 + 0.1 * i))];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) (0.3 * Math.sin(2 * Math.PI * (200 + 90 * i) * k / rate));
            }
            AudioEncoder.encode(x, rate, corpus.resolve("tone-" + i + (i % 3 == 0 ? ".flac" : ".wav")));
        }
        int port = freePort();
        Map<String, String> env = Map.of("AUDIOLDM4J_SPARK_DIR", tmp.resolve("spark-state").toString(),
                "SPARK_MASTER_PORT", Integer.toString(port), "SPARK_MASTER_WEBUI_PORT", Integer.toString(freePort()),
                "SPARK_WORKER_CORES", "2", "SPARK_WORKER_MEMORY", "6g");
        String block = readmeBlock().replace("7077", Integer.toString(port));
        String out;
        try {
            out = run(tmp, env, "bash", "-euo", "pipefail", "-c", block);
        } finally {
            run(tmp, env, DIST.resolve("bin/spark-standalone").toString(), "stop");
        }
        Matcher m = Pattern.compile("spark spark://127\\.0\\.0\\.1:\\d+: (\\d+) model load\\(s\\) in (\\d+) executor "
                + "JVM\\(s\\)").matcher(out);
        assertTrue(m.find(), out);
        assertEquals("2", m.group(2), "spark.cores.max=2 with one core per executor: two executor JVMs\n" + out);
        assertEquals("2", m.group(1), "one model load per executor JVM\n" + out);
        assertTrue(out.contains("6 clips (0 failed)"), out);
        // the same corpus run locally: the same summary, byte for byte
        run(tmp, Map.of(), DIST.resolve("bin/audioldm4j").toString(), "corpus", "--input", "my-corpus/",
                "--bundle", "torchscript-models/tiny-bundle", "--out", "corpus-report-local", "--quiet");
        assertEquals(Files.readString(tmp.resolve("corpus-report-local/summary.json")),
                Files.readString(tmp.resolve("corpus-report-spark/summary.json")));
        assertEquals(Files.readString(tmp.resolve("corpus-report-local/clips.csv")),
                Files.readString(tmp.resolve("corpus-report-spark/clips.csv")));
        assertTrue(Files.list(tmp.resolve("corpus-report-spark/rows")).anyMatch(p -> p.toString().endsWith(".parquet")));
    }
}
