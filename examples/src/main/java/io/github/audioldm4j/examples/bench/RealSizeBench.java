package io.github.audioldm4j.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.GeneratedAudio;
import io.github.audioldm4j.pipeline.GenerationRequest;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.util.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Java round of the real-size CPU benchmark (torchscript-models/upstream/bench_realsize.py
 * alternates these with diffusers rounds, each in its own process): opens a bundle, runs a
 * one-step warm-up generation, then the timed generation (default 20 DPM-Solver++ steps, 10.24 s,
 * guidance 3.5, one waveform), and prints one JSON object: model load and generation seconds, the
 * per-component wall time ({@link TimedRuntime}), the UNet time per CFG step, the host rest, and
 * the peak RSS (VmHWM) of the process.
 *
 * <pre>
 * java -cp examples/target/classes:$(cat examples/target/bench.classpath) \
 *     io.github.audioldm4j.examples.bench.RealSizeBench BUNDLE [RUNTIME presets|shim] [THREADS 2] [STEPS 20] \
 *     [LENGTH 10.24] [SCHEDULER DPMSolverMultistepScheduler] [SEED 0]
 * </pre>
 */
public final class RealSizeBench {
    private RealSizeBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 7) {
            System.err.println("usage: RealSizeBench BUNDLE [RUNTIME] [THREADS] [STEPS] [LENGTH] [SCHEDULER] [SEED]");
            System.exit(2);
        }
        Path bundleDir = Path.of(args[0]);
        if (!Files.isDirectory(bundleDir)) {
            throw new IllegalArgumentException("BUNDLE must be a bundle directory, got " + bundleDir);
        }
        String runtimeName = args.length > 1 ? args[1] : "presets";
        // THREADS 0: leave the thread settings to the environment (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS)
        int threads = Check.nonNegative("THREADS", args.length > 2 ? Integer.parseInt(args[2]) : 2);
        int steps = Check.positive("STEPS", args.length > 3 ? Integer.parseInt(args[3]) : 20);
        double length = args.length > 4 ? Double.parseDouble(args[4]) : 10.24;
        Check.positive("LENGTH", length);
        String scheduler = args.length > 5 ? args[5] : "DPMSolverMultistepScheduler";
        long seed = args.length > 6 ? Long.parseLong(args[6]) : 0;
        if (threads > 0) {
            System.setProperty("audioldm4j.threads", Integer.toString(threads));
        }
        ModelBundle bundle = ModelBundle.open(bundleDir);
        long t0 = System.nanoTime();
        try (TimedRuntime runtime = new TimedRuntime(ModelRuntimes.create(runtimeName));
                AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, ModuleOptions.CPU_FP32)) {
            GenerationRequest.Builder b = GenerationRequest.builder(List.of("A dog barking in the rain"))
                    .negativePrompts(List.of("low quality")).audioLengthS(length).guidanceScale(3.5).seed(seed)
                    .scheduler(bundle.manifest().scheduler().with("_class_name", scheduler));
            p.generate(b.numInferenceSteps(1).build()); // warm-up: loads and first calls of every module
            double load = (System.nanoTime() - t0) / 1e9;
            runtime.reset();
            long t1 = System.nanoTime();
            GeneratedAudio audio = p.generate(b.numInferenceSteps(steps).build());
            double total = (System.nanoTime() - t1) / 1e9;
            Map<String, Object> comps = new LinkedHashMap<>();
            double models = 0;
            Map<String, long[]> tallies = runtime.snapshot();
            for (Map.Entry<String, long[]> e : tallies.entrySet()) {
                double s = e.getValue()[1] / 1e9;
                models += s;
                comps.put(e.getKey(), Map.of("calls", e.getValue()[0], "seconds", s));
            }
            long[] unet = tallies.getOrDefault("unet", new long[] {0, 0});
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("side", "java-" + runtimeName);
            j.put("runtime", runtime.describe());
            j.put("threads", threads);
            j.put("steps", steps);
            j.put("length_s", length);
            j.put("scheduler", scheduler);
            j.put("warmup_and_load_seconds", load);
            j.put("total_seconds", total);
            j.put("unet_seconds_per_step", unet[0] == 0 ? null : unet[1] / 1e9 / unet[0]);
            j.put("components", comps);
            j.put("host_seconds", total - models);
            j.put("peak_rss_mb", LongAudioBench.peakRssMb());
            j.put("samples", audio.waveforms().get(0).length);
            System.out.println(new ObjectMapper().writeValueAsString(j));
        }
    }
}
