package io.github.audioldm4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The golden vectors shipped in {@code java/testdata/golden} must be byte-identical copies of the
 * project's ground truth in {@code ../shared/golden}. Checked whenever that folder exists (it does
 * on the project's machines; a fresh clone elsewhere has only the shipped copy).
 */
class GoldenCopyTest {

    @Test
    void shippedCopyExists() {
        Path shipped = Golden.shippedDir();
        assertNotNull(shipped, "java/testdata/golden is missing from the checkout");
        assertEquals(true, Files.isRegularFile(shipped.resolve("README.md")));
    }

    @Test
    void shippedCopyIsByteIdenticalToShared() throws IOException {
        Path shared = Golden.sharedDir();
        Assumptions.assumeTrue(shared != null, "no ../shared/golden above the working directory; nothing to compare");
        Path shipped = Golden.shippedDir();
        assertNotNull(shipped, "java/testdata/golden is missing from the checkout");
        List<String> a = listing(shared);
        List<String> b = listing(shipped);
        assertEquals(a, b, "file lists of " + shared + " and " + shipped + " differ");
        for (String rel : a) {
            assertArrayEquals(Files.readAllBytes(shared.resolve(rel)), Files.readAllBytes(shipped.resolve(rel)),
                    rel + " differs between " + shared + " and " + shipped);
        }
    }

    private static List<String> listing(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().collect(Collectors.toList());
        }
    }
}
