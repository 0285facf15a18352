package io.github.audioldm4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution {@code examples/target/audioldm4j} that {@code mvn install} builds (the README's
 * first command, which CI runs before the tests): its launcher runs the CLI without Maven.
 */
class LauncherTest {
    static final Path DIST = Paths.get("target", "audioldm4j");

    static Result launch(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(DIST.resolve("bin/audioldm4j").toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path err = Files.createTempFile("launcher", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "launcher did not finish");
        return new Result(p.exitValue(), out, Files.readString(err));
    }

    record Result(int code, String out, String err) {}

    @Test
    void launcherRunsTheCliWithoutMaven(@TempDir Path tmp) throws Exception {
        Path launcher = DIST.resolve("bin/audioldm4j");
        Assumptions.assumeTrue(Files.isExecutable(launcher), "no distribution at " + DIST.toAbsolutePath()
                + " (built by mvn install / package)");
        assertTrue(Files.isRegularFile(DIST.resolve("lib/audioldm4j-examples-0.1.0-SNAPSHOT.jar")));
        // only the linux-x86_64 natives travel
        try (var s = Files.list(DIST.resolve("lib"))) {
            List<String> jars = s.map(p -> p.getFileName().toString()).toList();
            assertTrue(jars.stream().anyMatch(j -> j.contains("pytorch") && j.contains("linux-x86_64")), jars.toString());
            assertTrue(jars.stream().noneMatch(j -> j.contains("windows") || j.contains("macosx")), jars.toString());
        }
        Result r = launch(tmp, "--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("audioldm4j 0.1.0-SNAPSHOT"), r.out());
        for (String sub : new String[] {"generate", "reconstruct", "refine", "study", "corpus", "verify-bundle", "bench", "info"}) {
            r = launch(tmp, sub, "--help");
            assertEquals(0, r.code(), sub + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: audioldm4j " + sub), r.out());
        }
        r = launch(tmp, "study", "--out", "report", "--quiet", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("stages_run").asInt(), r.out());
        assertTrue(Files.isRegularFile(tmp.resolve("report/report.html")));
        assertTrue(!r.err().contains("SLF4J"), "no SLF4J warning: " + r.err());
        r = launch(tmp, "generate", "--bundle", "nowhere", "--prompt", "x");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --bundle must be an existing directory, got nowhere"), r.err());
    }

    /** A corpus job killed with SIGKILL mid-run resumes to the results of an uninterrupted run. */
    @Test
    void aKilledCorpusJobResumesToIdenticalResults(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(DIST.resolve("bin/audioldm4j")), "no distribution at "
                + DIST.toAbsolutePath());
        Path clips = Files.createDirectories(tmp.resolve("clips"));
        for (int i = 0; i < 12; i++) {
            float[] x = new float[24000];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) (0.3 * Math.sin(2 * Math.PI * (220 + 60 * i) * k / 16000.0));
            }
            io.github.audioldm4j.io.AudioEncoder.encode(x, 16000, clips.resolve(String.format("c%02d.wav", i)));
        }
        String[] args = {"corpus", "--input", clips.toString(), "--stages", "resample-16k,mel-griffin-lim", "--quiet"};
        Result whole = launch(tmp, concat(args, "--out", tmp.resolve("whole").toString()));
        assertEquals(0, whole.code(), whole.err());
        // start, SIGKILL once some clips are written, restart
        Path killedOut = tmp.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/audioldm4j").toAbsolutePath().toString()));
        cmd.addAll(List.of(concat(args, "--out", killedOut.toString())));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        Path results = killedOut.resolve("results.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && (!Files.exists(results) || Files.readAllLines(results).size() < 9)) {
            Thread.sleep(50);
        }
        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        int written = Files.readAllLines(results).size();
        assertTrue(written >= 9 && written < 36, "killed mid-run after " + written + " result lines");
        Result resumed = launch(tmp, concat(args, "--out", killedOut.toString(), "--json"));
        assertEquals(0, resumed.code(), resumed.err());
        JsonNode j = new ObjectMapper().readTree(resumed.out());
        assertTrue(j.get("reused_rows").asInt() >= 4, resumed.out());
        assertEquals(Files.readString(tmp.resolve("whole/summary.json")), Files.readString(killedOut.resolve(
                "summary.json")), "resumed after SIGKILL = uninterrupted");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
