package io.github.audioldm4j.bundle;

import java.util.List;

/**
 * A TorchScript component of a bundle.
 *
 * @param name the component name ({@code unet}, {@code vae_decoder}, ...)
 * @param file path relative to the bundle directory
 * @param sha256 lower-case hex SHA-256 of the file
 * @param dtype the dtype the weights were exported in ({@code float32}, {@code float16}, {@code bfloat16})
 * @param optional whether pipelines can run without it
 * @param inputs forward arguments in order
 * @param outputs forward results in order
 */
public record ComponentSpec(String name, String file, String sha256, String dtype, boolean optional,
        List<TensorSpec> inputs, List<TensorSpec> outputs) {
    public ComponentSpec {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
