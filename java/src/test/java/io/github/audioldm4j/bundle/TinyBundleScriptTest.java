package io.github.audioldm4j.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.audioldm4j.testing.Python;
import io.github.audioldm4j.testing.TinyBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** make_tiny_bundle.py regenerates the committed bundle byte for byte (needs /usr/bin/python3 + torch). */
class TinyBundleScriptTest {
    @Test
    void scriptReproducesTheCommittedBundle(@TempDir Path tmp) throws Exception {
        assumeTrue(Python.hasTorch(), "/usr/bin/python3 with torch is not installed");
        Path script = TinyBundle.dir().getParent().resolve("make_tiny_bundle.py");
        Path out = tmp.resolve("tiny-bundle");
        Python.Result r = Python.run(300, script.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.output());
        List<String> expected = listing(TinyBundle.dir());
        assertEquals(expected, listing(out), "same files");
        for (String rel : expected) {
            assertEquals(ModelBundle.sha256(TinyBundle.dir().resolve(rel)), ModelBundle.sha256(out.resolve(rel)), rel);
        }
        ModelBundle.open(out);
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted()
                    .collect(Collectors.toList());
        }
    }
}
