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
}
