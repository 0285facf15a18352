package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.dsp.ClapFeatureExtractor;
import io.github.audioldm4j.dsp.SincResampler;
import io.github.audioldm4j.model.AudioLdm2Models;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.text.TextConditioner;
import io.github.audioldm4j.util.Check;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * CLAP re-ranking of several generated waveforms per prompt (diffusers' {@code score_waveforms},
 * pipelines/audioldm2/pipeline_audioldm2.py): CLAP text embedding of each prompt against the CLAP
 * audio embedding of each candidate (resampled to 48 kHz, transformers' ClapFeatureExtractor),
 * cosine similarity, best first.
 */
public final class ClapReranker {
    private final AudioLdm2Models models;
    private final TextConditioner text;
    private final int sampleRate;

    /**
     * @param models the models (needs clap_text and clap_audio)
     * @param text the text conditioner, for the CLAP text embeddings
     * @param sampleRate the rate of the waveforms to rank
     */
    public ClapReranker(AudioLdm2Models models, TextConditioner text, int sampleRate) {
        this.models = Check.notNull("models", models);
        this.text = Check.notNull("text", text);
        this.sampleRate = Check.positive("sampleRate", sampleRate);
    }

    /**
     * Waveforms in ranked order and their scores.
     *
     * @param waveforms each prompt's candidates, best first (prompt 0's n, then prompt 1's, ...)
     * @param scores the CLAP cosine similarity of each waveform to its prompt, in the same order
     */
    public record Ranked(List<float[]> waveforms, float[] scores) {}

    /**
     * Re-ranks each prompt's own candidates by CLAP cosine similarity (the original repository's
     * per-prompt selection; diffusers' {@code score_waveforms} sorts over all audios of the batch,
     * which can hand one prompt another prompt's audio — diffusers issue #13602).
     */
    /**
     * CLAP audio embeddings [N, 512] (L2-normalised by the exported component) of waveforms at this
     * reranker's rate: resampled to 48 kHz, transformers' ClapFeatureExtractor (rand_trunc with a
     * {@code java.util.Random(seed)} for clips longer than 10 s), then clap_audio.
     */
    public HostTensor audioEmbeddings(List<float[]> waves, long seed) {
        Check.notEmpty("waves", waves);
        ClapFeatureExtractor fe = new ClapFeatureExtractor(models.bundle().manifest().clapFeatures());
        int rate = fe.config().samplingRate();
        int rows = waves.size();
        int frames = fe.numFrames();
        int mels = fe.config().featureSize();
        float[] feats = new float[rows * frames * mels];
        boolean[] longer = new boolean[rows];
        Random crop = new Random(seed);
        for (int i = 0; i < rows; i++) {
            float[] up = SincResampler.resample(Check.requireNonNullElement("waves", waves.get(i), i), sampleRate, rate);
            ClapFeatureExtractor.Features f = fe.extract(up, rate, crop);
            System.arraycopy(f.inputFeatures(), 0, feats, i * frames * mels, frames * mels);
            longer[i] = f.isLonger();
        }
        return models.clapAudio().encode(HostTensor.ofFloats(feats, rows, 1, frames, mels),
                HostTensor.ofBools(longer, rows, 1));
    }

    /** CLAP text embeddings [N, 512] of prompts. */
    public HostTensor textEmbeddings(List<String> prompts) {
        return text.clapEmbeddings(prompts);
    }

    public Ranked rank(List<String> prompts, List<float[]> waves, int n, long seed) {
        Check.notEmpty("prompts", prompts);
        Check.notNull("waves", waves);
        Check.positive("n", n);
        if (waves.size() != prompts.size() * n) {
            throw new IllegalArgumentException("waves must hold n (" + n + ") candidates per prompt ("
                    + prompts.size() + " prompts), got " + waves.size());
        }
        HostTensor textEmb = text.clapEmbeddings(prompts);
        HostTensor audioEmb = audioEmbeddings(waves, seed);
        int rows = waves.size();
        int d = (int) audioEmb.dim(1);
        List<float[]> sorted = new ArrayList<>();
        float[] scores = new float[rows];
        for (int p = 0; p < prompts.size(); p++) {
            Integer[] idx = new Integer[n];
            double[] sim = new double[n];
            for (int k = 0; k < n; k++) {
                idx[k] = k;
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += (double) textEmb.floats()[p * d + j] * audioEmb.floats()[(p * n + k) * d + j];
                }
                sim[k] = s;
            }
            Arrays.sort(idx, (x, y) -> Double.compare(sim[y], sim[x]));
            for (int k = 0; k < n; k++) {
                sorted.add(waves.get(p * n + idx[k]));
                scores[p * n + k] = (float) sim[idx[k]];
            }
        }
        return new Ranked(sorted, scores);
    }
}
