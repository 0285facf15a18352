package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.util.Check;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable text-to-audio request. Build one with {@link #builder(String...)}; defaults
 * follow diffusers' {@code AudioLDM2Pipeline.__call__}:
 *
 * <table>
 *   <caption>defaults</caption>
 *   <tr><td>numInferenceSteps</td><td>200</td></tr>
 *   <tr><td>guidanceScale</td><td>3.5 (classifier-free guidance when &gt; 1)</td></tr>
 *   <tr><td>audioLengthS</td><td>10.24</td></tr>
 *   <tr><td>eta</td><td>0.0 (DDIM; ignored by other schedulers)</td></tr>
 *   <tr><td>numWaveformsPerPrompt</td><td>1 (more are re-ranked with CLAP when the bundle has clap_audio)</td></tr>
 *   <tr><td>maxNewTokens</td><td>8 (GPT-2 tokens)</td></tr>
 *   <tr><td>negativePrompts</td><td>none: unconditional "" rows</td></tr>
 *   <tr><td>seed</td><td>0; the same seed gives the same initial latents as diffusers with a CPU generator</td></tr>
 *   <tr><td>scheduler</td><td>the bundle's scheduler config</td></tr>
 *   <tr><td>initialLatents</td><td>none (drawn from the seed); shape [B·n, 8, frames/4, 16], unscaled N(0,1)</td></tr>
 * </table>
 */
public record GenerationRequest(List<String> prompts, List<String> negativePrompts, double audioLengthS,
        int numInferenceSteps, double guidanceScale, double eta, int numWaveformsPerPrompt, int maxNewTokens,
        long seed, SchedulerConfig scheduler, float[] initialLatents, boolean rankWithClap) {

    public GenerationRequest {
        Check.notEmpty("prompts", prompts);
        for (int i = 0; i < prompts.size(); i++) {
            Check.requireNonNullElement("prompts", prompts.get(i), i);
        }
        prompts = List.copyOf(prompts);
        if (negativePrompts != null) {
            if (negativePrompts.size() != prompts.size()) {
                throw new IllegalArgumentException("negativePrompts must have one entry per prompt (" + prompts.size()
                        + "), got " + negativePrompts.size());
            }
            for (int i = 0; i < negativePrompts.size(); i++) {
                Check.requireNonNullElement("negativePrompts", negativePrompts.get(i), i);
            }
            negativePrompts = List.copyOf(negativePrompts);
        }
        Check.inRange("audioLengthS", audioLengthS, 0.04, AudioLength.MAX_SECONDS);
        Check.inRange("numInferenceSteps", numInferenceSteps, 1, 1000);
        Check.nonNegative("guidanceScale", guidanceScale);
        Check.inRange("eta", eta, 0.0, 1.0);
        Check.inRange("numWaveformsPerPrompt", numWaveformsPerPrompt, 1, 64);
        Check.inRange("maxNewTokens", maxNewTokens, 1, 512);
        if (initialLatents != null) {
            Check.allFinite("initialLatents", initialLatents);
            initialLatents = initialLatents.clone();
        }
    }

    /** Whether classifier-free guidance runs ({@code guidance_scale > 1}, as in diffusers). */
    public boolean guided() {
        return guidanceScale > 1.0;
    }

    /** A copy of the initial latents, or null. */
    @Override
    public float[] initialLatents() {
        return initialLatents == null ? null : initialLatents.clone();
    }

    public static Builder builder(String... prompts) {
        return new Builder(List.of(prompts));
    }

    public static Builder builder(List<String> prompts) {
        return new Builder(prompts);
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private final List<String> prompts;
        private List<String> negativePrompts;
        private double audioLengthS = 10.24;
        private int numInferenceSteps = 200;
        private double guidanceScale = 3.5;
        private double eta = 0.0;
        private int numWaveformsPerPrompt = 1;
        private int maxNewTokens = 8;
        private long seed;
        private SchedulerConfig scheduler;
        private float[] initialLatents;
        private boolean rankWithClap = true;

        private Builder(List<String> prompts) {
            this.prompts = prompts == null ? null : new ArrayList<>(prompts);
        }

        public Builder negativePrompts(String... negatives) {
            this.negativePrompts = List.of(negatives);
            return this;
        }

        public Builder negativePrompts(List<String> negatives) {
            this.negativePrompts = negatives;
            return this;
        }

        public Builder audioLengthS(double seconds) {
            this.audioLengthS = seconds;
            return this;
        }

        public Builder numInferenceSteps(int steps) {
            this.numInferenceSteps = steps;
            return this;
        }

        public Builder guidanceScale(double scale) {
            this.guidanceScale = scale;
            return this;
        }

        public Builder eta(double eta) {
            this.eta = eta;
            return this;
        }

        public Builder numWaveformsPerPrompt(int n) {
            this.numWaveformsPerPrompt = n;
            return this;
        }

        public Builder maxNewTokens(int n) {
            this.maxNewTokens = n;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Overrides the bundle's scheduler (diffusers config, e.g. with another {@code _class_name}). */
        public Builder scheduler(SchedulerConfig config) {
            this.scheduler = config;
            return this;
        }

        public Builder initialLatents(float[] latents) {
            this.initialLatents = latents;
            return this;
        }

        /** Whether to sort several waveforms per prompt by CLAP similarity (default true). */
        public Builder rankWithClap(boolean rank) {
            this.rankWithClap = rank;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(prompts, negativePrompts, audioLengthS, numInferenceSteps, guidanceScale, eta,
                    numWaveformsPerPrompt, maxNewTokens, seed, scheduler, initialLatents, rankWithClap);
        }
    }
}
