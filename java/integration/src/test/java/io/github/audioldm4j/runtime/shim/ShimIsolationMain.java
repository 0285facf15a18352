package io.github.audioldm4j.runtime.shim;

import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.TinyBundle;

/** Child process of {@link ShimIsolationNativeTest}: a whole shim session through the SPI. */
final class ShimIsolationMain {
    private ShimIsolationMain() {}

    public static void main(String[] args) {
        try (ModelRuntime rt = ModelRuntimes.createDefault();
                LoadedModule m = rt.load(TinyBundle.file("vae_encoder.pt"), ModuleOptions.CPU_FP32)) {
            HostTensor out = m.forward(Npy.read(TinyBundle.file("reference/vae_encoder.in0.npy"))).get(0);
            System.out.println("ISOLATION-OK " + rt.name() + " " + out);
        }
    }
}
