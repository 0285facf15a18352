package io.github.audioldm4j.runtime.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntimeException;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.Precision;
import io.github.audioldm4j.testing.TinyBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shim-specific behaviour on top of the runtime conformance suite: native handle counting, error
 * formatting, the CUDA switches of a CPU-only build, NULL safety through the binding, concurrency,
 * and isolation from the presets' libtorch. Runs in the shim's own JVM (Maven execution shim-test).
 */
class ShimRuntimeNativeTest {
    private static final ModuleOptions CPU = ModuleOptions.CPU_FP32;

    @BeforeEach
    void requireLibrary() {
        ShimTesting.assumeShimUsable();
    }

    private static HostTensor encoderInput() {
        return Npy.read(TinyBundle.file("reference/vae_encoder.in0.npy"));
    }

    private static float[] encoderReference() {
        return Npy.read(TinyBundle.file("reference/vae_encoder.out0.npy")).floats();
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "length");
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void handleCountReturnsToOpenModulesAfterEveryCall() {
        long processBefore = Aldm2.liveHandles();
        try (ShimRuntime rt = new ShimRuntime()) {
            assertEquals(processBefore + 1, Aldm2.liveHandles(), "the runtime itself");
            assertEquals(0, rt.liveHandles());
            LoadedModule encoder = rt.load(TinyBundle.file("vae_encoder.pt"), CPU);
            LoadedModule vocoder = rt.load(TinyBundle.file("vocoder.pt"), CPU);
            assertEquals(2, rt.liveHandles());
            HostTensor mel = Npy.read(TinyBundle.file("reference/vocoder.in0.npy"));
            HostTensor wrong = HostTensor.ofFloats(new float[30], 2, 3, 5);
            for (int i = 0; i < 50; i++) {
                encoder.forward(encoderInput());
                assertEquals(2, rt.liveHandles(), "after encoder call " + i);
                vocoder.forward(mel);
                assertEquals(2, rt.liveHandles(), "after vocoder call " + i);
                assertThrows(ModelRuntimeException.class, () -> encoder.forward(wrong));
                assertEquals(2, rt.liveHandles(), "after failed call " + i);
                assertEquals(processBefore + 3, Aldm2.liveHandles(), "process-wide after call " + i);
            }
            encoder.close();
            assertEquals(1, rt.liveHandles());
        }
        assertEquals(processBefore, Aldm2.liveHandles(), "closing the runtime frees the vocoder and itself");
    }

    @Test
    void forwardFailureNamesFunctionStatusAndCause() {
        try (ShimRuntime rt = new ShimRuntime(); LoadedModule m = rt.load(TinyBundle.file("vae_encoder.pt"), CPU)) {
            ModelRuntimeException e = assertThrows(ModelRuntimeException.class,
                    () -> m.forward(HostTensor.ofFloats(new float[30], 2, 3, 5)));
            assertTrue(e.getMessage().startsWith("forward of vae_encoder.pt failed for inputs [HostTensor[FLOAT32 [2, 3, 5]]]: "
                    + "aldm2_module_forward failed (status 5 FORWARD_FAILED): RuntimeError: "), e.getMessage());
            assertTrue(e.getMessage().contains("channels"), e.getMessage());
            ShimErrors.NativeMessage cause = assertInstanceOf(ShimErrors.NativeMessage.class, e.getCause());
            assertTrue(cause.getMessage().contains("Traceback of TorchScript"), cause.getMessage());
        }
    }

    @Test
    void loadFailureNamesFunctionStatusAndFile(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("bad.pt");
        Files.writeString(bad, "not a zip archive");
        try (ShimRuntime rt = new ShimRuntime()) {
            ModelRuntimeException e = assertThrows(ModelRuntimeException.class, () -> rt.load(bad, CPU));
            assertTrue(e.getMessage().startsWith("cannot load TorchScript module " + bad + " on cpu as FP32: "
                    + "aldm2_module_load failed (status 4 LOAD_FAILED): cannot load TorchScript module '"
                    + bad.toAbsolutePath() + "'"), e.getMessage());
            assertEquals(0, rt.liveHandles());
        }
    }

