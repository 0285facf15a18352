package io.github.audioldm4j.text;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.model.AudioLdm2Models;
import io.github.audioldm4j.model.ProjectionModel;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.util.Check;
import io.github.audioldm4j.util.Closeables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * AudioLDM2's {@code encode_prompt} (diffusers pipelines/audioldm2/pipeline_audioldm2.py):
 * CLAP text features and T5 hidden states, projected and run through the GPT-2 loop, with the
 * negative branch for classifier-free guidance. Not thread-safe.
 *
 * <ol>
 *   <li>CLAP: pad/truncate to {@code clap_max_length}; features [B,512] -> [B,1,512], mask ones.</li>
 *   <li>T5: truncate to {@code t5_max_length}, pad to the longest in the batch (Lt) — run at the
 *       export's fixed length and sliced back to Lt.</li>
 *   <li>Projection -> GPT-2 input [B,Lt+5,768]; GPT-2 loop -> [B,8,768].</li>
 *   <li>Negative: "" per prompt or the negative prompts; T5 padded <em>or truncated</em> to Lt
 *       (the diffusers quirk); same projection and a separate GPT-2 run.</li>
 *   <li>Each row repeated {@code wavesPerPrompt} times; rows = cat(negative, positive).</li>
 * </ol>
 */
public final class TextConditioner implements AutoCloseable {
    private final AudioLdm2Models models;
    private final TextTokenizer clapTokenizer;
    private final TextTokenizer t5Tokenizer;
    private final int clapMaxLength;
    private final int t5MaxLength;

    public TextConditioner(AudioLdm2Models models) {
        this.models = Check.notNull("models", models);
        ModelBundle bundle = models.bundle();
        Manifest.Tokenizers tok = bundle.manifest().tokenizers();
        this.clapMaxLength = tok.clapMaxLength();
        this.t5MaxLength = tok.t5MaxLength();
        TextTokenizer clap = new TextTokenizer(bundle.tokenizerFile("clap", "text conditioning"), tok.clap().padId());
        try {
            this.t5Tokenizer = new TextTokenizer(bundle.tokenizerFile("t5", "text conditioning"), tok.t5().padId());
        } catch (RuntimeException e) {
            clap.close();
            throw e;
        }
        this.clapTokenizer = clap;
    }

    /** The CLAP tokenizer (also used for re-ranking). */
    public TextTokenizer clapTokenizer() {
        return clapTokenizer;
    }

    /** CLAP text embeddings [B,512] (L2-normalised) for the prompts. */
    public HostTensor clapEmbeddings(List<String> prompts) {
        TokenBatch t = clapTokenizer.encodeBatch(prompts, clapMaxLength);
        return models.clapText().encode(t.idsTensor(), t.maskTensor());
    }

    /**
     * What {@link #encode} would cut from the texts, as sentences for the user (empty when nothing
     * is cut). Tokenizes only; no model runs. CLAP and T5 truncate at the manifest's
     * {@code clap_max_length} / {@code t5_max_length}; negative prompts are also cut to the T5 length
     * of the longest prompt, as diffusers' {@code encode_prompt} does.
     */
    public List<String> truncationWarnings(List<String> prompts, List<String> negativePrompts) {
        Check.notEmpty("prompts", prompts);
        List<String> out = new ArrayList<>();
        int lt = 0;
        for (int i = 0; i < prompts.size(); i++) {
            String p = Check.requireNonNullElement("prompts", prompts.get(i), i);
            lt = Math.max(lt, Math.min(t5MaxLength, t5Tokenizer.untruncatedLength(p)));
            describe(out, "prompt " + i, p);
        }
        if (negativePrompts != null) {
            for (int i = 0; i < negativePrompts.size(); i++) {
                String p = Check.requireNonNullElement("negativePrompts", negativePrompts.get(i), i);
                describe(out, "negative prompt " + i, p);
                int t5 = Math.min(t5MaxLength, t5Tokenizer.untruncatedLength(p));
                if (t5 > lt) {
                    out.add("negative prompt " + i + " has " + t5 + " T5 tokens and is truncated to " + lt
                            + ", the T5 length of the longest prompt (diffusers' encode_prompt does the same)");
                }
            }
        }
        return out;
    }

    private void describe(List<String> out, String what, String text) {
        int clap = clapTokenizer.untruncatedLength(text);
        if (clap > clapMaxLength) {
            out.add(what + " has " + clap + " CLAP tokens and is truncated to " + clapMaxLength + " (clap_max_length)");
        }
        int t5 = t5Tokenizer.untruncatedLength(text);
        if (t5 > t5MaxLength) {
            out.add(what + " has " + t5 + " T5 tokens and is truncated to " + t5MaxLength + " (t5_max_length): "
                    + "the text after about token " + t5MaxLength + " has no effect");
        }
    }

