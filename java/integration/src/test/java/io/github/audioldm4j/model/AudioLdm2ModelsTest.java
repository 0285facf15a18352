package io.github.audioldm4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.runtime.Device;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.runtime.Precision;
import io.github.audioldm4j.testing.TinyBundle;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioLdm2ModelsTest {
    static ModelRuntime runtime;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        runtime = ModelRuntimes.createDefault();
    }

    @AfterAll
    static void close() {
        runtime.close();
    }

    private ModelBundle edited(Consumer<ObjectNode> edit) throws Exception {
        Path b = TinyBundle.copyTo(tmp.resolve("b"));
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(b.resolve("manifest.json").toFile());
        edit.accept(root);
        m.writeValue(b.resolve("manifest.json").toFile(), root);
        return ModelBundle.open(b);
    }

    @Test
    void precisionRules() throws Exception {
        ModelBundle bundle = ModelBundle.open(TinyBundle.dir());
        ModuleOptions fp16 = new ModuleOptions(Device.cuda(0), Precision.FP16);
        try (AudioLdm2Models m = AudioLdm2Models.open(bundle, runtime, fp16)) {
            assertEquals(Precision.FP16, m.optionsFor("unet").precision());
            assertEquals(Precision.FP32, m.optionsFor("vae_decoder").precision(), "VAE upcast");
            assertEquals(Precision.FP32, m.optionsFor("vae_encoder").precision(), "VAE upcast");
        }
        ModuleOptions bf16Vae = new ModuleOptions(Device.CPU, Precision.BF16);
        try (AudioLdm2Models m = AudioLdm2Models.open(bundle, runtime, ModuleOptions.CPU_FP32,
                Map.of("vae_decoder", bf16Vae))) {
            assertEquals(bf16Vae, m.optionsFor("vae_decoder"));
            assertEquals(ModuleOptions.CPU_FP32, m.optionsFor("unet"));
        }
        ModelBundle bf16Export = edited(r -> ((ObjectNode) r.get("components").get("unet")).put("dtype", "bfloat16"));
        try (AudioLdm2Models m = AudioLdm2Models.open(bf16Export, runtime, ModuleOptions.CPU_FP32)) {
            assertEquals(Precision.BF16, m.optionsFor("unet").precision(), "exported dtype wins");
        }
        ModelBundle fp16Export = edited(r -> ((ObjectNode) r.get("components").get("unet")).put("dtype", "float16"));
        try (AudioLdm2Models m = AudioLdm2Models.open(fp16Export, runtime, ModuleOptions.CPU_FP32)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.optionsFor("unet"));
            assertTrue(e.getMessage().contains("float16") && e.getMessage().contains("cpu"), e.getMessage());
        }
    }

    @Test
    void tracedDeviceMustMatch() throws Exception {
        ModelBundle cudaTraced = edited(r -> ((ObjectNode) r.get("export")).put("device", "cuda:0"));
        try (AudioLdm2Models m = AudioLdm2Models.open(cudaTraced, runtime, ModuleOptions.CPU_FP32)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.vocoder());
            assertTrue(e.getMessage().contains("exported on cuda:0") && e.getMessage().contains("got device cpu"),
                    e.getMessage());
        }
    }

    @Test
    void overridesMustNameComponentsAndCloseReleasesEverything() {
        ModelBundle bundle = ModelBundle.open(TinyBundle.dir());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioLdm2Models.open(bundle,
                runtime, ModuleOptions.CPU_FP32, Map.of("decoder", ModuleOptions.CPU_FP32)));
        assertTrue(e.getMessage().contains("\"decoder\""), e.getMessage());
        AudioLdm2Models m = AudioLdm2Models.open(bundle, runtime, ModuleOptions.CPU_FP32);
        m.vocoder();
        m.unet();
        assertEquals(2, runtime.liveHandles());
        m.close();
        m.close();
        assertEquals(0, runtime.liveHandles());
        assertThrows(IllegalStateException.class, m::vocoder);
    }
}
