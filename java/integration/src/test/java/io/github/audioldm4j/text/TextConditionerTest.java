package io.github.audioldm4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.model.AudioLdm2Models;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.TorchOutputs;
import io.github.audioldm4j.testing.TinyBundle;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TextConditionerTest {
    static ModelRuntime runtime;
    static AudioLdm2Models models;
    static TextConditioner conditioner;

    @BeforeAll
    static void open() {
        runtime = ModelRuntimes.createDefault();
        models = AudioLdm2Models.open(ModelBundle.open(TinyBundle.dir()), runtime, ModuleOptions.CPU_FP32);
        conditioner = new TextConditioner(models);
    }

    @AfterAll
    static void close() {
        conditioner.close();
        models.close();
        runtime.close();
    }

    private static float[] row(HostTensor t, int r) {
        int n = (int) (t.numel() / t.dim(0));
        return Arrays.copyOfRange(t.floats(), r * n, (r + 1) * n);
    }

    private static long[] longRow(HostTensor t, int r) {
        int n = (int) (t.numel() / t.dim(0));
        return Arrays.copyOfRange(t.longs(), r * n, (r + 1) * n);
    }

    @Test
    void shapesAndRowOrderWithGuidance() {
        List<String> prompts = List.of("a dog barking", "rain on the wooden surface with a hammer");
        Conditioning c = conditioner.encode(prompts, null, 2, true, 8);
        TextTokenizer t5 = new TextTokenizer(TinyBundle.file("tokenizers/t5.json"), 0);
        int lt = Math.max(t5.encode(prompts.get(0), 128).length, t5.encode(prompts.get(1), 128).length);
        t5.close();
        assertEquals("[8, 8, 768]", Arrays.toString(c.generated().shape()));
        assertEquals("[8, " + lt + ", 1024]", Arrays.toString(c.t5Hidden().shape()));
        assertEquals("[8, " + lt + "]", Arrays.toString(c.t5Mask().shape()));
        assertEquals(4, c.latentBatch());
        // rows: neg(p0) neg(p0) neg(p1) neg(p1) | p0 p0 p1 p1. Rows with the same input agree up to
        // the BLAS kernel (not bit-equal: see TorchOutputs), rows of other inputs differ clearly.
        TorchOutputs.assertSameUpToKernel(row(c.generated(), 4), row(c.generated(), 5), "rows 4/5 (p0 copies)");
        TorchOutputs.assertSameUpToKernel(row(c.generated(), 6), row(c.generated(), 7), "rows 6/7 (p1 copies)");
        TorchOutputs.assertClearlyDifferent(row(c.generated(), 4), row(c.generated(), 6), "rows 4/6 (p0 vs p1)");
        // both negatives are "" -> the same rows, different from the prompt rows
        TorchOutputs.assertSameUpToKernel(row(c.generated(), 0), row(c.generated(), 2), "rows 0/2 (empty negatives)");
        TorchOutputs.assertClearlyDifferent(row(c.generated(), 0), row(c.generated(), 4), "rows 0/4 (negative vs p0)");
        // the unconditional T5 row is "</s>" padded to Lt: mask 1 then zeros
        long[] negMask = longRow(c.t5Mask(), 0);
        assertEquals(1, negMask[0]);
        assertEquals(0, Arrays.stream(negMask).skip(1).sum());
        // the longer prompt has a full mask
        assertEquals(lt, Arrays.stream(longRow(c.t5Mask(), 6)).sum());
    }

    @Test
    void withoutGuidanceOnlyPromptRows() {
        Conditioning c = conditioner.encode(List.of("a dog"), null, 1, false, 8);
        assertEquals(1, c.generated().dim(0));
        assertFalse(c.guided());
    }

    @Test
    void negativePromptIsTruncatedToThePositiveLength() {
        Conditioning c = conditioner.encode(List.of("a dog"), List.of("the rain on the wooden surface with a hammer hitting"),
                1, true, 8);
        long lt = c.t5Mask().dim(1);
        assertEquals(3, lt, "'a dog' is 2 tokens plus </s>");
        assertEquals(lt, Arrays.stream(longRow(c.t5Mask(), 0)).sum(), "negative row is truncated, all ones");
    }

    @Test
    void deterministic() {
        Conditioning a = conditioner.encode(List.of("hammer hitting wood"), null, 1, true, 8);
        Conditioning b = conditioner.encode(List.of("hammer hitting wood"), null, 1, true, 8);
        assertArrayEquals(a.generated().floats(), b.generated().floats());
        assertArrayEquals(a.t5Hidden().floats(), b.t5Hidden().floats());
    }

    @Test
    void gpt2LoopAppendsLastHiddenStates() {
        // a 2-token generation equals feeding step-1's output back by hand
        HostTensor emb = HostTensor.ofFloats(new float[1 * 3 * 768], 1, 3, 768);
        float[] e = emb.floats();
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) Math.sin(0.01 * i);
        }
        HostTensor mask = HostTensor.ofLongs(new long[] {1, 1, 1}, 1, 3);
        HostTensor gen = Gpt2Generator.generate(models.gpt2(), emb, mask, 2);
        HostTensor first = models.gpt2().forward(emb, mask);
        float[] last = Arrays.copyOfRange(first.floats(), 2 * 768, 3 * 768);
        assertArrayEquals(last, Arrays.copyOfRange(gen.floats(), 0, 768));
        float[] emb2 = Arrays.copyOf(e, 4 * 768);
        System.arraycopy(last, 0, emb2, 3 * 768, 768);
        HostTensor second = models.gpt2().forward(HostTensor.ofFloats(emb2, 1, 4, 768),
                HostTensor.ofLongs(new long[] {1, 1, 1, 1}, 1, 4));
        assertArrayEquals(Arrays.copyOfRange(second.floats(), 3 * 768, 4 * 768), Arrays.copyOfRange(gen.floats(), 768, 1536));
    }

    @Test
    void invalidArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conditioner.encode(List.of(), null, 1, true, 8));
        assertTrue(e.getMessage().contains("prompts must not be empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> conditioner.encode(List.of("a", "b"), List.of("x"), 1, true, 8));
        assertTrue(e.getMessage().contains("negativePrompts") && e.getMessage().contains("got 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> conditioner.encode(List.of("a"), null, 0, true, 8));
        assertTrue(e.getMessage().contains("wavesPerPrompt must be > 0, got 0"), e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> conditioner.encode(Arrays.asList("a", null), null, 1, true, 8));
        assertTrue(npe.getMessage().contains("prompts[1]"), npe.getMessage());
    }
}
