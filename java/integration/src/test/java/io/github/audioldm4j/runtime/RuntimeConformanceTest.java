package io.github.audioldm4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runtime conformance: the runtime selected by {@code -Daudioldm4j.runtime} (default presets)
 * reproduces the Python outputs of every tiny-bundle component and reports errors clearly.
 */
class RuntimeConformanceTest {
    static ModelRuntime runtime;

    @BeforeAll
    static void open() {
        runtime = ModelRuntimes.createDefault();
    }

    @AfterAll
    static void close() {
        runtime.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"clap_text", "clap_audio", "t5_encoder", "projection", "gpt2", "unet", "vae_encoder",
            "vae_decoder", "vocoder"})
    void reproducesPythonOutputs(String component) throws IOException {
        JsonNode index = new ObjectMapper().readTree(TinyBundle.file("reference/index.json").toFile());
        JsonNode ref = index.get("components").get(component);
        List<HostTensor> inputs = new ArrayList<>();
        for (JsonNode p : ref.get("inputs")) {
            inputs.add(Npy.read(TinyBundle.file(p.asText())));
        }
        try (LoadedModule m = runtime.load(TinyBundle.file(component + ".pt"), ModuleOptions.CPU_FP32)) {
            List<HostTensor> outputs = m.forward(inputs);
            assertEquals(ref.get("outputs").size(), outputs.size(), "number of outputs");
            for (int i = 0; i < outputs.size(); i++) {
                HostTensor expected = Npy.read(TinyBundle.file(ref.get("outputs").get(i).asText()));
                HostTensor actual = outputs.get(i);
                assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), "shape of output " + i);
                assertEquals(expected.dtype(), actual.dtype(), "dtype of output " + i);
                if (expected.dtype() == HostTensor.DType.FLOAT32) {
                    double maxErr = 0;
                    float[] e = expected.floats();
                    float[] a = actual.floats();
                    for (int j = 0; j < e.length; j++) {
                        maxErr = Math.max(maxErr, Math.abs(e[j] - a[j]));
                    }
                    assertTrue(maxErr <= 1e-5, component + " output " + i + " max abs error " + maxErr + " > 1e-5");
                } else if (expected.dtype() == HostTensor.DType.INT64) {
                    assertTrue(Arrays.equals(expected.longs(), actual.longs()), component + " output " + i);
                }
            }
        }
        assertEquals(0, runtime.liveHandles(), "no native handles after closing the module");
    }

    @Test
    void missingFileIsRejectedWithPath(@TempDir Path tmp) {
        Path missing = tmp.resolve("nope.pt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runtime.load(missing, ModuleOptions.CPU_FP32));
        assertTrue(e.getMessage().contains("nope.pt") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void directoryIsRejected(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runtime.load(tmp, ModuleOptions.CPU_FP32));
        assertTrue(e.getMessage().contains("regular file"), e.getMessage());
    }

    @Test
    void garbageFileFailsToLoad(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("bad.pt");
        Files.writeString(bad, "this is not a TorchScript archive");
        ModelRuntimeException e = assertThrows(ModelRuntimeException.class,
                () -> runtime.load(bad, ModuleOptions.CPU_FP32));
        assertTrue(e.getMessage().contains("bad.pt") && e.getMessage().contains("cannot load"), e.getMessage());
        assertEquals(0, runtime.liveHandles());
    }

    @Test
    void truncatedModuleFailsToLoad(@TempDir Path tmp) throws IOException {
        byte[] good = Files.readAllBytes(TinyBundle.file("vocoder.pt"));
        Path bad = tmp.resolve("truncated.pt");
        Files.write(bad, Arrays.copyOf(good, good.length / 2));
        assertThrows(ModelRuntimeException.class, () -> runtime.load(bad, ModuleOptions.CPU_FP32));
    }

    @Test
    void wrongInputShapeIsAModelRuntimeException() {
        try (LoadedModule m = runtime.load(TinyBundle.file("vae_encoder.pt"), ModuleOptions.CPU_FP32)) {
            HostTensor wrong = HostTensor.ofFloats(new float[2 * 3 * 5], 2, 3, 5);
            ModelRuntimeException e = assertThrows(ModelRuntimeException.class, () -> m.forward(wrong));
            assertTrue(e.getMessage().contains("vae_encoder.pt") && e.getMessage().contains("[2, 3, 5]"),
                    e.getMessage());
            // the module is still usable after a failed call
            HostTensor ok = HostTensor.ofFloats(new float[8 * 64], 1, 1, 8, 64);
            assertEquals(List.of(1L, 16L, 2L, 16L), Arrays.stream(m.forward(ok).get(0).shape()).boxed().toList());
        }
    }

    @Test
    void wrongArgumentCountIsAModelRuntimeException() {
        try (LoadedModule m = runtime.load(TinyBundle.file("vocoder.pt"), ModuleOptions.CPU_FP32)) {
            HostTensor x = HostTensor.ofFloats(new float[4 * 64], 1, 4, 64);
            assertThrows(ModelRuntimeException.class, () -> m.forward(x, x));
        }
    }

    @Test
    void nullInputsAreRejected() {
        try (LoadedModule m = runtime.load(TinyBundle.file("vocoder.pt"), ModuleOptions.CPU_FP32)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward((List<HostTensor>) null));
            assertTrue(e.getMessage().contains("inputs"), e.getMessage());
            List<HostTensor> withNull = new ArrayList<>();
            withNull.add(null);
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(withNull));
            assertTrue(e.getMessage().contains("inputs[0]"), e.getMessage());
            long[] shape17 = new long[17];
            java.util.Arrays.fill(shape17, 1);
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(HostTensor.ofFloats(new float[1], shape17)));
            assertTrue(e.getMessage().contains("inputs[0] rank must be <= 16, got 17"), e.getMessage());
        }
    }

    @Test
    void closedModuleRefusesCallsAndCloseIsIdempotent() {
        LoadedModule m = runtime.load(TinyBundle.file("vocoder.pt"), ModuleOptions.CPU_FP32);
        assertEquals(1, runtime.liveHandles());
        m.close();
        m.close();
        assertEquals(0, runtime.liveHandles());
        HostTensor x = HostTensor.ofFloats(new float[4 * 64], 1, 4, 64);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.forward(x));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void unavailableCudaDeviceIsRejected() {
        if (runtime.isAvailable(Device.cuda(0))) {
            return; // covered by the GPU checks in BENCHMARKS.md instead
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runtime.load(TinyBundle.file("vocoder.pt"), new ModuleOptions(Device.cuda(0), Precision.FP32)));
        assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
    }

    /**
     * The VAE encoder, not the vocoder: libtorch 1.13 (Debian's, which the shim runtime is tested
     * with) has no working BF16 transposed convolution on the CPU (fixed in 2.0), so BF16 vocoder and
     * VAE decoder calls fail there.
     */
    @Test
    void bf16OnCpuRunsAndStaysClose() {
        HostTensor mel = Npy.read(TinyBundle.file("reference/vae_encoder.in0.npy"));
        float[] ref = Npy.read(TinyBundle.file("reference/vae_encoder.out0.npy")).floats();
        try (LoadedModule m = runtime.load(TinyBundle.file("vae_encoder.pt"), new ModuleOptions(Device.CPU, Precision.BF16))) {
            HostTensor out = m.forward(mel).get(0);
            assertEquals(HostTensor.DType.FLOAT32, out.dtype(), "outputs come back as float32");
            double num = 0;
            double den = 0;
            for (int i = 0; i < ref.length; i++) {
                num += (out.floats()[i] - ref[i]) * (out.floats()[i] - ref[i]);
                den += ref[i] * ref[i];
            }
            double rel = Math.sqrt(num / den);
            assertTrue(rel < 0.1, "bf16 relative L2 error " + rel);
            assertTrue(rel > 0, "bf16 must actually change the arithmetic, relative error " + rel);
        }
    }

    @Test
    void timestepsStayFloat32UnderBf16() {
        // bf16 rounds 991 to 992; the runtime must pass rank-1 floats (timesteps) through as float32
        HostTensor sample = Npy.read(TinyBundle.file("reference/unet.in0.npy"));
        HostTensor ehs = Npy.read(TinyBundle.file("reference/unet.in2.npy"));
        HostTensor ehs1 = Npy.read(TinyBundle.file("reference/unet.in3.npy"));
        HostTensor mask = Npy.read(TinyBundle.file("reference/unet.in4.npy"));
        try (LoadedModule m = runtime.load(TinyBundle.file("unet.pt"), new ModuleOptions(Device.CPU, Precision.BF16))) {
            float[] a = m.forward(sample, HostTensor.ofFloats(new float[] {991f, 991f}, 2), ehs, ehs1, mask).get(0).floats();
            float[] b = m.forward(sample, HostTensor.ofFloats(new float[] {992f, 992f}, 2), ehs, ehs1, mask).get(0).floats();
            assertTrue(!Arrays.equals(a, b), "timestep 991 must not be rounded to 992 in bf16");
        }
    }

    @Test
    void runtimeDescribesItself() {
        assertTrue(runtime.describe().contains("libtorch"), runtime.describe());
        assertTrue(ModelRuntimes.available().contains(runtime.name()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelRuntimes.create("nope"));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains(runtime.name()), e.getMessage());
    }
}
