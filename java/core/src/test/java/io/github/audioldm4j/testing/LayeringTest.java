package io.github.audioldm4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layering of every module's main sources: a package may use only packages below it
 * (imports and fully qualified names alike), and the core module has no native dependency of its
 * own. Lowest first: util, random, dsp, io, analysis, scheduler, runtime (the SPI), bundle, the
 * runtime implementations, model, text, pipeline, edit, report, study, corpus, spark, then the examples.
 */
class LayeringTest {
    private static final Map<String, Integer> RANK = Map.ofEntries(
            Map.entry("util", 0), Map.entry("random", 1), Map.entry("dsp", 2), Map.entry("io", 3),
            Map.entry("analysis", 4), Map.entry("scheduler", 5), Map.entry("runtime", 6), Map.entry("bundle", 7),
            Map.entry("runtime.presets", 8), Map.entry("runtime.shim", 8), Map.entry("model", 9), Map.entry("text", 10),
            Map.entry("pipeline", 11), Map.entry("edit", 12), Map.entry("report", 13), Map.entry("study", 14),
            Map.entry("corpus", 15), Map.entry("spark", 16),
            Map.entry("examples", 17),
            Map.entry("examples.bench", 17));
    private static final Pattern PACKAGE = Pattern.compile("^package io\\.github\\.audioldm4j\\.([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("io\\.github\\.audioldm4j\\.((?:[a-z]\\w*\\.)*[a-z]\\w*)\\.[A-Z]");

    static Path repository() {
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("java").resolve("core")) && Files.isDirectory(d.resolve("examples"))) {
                return d;
            }
        }
        throw new IllegalStateException("repository root (with java/core and examples) not found above "
                + Paths.get("").toAbsolutePath());
    }

    static List<Path> mainSources(Path root) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root.resolve("java"))) {
            modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).forEach(dirs::add);
        }
        dirs.add(root.resolve("examples/src/main/java"));
        List<Path> files = new ArrayList<>();
        for (Path d : dirs) {
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void noPackageUsesAPackageAboveIt() throws IOException {
        Path root = repository();
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (Path f : mainSources(root)) {
            String src = Files.readString(f);
            Matcher pm = PACKAGE.matcher(src);
            if (!pm.find()) {
                continue;
            }
            String own = pm.group(1);
            Integer ownRank = RANK.get(own);
            if (ownRank == null) {
                violations.add(root.relativize(f) + ": package " + own + " has no layer in LayeringTest");
                continue;
            }
            checked++;
            Matcher rm = REFERENCE.matcher(src.substring(pm.end()));
            while (rm.find()) {
                String used = rm.group(1);
                Integer usedRank = RANK.get(used);
                if (used.equals(own)) {
                    continue;
                }
                if (usedRank == null || usedRank >= ownRank) {
                    violations.add(root.relativize(f) + ": " + own + " uses " + used + " (layer "
                            + (usedRank == null ? "unknown" : usedRank) + " >= " + ownRank + ")");
                }
            }
        }
        assertTrue(checked > 100, "only " + checked + " source files found under " + root);
        assertEquals(List.of(), violations, "layering violations");
    }

    @Test
    void coreHasNoNativeDependencyOfItsOwn() throws IOException {
        Path core = repository().resolve("java/core/src/main/java");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> s = Files.walk(core)) {
            for (Path f : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String src = Files.readString(f);
                if (src.contains("org.bytedeco.")) {
                    offenders.add(core.relativize(f).toString());
                }
            }
        }
        assertEquals(List.of(), offenders, "core sources that use the bytedeco presets (belong in presets/shim/ffmpeg)");
    }
}
