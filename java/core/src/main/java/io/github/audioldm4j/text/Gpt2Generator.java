package io.github.audioldm4j.text;

import io.github.audioldm4j.model.Gpt2Model;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.util.Check;

/**
 * The AudioLDM2 "language model" loop: {@code max_new_tokens} forward passes of a stateless
 * GPT-2, each appending the last position's final hidden state (after ln_f) to the input
 * embeddings and a 1 to the mask; returns the appended vectors [B, max_new_tokens, 768].
 *
 * <p>Ported from diffusers {@code AudioLDM2Pipeline.generate_language_model}
 * (pipelines/audioldm2/pipeline_audioldm2.py) and the original
 * {@code audioldm2/audiomae_gen/sequence_input.py}: recomputing the whole prefix each step is
 * mathematically identical to diffusers' KV-cached loop under causal attention, with positions
 * 0..N-1 as in the original repository.
 */
public final class Gpt2Generator {
    private Gpt2Generator() {}

    public static HostTensor generate(Gpt2Model gpt2, HostTensor inputsEmbeds, HostTensor attentionMask,
            int maxNewTokens) {
        Check.notNull("gpt2", gpt2);
        Check.notNull("inputsEmbeds", inputsEmbeds);
        Check.notNull("attentionMask", attentionMask);
        Check.positive("maxNewTokens", maxNewTokens);
        long[] s = inputsEmbeds.shape();
        if (s.length != 3) {
            throw new IllegalArgumentException("inputsEmbeds must have shape [B,N,D], got " + java.util.Arrays.toString(s));
        }
        int b = (int) s[0];
        int n = (int) s[1];
        int d = (int) s[2];
        Check.sameShape("attentionMask", new long[] {b, n}, attentionMask.shape());
        float[] emb = inputsEmbeds.floats();
        long[] mask = attentionMask.longs();
        for (int step = 0; step < maxNewTokens; step++) {
            int len = n + step;
            HostTensor out = gpt2.forward(HostTensor.ofFloats(emb, b, len, d), HostTensor.ofLongs(mask, b, len));
            float[] h = out.floats();
            float[] emb2 = new float[b * (len + 1) * d];
            long[] mask2 = new long[b * (len + 1)];
            for (int i = 0; i < b; i++) {
                System.arraycopy(emb, i * len * d, emb2, i * (len + 1) * d, len * d);
                System.arraycopy(h, (i * len + len - 1) * d, emb2, (i * (len + 1) + len) * d, d);
                System.arraycopy(mask, i * len, mask2, i * (len + 1), len);
                mask2[i * (len + 1) + len] = 1;
            }
            emb = emb2;
            mask = mask2;
        }
        int total = n + maxNewTokens;
        float[] gen = new float[b * maxNewTokens * d];
        for (int i = 0; i < b; i++) {
            System.arraycopy(emb, (i * total + n) * d, gen, i * maxNewTokens * d, maxNewTokens * d);
        }
        return HostTensor.ofFloats(gen, b, maxNewTokens, d);
    }
}
