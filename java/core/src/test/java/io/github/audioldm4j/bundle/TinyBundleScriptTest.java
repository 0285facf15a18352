package io.github.audioldm4j.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.testing.Python;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * make_tiny_bundle.py regenerates the committed bundle (needs /usr/bin/python3 + torch).
 *
 * <p>Exactly equal: the file list, the TorchScript code and pickles of every module, the tokenizer
 * files, and the manifest apart from its checksums. Equal up to the CPU kernel: the weights
 * ({@code torch.randn} of 16 or more elements uses another kernel per {@code ATEN_CPU_CAPABILITY},
 * see the golden {@code torch_random_avx2.json}) and the reference outputs, which libtorch computes
 * with the CPU's own kernels; both must agree to {@link #REL_TOL} of their magnitude.
 */
class TinyBundleScriptTest {
    private static final double REL_TOL = 1e-5;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void scriptReproducesTheCommittedBundle(@TempDir Path tmp) throws Exception {
        assumeTrue(Python.hasTorch(), "/usr/bin/python3 with torch is not installed");
        Path script = TinyBundle.dir().getParent().resolve("make_tiny_bundle.py");
        Path out = tmp.resolve("tiny-bundle");
        Python.Result r = Python.run(300, script.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.output());
        List<String> expected = listing(TinyBundle.dir());
        assertEquals(expected, listing(out), "same files");
        int exact = 0;
        for (String rel : expected) {
            Path want = TinyBundle.dir().resolve(rel);
            Path got = out.resolve(rel);
            if (Arrays.equals(Files.readAllBytes(want), Files.readAllBytes(got))) {
                exact++;
                continue;
            }
            if (rel.endsWith(".pt")) {
                compareModules(rel, want, got);
            } else if (rel.endsWith(".npy")) {
                compareArrays(rel, Npy.read(want), Npy.read(got));
            } else if (rel.equals("manifest.json")) {
                assertEquals(withoutChecksums(MAPPER.readTree(want.toFile())), withoutChecksums(MAPPER.readTree(got.toFile())),
                        "manifest.json apart from the sha256 fields");
            } else {
                throw new AssertionError(rel + " differs byte for byte");
            }
        }
        System.out.println("[tiny-bundle] " + exact + "/" + expected.size() + " files byte-identical, the rest within "
                + REL_TOL);
        ModelBundle.open(out);
    }

    /** Same zip entries; code and pickles byte-equal; tensor storages equal up to the kernel. */
    private static void compareModules(String rel, Path want, Path got) throws IOException {
        Map<String, byte[]> a = entries(want);
        Map<String, byte[]> b = entries(got);
        assertEquals(new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()), rel + ": zip entries");
        for (Map.Entry<String, byte[]> e : a.entrySet()) {
            byte[] x = e.getValue();
            byte[] y = b.get(e.getKey());
            if (Arrays.equals(x, y)) {
                continue;
            }
            String what = rel + " " + e.getKey();
            assertTrue(e.getKey().contains("/data/"), what + " differs byte for byte (code and pickles must not)");
            assertEquals(x.length, y.length, what + ": storage size");
            compareFloats(what, floats(x), floats(y));
        }
    }

    private static void compareArrays(String rel, HostTensor want, HostTensor got) {
        assertArrayEquals(want.shape(), got.shape(), rel + ": shape");
        assertEquals(want.dtype(), got.dtype(), rel + ": dtype");
        if (want.dtype() == HostTensor.DType.FLOAT32) {
            compareFloats(rel, want.floats(), got.floats());
        } else if (want.dtype() == HostTensor.DType.INT64) {
            assertArrayEquals(want.longs(), got.longs(), rel);
        } else {
            assertArrayEquals(want.bools(), got.bools(), rel);
        }
    }

    private static void compareFloats(String what, float[] x, float[] y) {
        double diff = 0;
        double scale = 1e-30;
        for (int i = 0; i < x.length; i++) {
            assertTrue(Float.isFinite(y[i]), what + "[" + i + "] is " + y[i]);
            diff = Math.max(diff, Math.abs((double) x[i] - y[i]));
            scale = Math.max(scale, Math.abs(x[i]));
        }
        assertTrue(diff <= REL_TOL * scale, what + ": max |diff| " + diff + " > " + REL_TOL + " x max |value| " + scale);
    }

    private static float[] floats(byte[] raw) {
        float[] f = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    private static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                m.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return m;
    }

    private static JsonNode withoutChecksums(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = (ObjectNode) n;
            o.remove("sha256");
            o.fields().forEachRemaining(e -> withoutChecksums(e.getValue()));
        } else if (n.isArray()) {
            n.forEach(TinyBundleScriptTest::withoutChecksums);
        }
        return n;
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted()
                    .collect(Collectors.toList());
        }
    }
}
