package io.github.audioldm4j.runtime.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Selecting the shim through the SPI never loads a class of the PyTorch presets: a fresh JVM runs
 * a shim session with class-load logging on, and no {@code org.bytedeco.pytorch} class may
 * appear. (Two libtorch builds in one process crash, so this is what makes the separate-JVM
 * arrangement safe.)
 */
class ShimIsolationNativeTest {
    @BeforeEach
    void requireLibrary() {
        ShimTesting.assumeShimUsable();
    }

    @Test
    void aShimSessionLoadsNoPresetsClass() throws IOException, InterruptedException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xlog:class+load=info",
                "-cp", classPath,
                "-Daudioldm4j.runtime=shim",
                "-D" + ShimLibrary.PATH_PROPERTY + "=" + ShimLibrary.load(),
                "-Daudioldm4j.tinyBundle=" + TinyBundle.dir(),
                ShimIsolationMain.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), output.length() > 4000 ? output.substring(output.length() - 4000) : output);
        assertTrue(output.contains("ISOLATION-OK shim HostTensor[FLOAT32 [2, 16, 8, 16]]"), "the session ran");
        assertTrue(output.contains("io.github.audioldm4j.runtime.shim.ShimRuntime"), "class-load logging works");
        List<String> presets = output.lines().filter(l -> l.contains("org.bytedeco.pytorch")).toList();
        assertTrue(presets.isEmpty(), "presets classes loaded: " + presets);
    }
}
