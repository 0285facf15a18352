package io.github.audioldm4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.GenerationRequest;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModuleOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runtime and pipeline benchmark on a bundle (default: the tiny test bundle). Every figure is a
 * ratio against a baseline measured in the same process:
 * <ul>
 *   <li>per component: median {@code LoadedModule.forward} latency on the bundle's reference
 *       inputs (the baseline for the pipeline figures);</li>
 *   <li>pipeline overhead: one text-to-audio denoising step (scheduler, CFG, host copies, checks)
 *       divided by one raw UNet forward at the same batch;</li>
 *   <li>native memory: RSS growth per 1000 forward calls after warm-up.</li>
 * </ul>
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measures component latency, Java pipeline overhead per step and native memory growth.")
public final class Bench implements Callable<Integer> {
    @ParentCommand
    Audioldm4j top;
    @Spec
    CommandSpec spec;
    @Mixin
    RuntimeOptions runtimeOptions;

    @Option(names = "--bundle", paramLabel = "DIR", description = "bundle with reference/index.json (default "
            + "torchscript-models/tiny-bundle)")
    Path bundleDir;
    @Option(names = "--calls", paramLabel = "N", defaultValue = "200", description = "timed forward calls per component")
    int calls;
    @Option(names = "--steps", paramLabel = "N", defaultValue = "50",
            description = "denoising steps for the pipeline measurement")
    int steps;
    @Option(names = "--length", paramLabel = "S", defaultValue = "1.0",
            description = "audio length for the pipeline measurement")
    double length;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@code audioldm4j bench ARGS}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Audioldm4j.run(out, err, Commands.prepend("bench", args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = top.out();
        Path dir = bundleDir != null ? CliChecks.directory(spec, "--bundle", bundleDir)
                : Paths.get("torchscript-models", "tiny-bundle");
        if (!Files.isRegularFile(dir.resolve("reference/index.json"))) {
            throw CliChecks.usage(spec, "option --bundle: " + dir + " has no reference/index.json (run from the "
                    + "repository root or pass --bundle)");
        }
        if (calls < 10 || steps < 2) {
            throw CliChecks.usage(spec, "option --calls must be >= 10 and --steps >= 2, got " + calls + " and " + steps);
        }
        runtimeOptions.check();
        ModelBundle bundle = ModelBundle.open(dir);
        ModuleOptions options = runtimeOptions.options();
        JsonNode index = new ObjectMapper().readTree(dir.resolve("reference/index.json").toFile()).get("components");
        try (ModelRuntime runtime = runtimeOptions.runtime()) {
            out.println("# " + runtime.describe() + ", " + options.device() + " " + options.precision()
                    + ", bundle " + bundle.manifest().modelId());
            out.println("| component | median forward ms | p90 ms |");
            out.println("|---|---|---|");
            for (String name : ModelBundle.COMPONENTS) {
                if (!bundle.has(name) || !index.has(name)) {
                    continue;
                }
                List<HostTensor> inputs = new ArrayList<>();
                for (JsonNode p : index.get(name).get("inputs")) {
                    inputs.add(Npy.read(dir.resolve(p.asText())));
                }
                try (LoadedModule m = runtime.load(bundle.componentFile(name, "bench"), options)) {
                    double[] t = time(m, inputs, calls);
                    out.printf(Locale.ROOT, "| %s | %.3f | %.3f |%n", name, t[0], t[1]);
                }
            }
            memory(runtime, bundle, options, 10_000, out);
            pipeline(runtime, bundle, options, steps, length, out);
        }
        return 0;
    }

    /** Median and p90 milliseconds of {@code calls} forwards after a warm-up. */
    static double[] time(LoadedModule m, List<HostTensor> inputs, int calls) {
        for (int i = 0; i < Math.max(5, calls / 10); i++) {
            m.forward(inputs);
        }
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            m.forward(inputs);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[calls / 2], ms[(int) (calls * 0.9)]};
    }

    private static void memory(ModelRuntime runtime, ModelBundle bundle, ModuleOptions options, int calls,
            PrintStream out) {
        HostTensor mel = HostTensor.ofFloats(new float[16 * 64], 1, 1, 16, 64);
        try (LoadedModule m = runtime.load(bundle.componentFile("vae_encoder", "bench"), options)) {
            for (int i = 0; i < 500; i++) {
                m.forward(mel);
            }
            System.gc();
            long rss0 = rss();
            for (int i = 0; i < calls; i++) {
                m.forward(mel);
            }
            System.gc();
            long rss1 = rss();
            out.printf(Locale.ROOT, "%nnative memory: %d vae_encoder calls, RSS %+.2f MB (%+.1f KB per 1000 calls)%n",
                    calls, (rss1 - rss0) / 1e6, (rss1 - rss0) / 1024.0 / (calls / 1000.0));
        }
    }

    /**
     * Median pipeline step time vs median raw UNet forward time at the same shapes, measured in
     * alternating rounds so that both see the same machine load.
     */
    private static void pipeline(ModelRuntime runtime, ModelBundle bundle, ModuleOptions options, int steps,
            double length, PrintStream out) {
        try (AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, options)) {
            p.generate(GenerationRequest.builder("A dog barking").audioLengthS(length).numInferenceSteps(2).build());
            var unet = p.models().unet();
            int frames = io.github.audioldm4j.pipeline.AudioLength.of(length, bundle.manifest()).latentFrames();
            HostTensor sample = HostTensor.ofFloats(new float[2 * 8 * frames * 16], 2, 8, frames, 16);
            HostTensor ts = HostTensor.ofFloats(new float[] {500f, 500f}, 2);
            HostTensor ehs = HostTensor.ofFloats(new float[2 * 8 * 768], 2, 8, 768);
            HostTensor ehs1 = HostTensor.ofFloats(new float[2 * 5 * 1024], 2, 5, 1024); // "A dog barking" = 5 T5 tokens
            HostTensor mask = HostTensor.ofLongs(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2, 5);
            int rounds = 5;
            double[] stepRound = new double[rounds];
            double[] rawRound = new double[rounds];
            double[] textRound = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long[] stepTimes = new long[steps];
                long[] last = new long[1];
                long t0 = System.nanoTime();
                last[0] = t0;
                long[] firstStep = new long[1];
                p.generate(GenerationRequest.builder("A dog barking").audioLengthS(length).numInferenceSteps(steps)
                        .seed(r).build(), (step, total, t) -> {
                            long now = System.nanoTime();
                            if (step == 1) {
                                firstStep[0] = now;
                            }
                            stepTimes[step - 1] = now - last[0];
                            last[0] = now;
                        }, io.github.audioldm4j.pipeline.CancellationToken.none());
                // step 1 includes the text conditioning; steps 2..N are pure denoising steps
                textRound[r] = (firstStep[0] - t0) / 1e6;
                stepRound[r] = median(Arrays.stream(stepTimes).skip(1).mapToDouble(v -> v / 1e6).toArray());
                double[] raw = new double[steps];
                for (int i = 0; i < steps; i++) {
                    long a0 = System.nanoTime();
                    unet.predict(sample, ts, ehs, ehs1, mask);
                    raw[i] = (System.nanoTime() - a0) / 1e6;
                }
                rawRound[r] = median(raw);
            }
            double step = median(stepRound);
            double raw = median(rawRound);
            out.printf(Locale.ROOT, "%npipeline (%.2f s audio, CFG batch 2, %d steps, %d alternating rounds):%n"
                    + "  median denoising step %.3f ms, raw UNet forward at the same shapes %.3f ms, "
                    + "step / UNet = %.3f%n  first step incl. text conditioning (CLAP, T5, projection, 2x8 GPT-2 passes): "
                    + "%.1f ms%n", length, steps, rounds, step, raw, step / raw, median(textRound));
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static long rss() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024L;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return -1;
    }
}
