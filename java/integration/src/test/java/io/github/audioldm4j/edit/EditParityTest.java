package io.github.audioldm4j.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.model.AudioLdm2Models;
import io.github.audioldm4j.model.UNet;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.Denoiser;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.pipeline.StepCallback;
import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.scheduler.DDIMScheduler;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.testing.TinyBundle;
import io.github.audioldm4j.text.Conditioning;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DDIM inversion and edit-friendly DDPM inversion against the independent Python reference
 * ({@code torchscript-models/make_inversion_reference.py}, written from the papers, run with
 * torch on the tiny bundle's UNet): equal to 1e-4 of each tensor's magnitude.
 */
class EditParityTest {
    static final double TOL = 1e-4;
    static ModelRuntime runtime;
    static AudioLdm2Models models;
    static JsonNode index;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void open() throws Exception {
        runtime = ModelRuntimes.createDefault();
        models = AudioLdm2Models.open(ModelBundle.open(TinyBundle.dir()), runtime, ModuleOptions.CPU_FP32,
                java.util.Map.of());
        index = new ObjectMapper().readTree(resource("index.json").toFile());
    }

    @AfterAll
    static void close() {
        models.close();
        runtime.close();
    }

    static Path resource(String name) throws Exception {
        Path p = tmp.resolve(name);
        if (!Files.exists(p)) {
            try (InputStream in = EditParityTest.class.getResourceAsStream("/edit-parity/" + name)) {
                Files.copy(in, p);
            }
        }
        return p;
    }

    static HostTensor npy(String name) throws Exception {
        return Npy.read(resource(name + ".npy"));
    }

    static Conditioning cond(String which) throws Exception {
        return new Conditioning(npy("cond_" + which + "_generated"), npy("cond_" + which + "_t5"),
                npy("cond_" + which + "_mask"), 1, 1, true);
    }

    static DDIMScheduler scheduler() {
        DDIMScheduler s = new DDIMScheduler(SchedulerConfig.audioLdm2());
        s.setTimesteps(index.get("steps").asInt());
        return s;
    }

    static void assertClose(String what, float[] expected, float[] actual) {
        double d = 0;
        double scale = 1e-30;
        for (int i = 0; i < expected.length; i++) {
            d = Math.max(d, Math.abs((double) expected[i] - actual[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        System.out.printf("[edit-parity] %s: max |diff| / max |ref| = %.2e%n", what, d / scale);
        assertTrue(d <= TOL * scale, what + ": max |diff| " + d + " > " + TOL + " x " + scale);
    }

    @Test
    void ddimInversionAndReconstructionMatchTheReference() throws Exception {
        UNet unet = models.unet();
        HostTensor x0 = npy("x0");
        double g = index.get("guidance").asDouble();
        DDIMScheduler s = scheduler();
        float[] expectedTs = new float[index.get("timesteps").size()];
        for (int i = 0; i < expectedTs.length; i++) {
            expectedTs[i] = index.get("timesteps").get(i).asInt();
        }
        assertArrayEquals(expectedTs, s.timesteps());
        float[] noise = DdimInversion.invert(unet, s, x0.floats(), x0.shape(), cond("src"), g, ProgressListener.NONE,
                CancellationToken.none());
        assertClose("ddim inverted noise", npy("ddim_noise").floats(), noise);
        float[] back = Denoiser.run(new Denoiser.Job(unet, s, s.timesteps(), noise, x0.shape(), cond("src"), g,
                n -> new float[n], null), StepCallback.NONE, ProgressListener.NONE, CancellationToken.none());
        assertClose("ddim reconstruction", npy("ddim_reconstruction").floats(), back);
    }

    @Test
    void ddpmInversionReconstructionAndEditMatchTheReference() throws Exception {
        UNet unet = models.unet();
        HostTensor x0 = npy("x0");
        double g = index.get("guidance").asDouble();
        HostTensor levelNoise = npy("level_noise");
        int per = x0.floats().length;
        int[] next = {0};
        NoiseSource replay = n -> Arrays.copyOfRange(levelNoise.floats(), next[0] * per, (next[0]++ + 1) * per);
        DDIMScheduler s = scheduler();
        DdpmInversion.Inverted inv = DdpmInversion.invert(unet, s, x0.floats(), x0.shape(), cond("src"), g, replay,
                ProgressListener.NONE, CancellationToken.none());
        float[] maps = new float[inv.noiseMaps().length * per];
        for (int i = 0; i < inv.noiseMaps().length; i++) {
            System.arraycopy(inv.noiseMaps()[i], 0, maps, i * per, per);
        }
        assertClose("ddpm noise maps", npy("ddpm_maps").floats(), maps);
        assertClose("ddpm reconstruction", npy("ddpm_reconstruction").floats(),
                DdpmInversion.regenerate(unet, s, inv, 0, cond("src"), g, ProgressListener.NONE, CancellationToken.none()));
        assertClose("ddpm edit", npy("ddpm_edit").floats(), DdpmInversion.regenerate(unet, s, inv,
                index.get("start_index").asInt(), cond("tgt"), index.get("target_guidance").asDouble(),
                ProgressListener.NONE, CancellationToken.none()));
    }
}
