package io.github.audioldm4j.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsAllDtypes() {
        HostTensor f = HostTensor.ofFloats(new float[] {1.5f, -2f, Float.MIN_VALUE, 3e38f, 0f, -0f}, 2, 3);
        HostTensor l = HostTensor.ofLongs(new long[] {Long.MIN_VALUE, 0, 7}, 3);
        HostTensor b = HostTensor.ofBools(new boolean[] {true, false}, 1, 2);
        HostTensor s = HostTensor.scalar(4f);
        for (HostTensor t : new HostTensor[] {f, l, b, s}) {
            Path p = tmp.resolve("t.npy");
            Npy.write(p, t);
            HostTensor r = Npy.read(p);
            assertEquals(t.dtype(), r.dtype());
            assertArrayEquals(t.shape(), r.shape());
            switch (t.dtype()) {
                case FLOAT32: assertArrayEquals(t.floats(), r.floats()); break;
                case INT64: assertArrayEquals(t.longs(), r.longs()); break;
                default: assertArrayEquals(t.bools(), r.bools()); break;
            }
        }
    }

    @Test
    void readsNumpyWrittenFiles() {
        HostTensor t = Npy.read(TinyBundle.file("reference/unet.in4.npy"));
        assertEquals(HostTensor.DType.INT64, t.dtype());
        assertEquals("[2, 7]", Arrays.toString(t.shape()));
        HostTensor b = Npy.read(TinyBundle.file("reference/clap_audio.in1.npy"));
        assertEquals(HostTensor.DType.BOOL, b.dtype());
        assertArrayEquals(new boolean[] {false, true}, b.bools());
    }

    @Test
    void rejectsNonNpyAndTruncatedFiles() throws IOException {
        Path junk = Files.writeString(tmp.resolve("junk.npy"), "hello world, not numpy");
        BundleException e = assertThrows(BundleException.class, () -> Npy.read(junk));
        assertTrue(e.getMessage().contains("junk.npy") && e.getMessage().contains("magic"), e.getMessage());
        byte[] good = Files.readAllBytes(TinyBundle.file("reference/unet.in0.npy"));
        Path cut = tmp.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(good, good.length - 10));
        e = assertThrows(BundleException.class, () -> Npy.read(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = assertThrows(BundleException.class, () -> Npy.read(tmp.resolve("missing.npy")));
        assertTrue(e.getMessage().contains("missing.npy"), e.getMessage());
    }
}
