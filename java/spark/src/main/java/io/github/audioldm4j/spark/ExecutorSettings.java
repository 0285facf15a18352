package io.github.audioldm4j.spark;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.Precision;
import io.github.audioldm4j.util.Check;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How executors open the models: where the bundle is on an executor, the runtime and the module
 * options. Shipped to every task (serializable, strings only).
 *
 * @param bundle an absolute folder every executor can read (a shared file system, the same
 *     install path on every node), or the name of an archive shipped with {@code --archives
 *     bundle.zip#NAME} (resolved with {@code SparkFiles.get(NAME)} on the executor)
 * @param manifestSha256 SHA-256 of the driver's {@code manifest.json}: an executor refuses a
 *     bundle whose manifest differs, so the summary's versions are those that ran
 * @param runtime runtime name ({@code presets} or {@code shim}); one per executor JVM
 * @param device device ({@code cpu}, {@code cuda}, {@code cuda:N})
 * @param precision module precision ({@code fp32}, {@code fp16}, {@code bf16})
 */
public record ExecutorSettings(String bundle, String manifestSha256, String runtime, String device, String precision)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public ExecutorSettings {
        Check.notBlank("bundle", bundle);
        Check.notBlank("manifestSha256", manifestSha256);
        Check.notBlank("runtime", runtime);
        Device.parse(device);
        Precision.parse(precision);
    }

    /**
     * Executors read the bundle the driver has at {@code driverBundle} (an absolute path they can
     * reach) or, when {@code executorBundle} is given, the shipped archive of that name.
     */
    public static ExecutorSettings of(Path driverBundle, String executorBundle, String runtime, ModuleOptions options) {
        Check.notNull("driverBundle", driverBundle);
        Check.notNull("options", options);
        Path manifest = driverBundle.resolve(ModelBundle.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new IllegalArgumentException("driverBundle must be a bundle folder with " + ModelBundle.MANIFEST
                    + ", got " + driverBundle);
        }
        String where = executorBundle == null ? driverBundle.toAbsolutePath().normalize().toString() : executorBundle;
        return new ExecutorSettings(where, ModelBundle.sha256(manifest), runtime, options.device().toString(),
                options.precision().name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The module options these settings name. */
    public ModuleOptions options() {
        return new ModuleOptions(Device.parse(device), Precision.parse(precision));
    }
}
