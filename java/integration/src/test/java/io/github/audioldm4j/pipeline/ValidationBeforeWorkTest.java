package io.github.audioldm4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.scheduler.Schedulers;
import io.github.audioldm4j.testing.TinyBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11's probe: bad requests must fail before any model runs (each test uses a fresh pipeline
 * and checks that no component was loaded), with a message naming the parameter, the constraint
 * and the value; long prompts are reported; Thread.interrupt cancels between steps.
 */
class ValidationBeforeWorkTest {
    private ModelRuntime runtime;
    private AudioLdm2Pipeline pipeline;
    private final float[] signal = new float[8000];

    @BeforeEach
    void open() {
        runtime = ModelRuntimes.createDefault();
        pipeline = AudioLdm2Pipeline.open(ModelBundle.open(TinyBundle.dir()), runtime, ModuleOptions.CPU_FP32);
        for (int i = 0; i < signal.length; i++) {
            signal[i] = (float) (0.4 * Math.sin(2 * Math.PI * 330 * i / 16000.0));
        }
    }

    @AfterEach
    void close() {
        pipeline.close();
        runtime.close();
    }

    private void assertNoModelLoaded() {
        assertEquals(List.of(), pipeline.models().loadedComponents(), "no model may run before validation");
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected \"" + p + "\" in: " + message);
        }
    }

    @Test
    void stepsBeyondTheSchedulersRangeFailFirst() {
        // 1000 is inside GenerationRequest's bound but DDIM with steps_offset=1 tops out at 999
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipeline.generate(
                GenerationRequest.builder("a dog").audioLengthS(0.32).numInferenceSteps(1000).build()));
        assertContains(e.getMessage(), "numInferenceSteps must be in [1, 999] for DDIMScheduler", "steps_offset 1",
                "got 1000");
        assertNoModelLoaded();
        e = assertThrows(IllegalArgumentException.class, () -> pipeline.refine(signal,
                AudioToAudioRequest.builder().numInferenceSteps(1000).build()));
        assertContains(e.getMessage(), "numInferenceSteps must be in [1, 999]", "got 1000");
        assertNoModelLoaded();
    }

    @ParameterizedTest
    @ValueSource(strings = {"DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler",
            "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler", "HeunDiscreteScheduler"})
    void everySchedulerStatesItsRangeAndNoInternalExceptionEscapes(String cls) {
        SchedulerConfig cfg = SchedulerConfig.audioLdm2().with("_class_name", cls);
        int max = Schedulers.maxInferenceSteps(cfg);
        assertTrue(max >= 500 && max <= 1000, cls + " max " + max);
        if (max < 1000) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipeline.generate(
                    GenerationRequest.builder("a dog").audioLengthS(0.32).numInferenceSteps(max + 1).scheduler(cfg)
                            .build()));
            assertContains(e.getMessage(), "numInferenceSteps must be in [1, " + max + "] for " + cls,
                    "got " + (max + 1));
            assertNoModelLoaded();
        }
        // the stated maximum really runs (schedule only: a dry loop of the scheduler)
        var s = Schedulers.create(cfg);
        s.setTimesteps(max);
        float[] x = new float[4];
        for (float t : s.timesteps()) {
            x = s.step(new float[4], t, s.scaleModelInput(x, t), n -> new float[n]).prevSample();
        }
    }

    @Test
    void bandSplitCrossoverLimitsFailBeforeTheVae() {
        AudioToAudioRequest r = AudioToAudioRequest.builder().numInferenceSteps(4).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipeline.bandSplit(signal, r,
                7900, 500, ProgressListener.NONE, CancellationToken.none()));
        assertContains(e.getMessage(), "cutoffHz + transitionHz/2 must be < sampleRate/2 = 8000.0", "7900.0 + 500.0/2");
        assertNoModelLoaded();
        e = assertThrows(IllegalArgumentException.class, () -> pipeline.bandSplit(signal, r, 200, 500,
                ProgressListener.NONE, CancellationToken.none()));
        assertContains(e.getMessage(), "cutoffHz - transitionHz/2 must be > 0");
        assertNoModelLoaded();
    }

    @Test
    void maskOfTheWrongShapeFailsBeforeTheVae() {
        AudioToAudioRequest r = AudioToAudioRequest.builder().numInferenceSteps(4).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipeline.guidedReconstruct(signal,
                r, LatentMask.keepAll(3, 16), ProgressListener.NONE, CancellationToken.none()));
        assertContains(e.getMessage(), "mask must be", "x 16", "got 3 x 16");
        assertNoModelLoaded();
    }

    @Test
    void longPromptsAreReportedBeforeTheModelsRun() {
        String longPrompt = "a dog barking loudly in the rain ".repeat(30);
        List<String> warnings = new ArrayList<>();
        List<String> loadedAtWarning = new ArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void onStep(int step, int total, float timestep) {
            }

            @Override
            public void onWarning(String message) {
                warnings.add(message);
                loadedAtWarning.addAll(pipeline.models().loadedComponents());
            }
        };
        pipeline.generate(GenerationRequest.builder(longPrompt).audioLengthS(0.32).numInferenceSteps(2).build(), listener,
                CancellationToken.none());
        // the tiny bundle's tokenizers give this prompt > 512 CLAP and > 128 T5 tokens
        assertEquals(2, warnings.size(), warnings.toString());
        assertContains(warnings.get(0), "prompt 0 has", "CLAP tokens and is truncated to 512 (clap_max_length)");
        assertContains(warnings.get(1), "prompt 0 has", "T5 tokens and is truncated to 128 (t5_max_length)");
        assertEquals(List.of(), loadedAtWarning, "warned before any model ran");
        // a short prompt gives none
        warnings.clear();
        pipeline.generate(GenerationRequest.builder("a dog").audioLengthS(0.32).numInferenceSteps(2).build(), listener,
                CancellationToken.none());
        assertEquals(List.of(), warnings);
        // a negative prompt longer than the prompt is cut to the prompt's T5 length (diffusers quirk)
        pipeline.generate(GenerationRequest.builder("a dog").negativePrompts("low quality noisy muffled audio")
                .audioLengthS(0.32).numInferenceSteps(2).build(), listener, CancellationToken.none());
        assertEquals(1, warnings.size(), warnings.toString());
        assertContains(warnings.get(0), "negative prompt 0 has", "T5 tokens and is truncated to 3",
                "T5 length of the longest prompt");
    }

    @Test
    void threadInterruptCancelsBetweenSteps() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        int[] steps = {0};
        Thread t = new Thread(() -> {
            try {
                pipeline.generate(GenerationRequest.builder("a dog").audioLengthS(0.32).numInferenceSteps(20).build(),
                        (step, total, timestep) -> {
                            steps[0] = step;
                            if (step == 2) {
                                Thread.currentThread().interrupt();
                            }
                        }, CancellationToken.none());
            } catch (Throwable e) {
                thrown.set(e);
            }
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        t.start();
        t.join(120_000);
        assertTrue(thrown.get() instanceof PipelineCancelledException, String.valueOf(thrown.get()));
        assertContains(thrown.get().getMessage(), "interrupted before denoising step 3 of 20", "Thread.interrupt");
        assertEquals(2, steps[0], "stopped right after the interrupted step");
        assertEquals(Boolean.TRUE, stillInterrupted.get(), "the interrupt status is kept for the caller");
    }
}
