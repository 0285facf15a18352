package io.github.audioldm4j.runtime.shim;

import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimeProvider;

/**
 * Registers the shim runtime under the name {@value ShimRuntime#NAME}. Creating the provider loads
 * nothing; {@link #create()} loads the native library.
 */
public final class ShimRuntimeProvider implements ModelRuntimeProvider {
    @Override
    public String name() {
        return ShimRuntime.NAME;
    }

    @Override
    public ModelRuntime create() {
        return new ShimRuntime();
    }
}
