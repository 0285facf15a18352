package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.pipeline.AudioLength;
import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.scheduler.Schedulers;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code audioldm4j info}: the bundle, runtime, device and thread settings a run would use. */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Shows what a run would use: the bundle (components, defaults, scheduler and its step range), "
                + "the runtime, the device and the thread setting.")
public final class Info extends ModelCommand implements Callable<Integer> {
    @Option(names = "--bundle", paramLabel = "DIR", description = "model bundle to describe (checksums are verified)")
    Path bundleDir;
    @Option(names = "--no-runtime", description = "do not start the runtime (no native libraries are loaded)")
    boolean noRuntime;

    @Override
    public Integer call() throws Exception {
        PrintStream out = top.out();
        runtimeOptions.check();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("command", "info");
        Map<String, Object> machine = new LinkedHashMap<>();
        int cores = Runtime.getRuntime().availableProcessors();
        machine.put("cores", cores);
        machine.put("java", System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        j.put("machine", machine);
        j.put("runtimes_on_class_path", ModelRuntimes.available());
        j.put("max_audio_seconds", AudioLength.MAX_SECONDS);
        if (bundleDir != null) {
            ModelBundle bundle = ModelBundle.open(CliChecks.directory(spec, "--bundle", bundleDir));
            Manifest m = bundle.manifest();
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("dir", bundle.dir().toAbsolutePath().toString());
            b.put("model_id", m.modelId());
            b.put("sample_rate", m.sampleRate());
            Map<String, Object> comps = new LinkedHashMap<>();
            for (ComponentSpec c : m.components().values()) {
                comps.put(c.name(), c.file() + " (" + c.dtype() + (c.optional() ? ", optional" : "") + ")");
            }
            b.put("components", comps);
            Manifest.Defaults d = m.defaults();
            b.put("defaults", Map.of("num_inference_steps", d.numInferenceSteps(), "guidance_scale", d.guidanceScale(),
                    "audio_length_s", d.audioLengthS(), "eta", d.eta(), "max_new_tokens", d.maxNewTokens()));
            b.put("scheduler", m.scheduler().className());
            b.put("max_inference_steps", Schedulers.maxInferenceSteps(m.scheduler()));
            j.put("bundle", b);
        }
        if (!noRuntime) {
            try (ModelRuntime runtime = runtimeOptions.runtime()) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", runtime.name());
                r.put("description", runtime.describe());
                r.put("cuda_available", runtime.isAvailable(Device.parse("cuda")));
                r.put("threads", System.getProperty("audioldm4j.threads", "libtorch default"));
                j.put("runtime", r);
            }
        }
        if (output.json) {
            JsonOut.print(out, j);
        } else {
            print(out, j, "");
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void print(PrintStream out, Map<String, Object> m, String indent) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> sub) {
                out.println(indent + e.getKey() + ":");
                print(out, (Map<String, Object>) sub, indent + "  ");
            } else {
                out.println(indent + e.getKey() + ": " + e.getValue());
            }
        }
    }
}
