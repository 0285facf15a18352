package io.github.audioldm4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Starting the presets runtime and the shim runtime in one JVM used to abort the process (two
 * libtorch builds). The second one must be refused with an exception before it loads anything.
 * Runs in both test JVMs: the presets one (default) and the shim one ({@code -Daudioldm4j.runtime=shim}).
 */
class OneEnginePerJvmTest {

    @Test
    void theOtherRuntimeIsRefusedBeforeItLoadsANativeLibrary() throws IOException {
        try (ModelRuntime first = ModelRuntimes.createDefault()) {
            String other = first.name().equals("shim") ? "presets" : "shim";
            String otherLibrary = other.equals("shim") ? "libaldm2" : "libjnitorch";
            assertEquals(first.name(), NativeEngine.claimed());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelRuntimes.create(other));
            assertTrue(e.getMessage().startsWith("cannot start runtime '" + other + "': runtime '" + first.name()
                    + "' was started earlier in this JVM"), e.getMessage());
            assertTrue(e.getMessage().contains("two libtorch builds in one process abort it"), e.getMessage());
            assertTrue(e.getMessage().contains("-Daudioldm4j.runtime=" + first.name()), e.getMessage());
            assertFalse(mapped(otherLibrary), otherLibrary + " must not have been loaded");
            // still refused on a second attempt, and the first runtime keeps working
            assertThrows(IllegalStateException.class, () -> ModelRuntimes.create(other));
            assertTrue(first.isAvailable(Device.CPU));
        }
    }

    @Test
    void theSameRuntimeMayStartAgain() {
        try (ModelRuntime a = ModelRuntimes.createDefault(); ModelRuntime b = ModelRuntimes.createDefault()) {
            assertEquals(a.name(), b.name());
        }
    }

    private static boolean mapped(String fragment) throws IOException {
        Path maps = Path.of("/proc/self/maps");
        return Files.isReadable(maps) && Files.readString(maps).contains(fragment);
    }
}
