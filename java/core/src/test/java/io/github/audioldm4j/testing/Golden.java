package io.github.audioldm4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access to the upstream golden vectors (see the folder's README). By default these are the
 * byte-identical copies of {@code ../shared/golden} shipped in {@code java/testdata/golden} (checked by
 * {@code GoldenCopyTest}); {@code -Daudioldm4j.golden=DIR} or {@code AUDIOLDM4J_GOLDEN} points every
 * golden test at another folder of the same format. A missing folder fails the test: golden tests
 * never pass silently.
 */
public final class Golden {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, JsonNode> CACHE = new ConcurrentHashMap<>();

    private Golden() {}

    /**
     * The golden folder in use: {@code -Daudioldm4j.golden=DIR} or {@code AUDIOLDM4J_GOLDEN} when set
     * (another folder of the same format), otherwise the copy shipped with the repository in
     * {@code java/testdata/golden}, found by walking up from the working directory.
     */
    public static Path dir() {
        String p = System.getProperty("audioldm4j.golden");
        if (p == null || p.isBlank()) {
            p = System.getenv("AUDIOLDM4J_GOLDEN");
        }
        if (p != null && !p.isBlank()) {
            Path d = Paths.get(p);
            if (!Files.isRegularFile(d.resolve("README.md"))) {
                throw new IllegalStateException("golden folder " + d + " (from audioldm4j.golden) has no README.md");
            }
            return d;
        }
        Path shipped = shippedDir();
        if (shipped == null) {
            throw new IllegalStateException("java/testdata/golden not found above " + Paths.get("").toAbsolutePath()
                    + "; run the tests from the repository, or set -Daudioldm4j.golden=<golden folder>");
        }
        return shipped;
    }

    /** The repository's own copy ({@code java/testdata/golden}), or null when not found above the working directory. */
    public static Path shippedDir() {
        return findAbove(Paths.get("java", "testdata", "golden"), Paths.get("testdata", "golden"));
    }

    /** {@code ../shared/golden} (the project's ground truth) when some parent folder has it, else null. */
    public static Path sharedDir() {
        return findAbove(Paths.get("shared", "golden"));
    }

    private static Path findAbove(Path... candidates) {
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            for (Path rel : candidates) {
                Path c = d.resolve(rel);
                if (Files.isRegularFile(c.resolve("README.md"))) {
                    return c;
                }
            }
        }
        return null;
    }

    /** Parses (and caches) a golden JSON file by name, e.g. {@code "scheduler_ddim_eta0.json"}. */
    public static JsonNode load(String fileName) {
        return CACHE.computeIfAbsent(fileName, f -> {
            try {
                return MAPPER.readTree(dir().resolve(f).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read golden file " + f, e);
            }
        });
    }

    /** A golden array object ({dtype, shape, data}) as float32 values, parsed bit-exactly. */
    public static float[] floats(JsonNode array) {
        JsonNode data = data(array);
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = parseFloat(data.get(i));
        }
        return out;
    }

    /** A golden array object as float64 values. */
    public static double[] doubles(JsonNode array) {
        JsonNode data = data(array);
        double[] out = new double[data.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = data.get(i);
            out[i] = v.isTextual() ? Double.parseDouble(fixInf(v.asText())) : Double.parseDouble(v.asText());
        }
        return out;
    }

    /** A golden array object as int64 values. */
    public static long[] longs(JsonNode array) {
        JsonNode data = data(array);
        long[] out = new long[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asLong();
        }
        return out;
    }

    /** The shape of a golden array object. */
    public static long[] shape(JsonNode array) {
        JsonNode s = array.get("shape");
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asLong();
        }
        return out;
    }

    private static JsonNode data(JsonNode array) {
        if (array == null) {
            throw new IllegalArgumentException("golden array is missing");
        }
        JsonNode data = array.isArray() ? array : array.get("data");
        if (data == null || !data.isArray()) {
            throw new IllegalArgumentException("not a golden array object: " + abbreviate(array));
        }
        return data;
    }

    private static float parseFloat(JsonNode v) {
        if (v.isTextual()) {
            return Float.parseFloat(fixInf(v.asText()));
        }
        // the token text is the shortest decimal that round-trips the float32
        return Float.parseFloat(v.asText());
    }

    private static String fixInf(String s) {
        switch (s) {
            case "inf": case "+inf": return "Infinity";
            case "-inf": return "-Infinity";
            case "nan": return "NaN";
            default: return s;
        }
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
