package io.github.audioldm4j.runtime.presets;

import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimeProvider;

/** Registers the presets runtime under the name {@value #NAME}. */
public final class PresetsRuntimeProvider implements ModelRuntimeProvider {
    public static final String NAME = "presets";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelRuntime create() {
        return new PresetsRuntime();
    }
}
