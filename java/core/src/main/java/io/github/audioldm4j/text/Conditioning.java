package io.github.audioldm4j.text;

import io.github.audioldm4j.runtime.HostTensor;

/**
 * The UNet conditioning for a batch, rows in diffusers order: with classifier-free guidance the
 * first half is the negative/unconditional rows and the second half the prompt rows; within each
 * half, prompt 0 repeated {@code wavesPerPrompt} times, then prompt 1, and so on.
 *
 * @param generated GPT-2 stream {@code encoder_hidden_states} [N,8,768]
 * @param t5Hidden T5 stream {@code encoder_hidden_states_1} [N,L,1024]
 * @param t5Mask {@code encoder_attention_mask_1} [N,L]
 * @param prompts number of prompts B
 * @param wavesPerPrompt waveforms per prompt n
 * @param guided whether the negative half is present (N = 2·B·n, else B·n)
 */
public record Conditioning(HostTensor generated, HostTensor t5Hidden, HostTensor t5Mask, int prompts,
        int wavesPerPrompt, boolean guided) {
    /** Rows per half: B·n. */
    public int latentBatch() {
        return prompts * wavesPerPrompt;
    }
}
