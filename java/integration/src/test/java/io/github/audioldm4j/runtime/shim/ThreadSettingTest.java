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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code audioldm4j.threads=N} fixes every thread pool whose size changes results, in every
 * calling thread: a process with the property alone computes what a process started with
 * {@code OMP_NUM_THREADS=N OPENBLAS_NUM_THREADS=N} computes (the environment of a Spark executor
 * with N cores), bit for bit, from the loading thread and from another one. Before OpenBLAS got
 * the setting (it keeps its own pool of one thread per core), the two disagreed on an AVX-512
 * machine: the local corpus run and the Spark executors differed in the last bits.
 */
class ThreadSettingTest {
    @Test
    void thePresetsRuntimeAppliesTheThreadSettingToOpenBlasAndEveryThread() throws Exception {
        check("presets", List.of());
    }

    static void check(String runtime, List<String> extra) throws Exception {
        for (int n : new int[] {1, 2}) {
            String[] plain = child(runtime, extra, n, Map.of());
            String[] pinned = child(runtime, extra, n, Map.of("OMP_NUM_THREADS", Integer.toString(n),
                    "OPENBLAS_NUM_THREADS", Integer.toString(n)));
            assertEquals(plain[0], plain[1], runtime + ", " + n + " thread(s): a second calling thread computes the same");
            assertEquals(pinned[0], pinned[1], runtime + ", " + n + " thread(s), pinned environment: both threads");
            assertEquals(pinned[0], plain[0], runtime + ", " + n + " thread(s): the property alone computes what "
                    + "OMP_NUM_THREADS/OPENBLAS_NUM_THREADS compute");
        }
    }

    static String[] child(String runtime, List<String> extra, int threads, Map<String, String> env)
            throws IOException, InterruptedException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classPath,
                "-Daudioldm4j.runtime=" + runtime, "-Daudioldm4j.threads=" + threads,
                "-Daudioldm4j.tinyBundle=" + TinyBundle.dir()));
        command.addAll(extra);
        command.add(ThreadSettingMain.class.getName());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // the child starts from this environment minus the thread variables, plus env
        for (String k : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "GOTO_NUM_THREADS")) {
            pb.environment().remove(k);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), out);
        Matcher m = Pattern.compile("THREADS " + runtime + " main=(\\w+) other=(\\w+)").matcher(out);
        assertTrue(m.find(), out);
        return new String[] {m.group(1), m.group(2)};
    }
}