    @Test
    void cudaGraphNeedsACudaDevice() {
        try (ShimRuntime rt = new ShimRuntime()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rt.load(TinyBundle.file("unet.pt"), CPU, true));
            assertEquals("cudaGraph requires a CUDA device, got cpu", e.getMessage());
        }
    }

    @Test
    void cpuOnlyBuildReportsCudaAsUnsupported() {
        assumeTrue(Aldm2.hasCuda() == 0, "this build has CUDA");
        try (ShimRuntime rt = new ShimRuntime()) {
            assertTrue(rt.describe().contains("CUDA off"), rt.describe());
            assertFalse(rt.isAvailable(Device.cuda(0)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rt.load(TinyBundle.file("unet.pt"), new ModuleOptions(Device.cuda(0), Precision.FP16), true));
            assertTrue(e.getMessage().contains("device cuda:0 is not available"), e.getMessage());
        }
        // the library itself answers UNSUPPORTED, for the graph flag even on a CPU device
        Aldm2.RuntimeHandle rt = new Aldm2.RuntimeHandle();
        assertEquals(Aldm2.STATUS_OK, Aldm2.runtimeNew(null, rt));
        try (Aldm2.LoadParams params = new Aldm2.LoadParams()) {
            assertEquals(Aldm2.STATUS_OK, Aldm2.loadParamsInit(params));
            params.cudaGraph(1);
            Aldm2.ModuleHandle m = new Aldm2.ModuleHandle();
            int status = Aldm2.moduleLoad(rt, TinyBundle.file("unet.pt").toString(), params, m);
            assertEquals(Aldm2.STATUS_UNSUPPORTED, status, Aldm2.lastError());
            assertTrue(m.isNull(), "no module on failure");
            assertTrue(Aldm2.lastError().contains("cuda_graph is unsupported"), Aldm2.lastError());
            params.cudaGraph(0).deviceType(Aldm2.DEVICE_CUDA);
            assertEquals(Aldm2.STATUS_UNSUPPORTED, Aldm2.moduleLoad(rt, TinyBundle.file("unet.pt").toString(), params, m));
        } finally {
            assertEquals(Aldm2.STATUS_OK, Aldm2.runtimeFree(rt));
        }
    }

    @Test
    void freeAcceptsNullAndNullHandlesAreRejected() {
        assertEquals(Aldm2.STATUS_OK, Aldm2.moduleFree(null));
        assertEquals(Aldm2.STATUS_OK, Aldm2.runtimeFree(null));
        assertEquals(Aldm2.STATUS_INVALID_ARGUMENT, Aldm2.moduleForward(null));
        assertEquals("m must not be NULL", Aldm2.lastError());
        assertEquals("", Aldm2.moduleLastError(null));
        int[] count = {-1};
        assertEquals(Aldm2.STATUS_INVALID_ARGUMENT, Aldm2.moduleOutputCount(null, count));
        assertEquals(-1, count[0], "nothing written on failure");
    }

    @Test
    void javaConstantsMatchTheLibrary() {
        String[] statuses = {"OK", "INVALID_ARGUMENT", "UNSUPPORTED", "NOT_FOUND", "LOAD_FAILED", "FORWARD_FAILED",
                "BAD_STATE", "OUT_OF_MEMORY", "INTERNAL"};
        int[] values = {Aldm2.STATUS_OK, Aldm2.STATUS_INVALID_ARGUMENT, Aldm2.STATUS_UNSUPPORTED, Aldm2.STATUS_NOT_FOUND,
                Aldm2.STATUS_LOAD_FAILED, Aldm2.STATUS_FORWARD_FAILED, Aldm2.STATUS_BAD_STATE,
                Aldm2.STATUS_OUT_OF_MEMORY, Aldm2.STATUS_INTERNAL};
        assertEquals(Aldm2.STATUS_COUNT, statuses.length);
        for (int i = 0; i < values.length; i++) {
            assertEquals(statuses[i], Aldm2.statusName(values[i]));
        }
        assertEquals("UNKNOWN", Aldm2.statusName(Aldm2.STATUS_COUNT));
        assertEquals("F32", Aldm2.dtypeName(Aldm2.DTYPE_F32));
        assertEquals("F16", Aldm2.dtypeName(Aldm2.DTYPE_F16));
        assertEquals("BF16", Aldm2.dtypeName(Aldm2.DTYPE_BF16));
        assertEquals("I64", Aldm2.dtypeName(Aldm2.DTYPE_I64));
        assertEquals("BOOL", Aldm2.dtypeName(Aldm2.DTYPE_BOOL));
        assertEquals("UNKNOWN", Aldm2.dtypeName(Aldm2.DTYPE_COUNT));
        assertTrue(Aldm2.version().startsWith(ShimLibrary.ABI + "."), Aldm2.version());
    }

    @Test
    void closingTheRuntimeClosesItsModules() {
        ShimRuntime rt = new ShimRuntime();
        LoadedModule m = rt.load(TinyBundle.file("vae_encoder.pt"), CPU);
        rt.close();
        rt.close();
        assertEquals(0, rt.liveHandles());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.forward(encoderInput()));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> rt.load(TinyBundle.file("vae_encoder.pt"), CPU));
        assertEquals("runtime shim is closed", e.getMessage());
        m.close();
    }

    @Test
    void modulesRunConcurrentlyFromSeveralThreads() throws Exception {
        float[] ref = encoderReference();
        try (ShimRuntime rt = new ShimRuntime()) {
            List<LoadedModule> modules = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                modules.add(rt.load(TinyBundle.file("vae_encoder.pt"), CPU));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Double>> results = new ArrayList<>();
                for (LoadedModule m : modules) {
                    results.add(pool.submit(() -> {
                        double worst = 0;
                        for (int i = 0; i < 25; i++) {
                            worst = Math.max(worst, maxAbsDiff(ref, m.forward(encoderInput()).get(0).floats()));
                        }
                        return worst;
                    }));
                }
                for (Future<Double> f : results) {
                    double err = f.get();
                    assertTrue(err <= 1e-5, "max abs error " + err);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(4, rt.liveHandles());
        }
    }

    /**
     * Documents a libtorch limitation rather than a shim one: BF16 transposed convolutions on the CPU
     * fail in libtorch 1.x (the mkldnn path checks the weight as if it were a forward convolution)
     * and work from 2.0 on.
     */
    @Test
    void bf16VocoderOnCpuNeedsLibtorch2() {
        Matcher v = Pattern.compile("libtorch (\\d+)\\.").matcher(Aldm2.buildInfo());
        assertTrue(v.find(), Aldm2.buildInfo());
        int major = Integer.parseInt(v.group(1));
        HostTensor mel = Npy.read(TinyBundle.file("reference/vocoder.in0.npy"));
        try (ShimRuntime rt = new ShimRuntime();
                LoadedModule m = rt.load(TinyBundle.file("vocoder.pt"), new ModuleOptions(Device.CPU, Precision.BF16))) {
            if (major < 2) {
                ModelRuntimeException e = assertThrows(ModelRuntimeException.class, () -> m.forward(mel));
                assertTrue(e.getMessage().contains("FORWARD_FAILED"), e.getMessage());
            } else {
                float[] ref = Npy.read(TinyBundle.file("reference/vocoder.out0.npy")).floats();
                assertTrue(maxAbsDiff(ref, m.forward(mel).get(0).floats()) < 0.1);
            }
            assertEquals(1, rt.liveHandles());
        }
    }

    @Test
    void theShimIsTheOnlyLibtorchInTheProcess() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs /proc/self/maps");
        try (ShimRuntime rt = new ShimRuntime(); LoadedModule m = rt.load(TinyBundle.file("vae_encoder.pt"), CPU)) {
            m.forward(encoderInput());
            Set<String> libtorchFiles = new TreeSet<>();
            for (String line : ShimTesting.mappedFiles()) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String path = line.substring(slash);
                assertFalse(path.contains("jnitorch") || path.contains("/org/bytedeco/pytorch/"),
                        "the presets' libtorch is mapped: " + path);
                if (path.contains("libtorch_cpu")) {
                    libtorchFiles.add(path);
                }
            }
            assertEquals(1, libtorchFiles.size(), "exactly one libtorch_cpu mapped: " + libtorchFiles);
            assertTrue(rt.describe().contains("libtorch") && rt.describe().contains(rt.library().toString()),
                    rt.describe());
        }
    }

    @Test
    void serviceLoaderFindsTheShim() {
        assertTrue(ModelRuntimes.available().contains(ShimRuntime.NAME), ModelRuntimes.available().toString());
        try (var rt = ModelRuntimes.create("SHIM")) {
            assertInstanceOf(ShimRuntime.class, rt);
        }
    }
}