    /**
     * Encodes prompts into UNet conditioning.
     *
     * @param prompts non-empty list of prompts
     * @param negativePrompts null (unconditional "" rows) or one per prompt
     * @param wavesPerPrompt >= 1
     * @param guided whether to build the negative half (guidance_scale > 1)
     * @param maxNewTokens GPT-2 tokens to generate (8 for the public checkpoints)
     */
    public Conditioning encode(List<String> prompts, List<String> negativePrompts, int wavesPerPrompt, boolean guided,
            int maxNewTokens) {
        Check.notEmpty("prompts", prompts);
        for (int i = 0; i < prompts.size(); i++) {
            Check.requireNonNullElement("prompts", prompts.get(i), i);
        }
        if (negativePrompts != null && negativePrompts.size() != prompts.size()) {
            throw new IllegalArgumentException("negativePrompts must have one entry per prompt (" + prompts.size()
                    + "), got " + negativePrompts.size());
        }
        Check.positive("wavesPerPrompt", wavesPerPrompt);
        Check.positive("maxNewTokens", maxNewTokens);

        int lt = t5Tokenizer.longest(prompts, t5MaxLength);
        Branch pos = branch(prompts, lt, maxNewTokens);
        if (!guided) {
            return new Conditioning(repeat(pos.generated, wavesPerPrompt), repeat(pos.t5Hidden, wavesPerPrompt),
                    repeat(pos.t5Mask, wavesPerPrompt), prompts.size(), wavesPerPrompt, false);
        }
        List<String> neg = negativePrompts != null ? negativePrompts
                : new ArrayList<>(Collections.nCopies(prompts.size(), ""));
        Branch negative = branch(neg, lt, maxNewTokens);
        return new Conditioning(
                cat(repeat(negative.generated, wavesPerPrompt), repeat(pos.generated, wavesPerPrompt)),
                cat(repeat(negative.t5Hidden, wavesPerPrompt), repeat(pos.t5Hidden, wavesPerPrompt)),
                cat(repeat(negative.t5Mask, wavesPerPrompt), repeat(pos.t5Mask, wavesPerPrompt)),
                prompts.size(), wavesPerPrompt, true);
    }

    private record Branch(HostTensor generated, HostTensor t5Hidden, HostTensor t5Mask) {}

    /** One branch with its T5 sequence padded/truncated to exactly {@code lt} tokens. */
    private Branch branch(List<String> texts, int lt, int maxNewTokens) {
        int b = texts.size();
        HostTensor clap = clapEmbeddings(texts);
        HostTensor clap3 = HostTensor.ofFloats(clap.floats(), b, 1, clap.dim(1));

        TokenBatch t5Tokens = t5Tokenizer.encodeBatch(texts, lt);
        TokenBatch fixed = t5Tokens.withLength(t5MaxLength, t5Tokenizer.padId());
        HostTensor full = models.t5().encode(fixed.idsTensor(), fixed.maskTensor());
        int d = (int) full.dim(2);
        float[] sliced = new float[b * lt * d];
        for (int i = 0; i < b; i++) {
            System.arraycopy(full.floats(), i * t5MaxLength * d, sliced, i * lt * d, lt * d);
        }
        HostTensor t5Hidden = HostTensor.ofFloats(sliced, b, lt, d);
        HostTensor t5Mask = t5Tokens.maskTensor();

        ProjectionModel.Projected p = models.projection().project(clap3, t5Hidden, t5Mask);
        HostTensor generated = Gpt2Generator.generate(models.gpt2(), p.hiddenStates(), p.attentionMask(), maxNewTokens);
        return new Branch(generated, t5Hidden, t5Mask);
    }

    /** Repeats each row (dimension 0) {@code n} times in place order: r0,r0,r1,r1,... */
    static HostTensor repeat(HostTensor t, int n) {
        if (n == 1) {
            return t;
        }
        long[] s = t.shape();
        int rows = (int) s[0];
        int row = (int) (t.numel() / rows);
        long[] s2 = s.clone();
        s2[0] = (long) rows * n;
        if (t.dtype() == HostTensor.DType.FLOAT32) {
            float[] out = new float[rows * n * row];
            for (int r = 0; r < rows; r++) {
                for (int k = 0; k < n; k++) {
                    System.arraycopy(t.floats(), r * row, out, (r * n + k) * row, row);
                }
            }
            return HostTensor.ofFloats(out, s2);
        }
        long[] out = new long[rows * n * row];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < n; k++) {
                System.arraycopy(t.longs(), r * row, out, (r * n + k) * row, row);
            }
        }
        return HostTensor.ofLongs(out, s2);
    }

    /** Concatenates along dimension 0. */
    static HostTensor cat(HostTensor a, HostTensor b) {
        long[] s = a.shape();
        long[] s2 = s.clone();
        s2[0] = s[0] + b.dim(0);
        if (a.dtype() == HostTensor.DType.FLOAT32) {
            float[] out = new float[a.floats().length + b.floats().length];
            System.arraycopy(a.floats(), 0, out, 0, a.floats().length);
            System.arraycopy(b.floats(), 0, out, a.floats().length, b.floats().length);
            return HostTensor.ofFloats(out, s2);
        }
        long[] out = new long[a.longs().length + b.longs().length];
        System.arraycopy(a.longs(), 0, out, 0, a.longs().length);
        System.arraycopy(b.longs(), 0, out, a.longs().length, b.longs().length);
        return HostTensor.ofLongs(out, s2);
    }

    @Override
    public void close() {
        Closeables.closeAll(clapTokenizer, t5Tokenizer);
    }
}
