package io.github.audioldm4j.spark;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;

/**
 * The models of one executor JVM: opened lazily by the first task that needs them, shared by
 * every later task of that JVM (one model load per executor, whatever the number of tasks, jobs
 * or retries), closed when the JVM exits. Tasks running at the same time in one executor take
 * turns on the pipeline ({@link #LOCK}), which is not thread-safe: give each task the executor's
 * cores ({@code spark.task.cpus = spark.executor.cores}) so that libtorch, not Spark, uses them.
 *
 * <p>Before the first load the JVM is prepared: {@code audioldm4j.threads} is set to the task's
 * {@code spark.task.cpus} (unless set), and on a cluster executor JavaCPP extracts its native
 * libraries into a cache folder of this executor alone ({@code org.bytedeco.javacpp.cachedir}
 * under the executor's SparkFiles root, unless set): executors on one host extracting into one
 * shared cache race (bytedeco/javacpp#608). One runtime per JVM: settings that name another
 * runtime than the one loaded are refused (the presets and the shim each bring a libtorch;
 * two in one process crash).
 */
public final class ExecutorModels {
    /** Held while a task uses the pipeline. */
    static final Object LOCK = new Object();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static ExecutorSettings openedWith;
    private static ModelRuntime runtime;
    private static AudioLdm2Pipeline pipeline;
    private static boolean hooked;

    private ExecutorModels() {}

    /** How many times this JVM opened a pipeline (tests: one per executor). */
    public static int loadsInThisJvm() {
        return LOADS.get();
    }

    /** An id of this JVM: host and process id. */
    static String jvmId() {
        return hostName() + ":" + ProcessHandle.current().pid();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown-host";
        }
    }

    /**
     * The pipeline for {@code settings}, opened on first use.
     *
     * @param onLoad run once when this call loaded the models (counts loads per job)
     */
    static AudioLdm2Pipeline pipeline(ExecutorSettings settings, Runnable onLoad) {
        synchronized (LOCK) {
            if (pipeline != null) {
                if (openedWith.equals(settings)) {
                    return pipeline;
                }
                if (!openedWith.runtime().equalsIgnoreCase(settings.runtime())) {
                    throw new IllegalStateException("this executor JVM runs the " + openedWith.runtime()
                            + " runtime; a job asked for the " + settings.runtime() + " runtime (one runtime per "
                            + "JVM: run the other in its own application)");
                }
                closeModels(); // another bundle or options on the same runtime: the old models go first
            }
            prepareJvm();
            Path dir = resolveBundle(settings.bundle());
            String manifestSha = ModelBundle.sha256(dir.resolve(ModelBundle.MANIFEST));
            if (!manifestSha.equals(settings.manifestSha256())) {
                throw new IllegalStateException("the bundle this executor sees at " + dir + " is not the driver's: "
                        + "manifest.json SHA-256 " + manifestSha + ", the driver's " + settings.manifestSha256());
            }
            ModelRuntime rt = runtime != null ? runtime : ModelRuntimes.create(settings.runtime());
            try {
                pipeline = AudioLdm2Pipeline.open(ModelBundle.open(dir), rt, settings.options());
            } catch (RuntimeException e) {
                if (runtime == null) {
                    rt.close();
                }
                throw e;
            }
            runtime = rt;
            openedWith = settings;
            LOADS.incrementAndGet();
            onLoad.run();
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "audioldm4j-close-models"));
                hooked = true;
            }
            return pipeline;
        }
    }

    private static void closeModels() {
        if (pipeline != null) {
            pipeline.close();
            pipeline = null;
            openedWith = null;
        }
    }

    static void closeAll() {
        synchronized (LOCK) {
            closeModels();
            if (runtime != null) {
                runtime.close();
                runtime = null;
            }
        }
    }

    private static void prepareJvm() {
        TaskContext task = TaskContext.get();
        if (System.getProperty("audioldm4j.threads") == null && task != null) {
            System.setProperty("audioldm4j.threads", Integer.toString(Math.max(1, task.cpus())));
        }
        SparkEnv env = SparkEnv.get();
        boolean clusterExecutor = env != null && !"driver".equals(env.executorId());
        if (clusterExecutor && System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            Path cache = Path.of(SparkFiles.getRootDirectory(), "javacpp-cache");
            try {
                Files.createDirectories(cache);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the executor's JavaCPP cache " + cache, e);
            }
            System.setProperty("org.bytedeco.javacpp.cachedir", cache.toString());
        }
    }

    /**
     * An absolute bundle folder, or the archive shipped under that name ({@code SparkFiles.get});
     * an archive whose bundle sits in one top-level folder is looked into.
     */
    static Path resolveBundle(String where) {
        List<Path> tried = new ArrayList<>();
        Path direct = Path.of(where);
        if (direct.isAbsolute()) {
            if (Files.isRegularFile(direct.resolve(ModelBundle.MANIFEST))) {
                return direct;
            }
            tried.add(direct);
        }
        if (TaskContext.get() != null || SparkEnv.get() != null) {
            Path shipped = Path.of(SparkFiles.get(where));
            if (Files.isRegularFile(shipped.resolve(ModelBundle.MANIFEST))) {
                return shipped;
            }
            tried.add(shipped);
            if (Files.isDirectory(shipped)) {
                try (Stream<Path> s = Files.list(shipped)) {
                    List<Path> inner = s.filter(p -> Files.isRegularFile(p.resolve(ModelBundle.MANIFEST))).toList();
                    if (inner.size() == 1) {
                        return inner.get(0);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + shipped, e);
                }
            }
        }
        throw new IllegalStateException("executor bundle \"" + where + "\" is neither an absolute bundle folder nor an "
                + "archive shipped with --archives FILE#" + where + " (looked for " + ModelBundle.MANIFEST + " in "
                + tried + ")");
    }
}
