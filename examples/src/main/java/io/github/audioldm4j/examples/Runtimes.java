package io.github.audioldm4j.examples;

import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.Precision;

/** The --runtime / --device / --dtype options shared by the examples. */
final class Runtimes {
    static final String HELP = "  --runtime NAME     model runtime: presets (default) or shim\n"
            + "  --device DEV       cpu (default), cuda or cuda:N\n"
            + "  --dtype T          fp32 (default), fp16 (CUDA only) or bf16\n";

    private Runtimes() {}

    static ModelRuntime runtime(Cli cli) {
        return cli.has("runtime") ? ModelRuntimes.create(cli.string("runtime", "presets")) : ModelRuntimes.createDefault();
    }

    static ModuleOptions options(Cli cli) {
        try {
            return new ModuleOptions(Device.parse(cli.string("device", "cpu")), Precision.parse(cli.string("dtype", "fp32")));
        } catch (IllegalArgumentException e) {
            throw new Cli.UsageException(e.getMessage());
        }
    }
}
