package io.github.audioldm4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.TinyBundle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The step hook (diffusers' callback_on_step_end) of the one denoising loop. */
class StepCallbackTest {
    static ModelRuntime runtime;
    static AudioLdm2Pipeline pipeline;

    @BeforeAll
    static void open() {
        runtime = ModelRuntimes.createDefault();
        pipeline = AudioLdm2Pipeline.open(ModelBundle.open(TinyBundle.dir()), runtime, ModuleOptions.CPU_FP32);
    }

    @AfterAll
    static void close() {
        pipeline.close();
        runtime.close();
    }

    private static GenerationRequest request() {
        return GenerationRequest.builder("a dog barking").audioLengthS(0.32).numInferenceSteps(5).seed(11).build();
    }

    @Test
    void seesEveryStepAndTheFinalLatents() {
        List<StepCallback.StepEnd> seen = new ArrayList<>();
        GeneratedAudio out = pipeline.generate(request(), ProgressListener.NONE, CancellationToken.none(), end -> {
            seen.add(new StepCallback.StepEnd(end.index(), end.total(), end.timestep(), end.latents().clone(),
                    end.shape()));
            return null;
        });
        assertEquals(5, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i).index());
            assertEquals(5, seen.get(i).total());
            assertArrayEquals(out.latentShape(), seen.get(i).shape());
        }
        assertTrue(seen.get(0).timestep() > seen.get(4).timestep(), "timesteps descend");
        assertArrayEquals(out.latents(), seen.get(4).latents(), "the last step's latents are the result");
        // a hook that keeps the latents changes nothing
        assertArrayEquals(pipeline.generate(request()).latents(), out.latents());
    }

    @Test
    void replacingTheLatentsSteersTheRun() {
        float[] plain = pipeline.generate(request()).latents();
        float[] damped = pipeline.generate(request(), ProgressListener.NONE, CancellationToken.none(), end -> {
            if (end.index() != 2) {
                return null;
            }
            float[] x = end.latents().clone();
            for (int i = 0; i < x.length; i++) {
                x[i] *= 0.5f;
            }
            return x;
        }).latents();
        assertFalse(Arrays.equals(plain, damped));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipeline.generate(request(),
                ProgressListener.NONE, CancellationToken.none(), end -> new float[3]));
        assertTrue(e.getMessage().contains("StepCallback must return") && e.getMessage().contains("got 3 at step 0"),
                e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> pipeline.generate(request(), ProgressListener.NONE, CancellationToken.none(), null));
        assertEquals("callback must not be null", npe.getMessage());
    }
}
