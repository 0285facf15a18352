package io.github.audioldm4j.pipeline;

import java.util.List;

/**
 * Text-to-audio output.
 *
 * @param waveforms one mono 16 kHz waveform per (prompt, candidate), prompt-major; with several
 *     candidates per prompt and CLAP ranking, each prompt's candidates are sorted best first
 * @param sampleRate the waveforms' sample rate
 * @param seed the seed the initial latents were drawn from
 * @param latents the final denoised latents (scaled), [B·n, 8, frames/4, 16] in original row order
 * @param latentShape shape of {@code latents}
 * @param clapScores cosine similarity of each returned waveform to its prompt, in the returned
 *     order; null when not ranked
 * @param length the length arithmetic used
 */
public record GeneratedAudio(List<float[]> waveforms, int sampleRate, long seed, float[] latents, long[] latentShape,
        float[] clapScores, AudioLength length) {}
