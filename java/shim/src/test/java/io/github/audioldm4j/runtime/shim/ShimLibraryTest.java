package io.github.audioldm4j.runtime.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.runtime.ModelRuntimeException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the shim library is looked for; pure Java, loads nothing. */
class ShimLibraryTest {
    private static final String FILE = System.mapLibraryName("aldm2");

    @Test
    void propertyMayNameTheFileOrItsDirectory(@TempDir Path tmp) throws IOException {
        Path lib = Files.createFile(tmp.resolve(FILE));
        assertEquals(lib.toAbsolutePath(), ShimLibrary.locate(tmp.toString(), null, null));
        assertEquals(lib.toAbsolutePath(), ShimLibrary.locate(lib.toString(), null, null));
        assertEquals(lib.toAbsolutePath(), ShimLibrary.locate("  " + tmp + "  ", null, null));
    }

    @Test
    void propertyWinsOverEnvironmentAndLibraryPath(@TempDir Path tmp) throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.createFile(a.resolve(FILE));
        Files.createFile(b.resolve(FILE));
        assertEquals(a.resolve(FILE).toAbsolutePath(), ShimLibrary.locate(a.toString(), b.toString(), b.toString()));
        assertEquals(b.resolve(FILE).toAbsolutePath(), ShimLibrary.locate(" ", b.toString(), a.toString()));
    }

    @Test
    void libraryPathIsSearchedInOrder(@TempDir Path tmp) throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Files.createFile(lib.resolve(FILE));
        String path = empty + File.pathSeparator + File.pathSeparator + lib;
        assertEquals(lib.resolve(FILE).toAbsolutePath(), ShimLibrary.locate(null, null, path));
    }

    @Test
    void missingConfiguredLibraryNamesTheSettingAndHowToBuild(@TempDir Path tmp) {
        Path nowhere = tmp.resolve("nowhere");
        ModelRuntimeException e = assertThrows(ModelRuntimeException.class,
                () -> ShimLibrary.locate(nowhere.toString(), null, null));
        assertTrue(e.getMessage().startsWith("-Daudioldm4j.shim.path must name " + FILE
                + " or a directory containing it, got " + nowhere), e.getMessage());
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("native/README.md"), e.getMessage());

        e = assertThrows(ModelRuntimeException.class, () -> ShimLibrary.locate(null, tmp.toString(), null));
        assertTrue(e.getMessage().startsWith("AUDIOLDM4J_SHIM_PATH must name " + FILE), e.getMessage());
    }

    @Test
    void unconfiguredAndNotOnLibraryPathListsWhatWasSearched(@TempDir Path tmp) {
        ModelRuntimeException e = assertThrows(ModelRuntimeException.class,
                () -> ShimLibrary.locate(null, "", tmp.toString()));
        assertTrue(e.getMessage().startsWith("cannot find the aldm2 shim library " + FILE
                + ": set -Daudioldm4j.shim.path=<file or directory>"), e.getMessage());
        assertTrue(e.getMessage().contains("searched [" + tmp + "]"), e.getMessage());
        assertTrue(e.getMessage().contains("mvn -pl java/shim -am process-classes"), e.getMessage());
    }
}
