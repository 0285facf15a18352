package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.util.Check;

/**
 * Parameters of the audio-conditioned pipelines (SDEdit refinement, guided reconstruction,
 * band-split, cascade, inpainting). Build with {@link #builder()}; defaults:
 *
 * <table>
 *   <caption>defaults</caption>
 *   <tr><td>prompt</td><td>"" (no text; with the "" negative, guidance then changes nothing)</td></tr>
 *   <tr><td>negativePrompt</td><td>none ("")</td></tr>
 *   <tr><td>strength</td><td>0.5: the fraction of the schedule run, from noise level t_start (1.0 = from pure noise)</td></tr>
 *   <tr><td>numInferenceSteps</td><td>200 (full schedule; strength·200 steps run)</td></tr>
 *   <tr><td>guidanceScale</td><td>3.5</td></tr>
 *   <tr><td>eta</td><td>0.0</td></tr>
 *   <tr><td>seed</td><td>0</td></tr>
 *   <tr><td>latentSampling</td><td>MODE (posterior mean)</td></tr>
 *   <tr><td>normalizeInput</td><td>true: AudioLDM2's wav_to_fbank normalisation (peak 0.5), undone on the output</td></tr>
 *   <tr><td>scheduler</td><td>the bundle's</td></tr>
 * </table>
 */
public record AudioToAudioRequest(String prompt, String negativePrompt, double strength, int numInferenceSteps,
        double guidanceScale, double eta, long seed, LatentSampling latentSampling, boolean normalizeInput,
        SchedulerConfig scheduler) {

    public AudioToAudioRequest {
        Check.notNull("prompt", prompt);
        Check.inRangeExclusiveMin("strength", strength, 0.0, 1.0);
        Check.inRange("numInferenceSteps", numInferenceSteps, 1, 1000);
        Check.nonNegative("guidanceScale", guidanceScale);
        Check.inRange("eta", eta, 0.0, 1.0);
        Check.notNull("latentSampling", latentSampling);
        if ((int) (numInferenceSteps * strength) < 1) {
            throw new IllegalArgumentException("strength * numInferenceSteps must be >= 1 so that a denoising step runs,"
                    + " got strength=" + strength + " with numInferenceSteps=" + numInferenceSteps);
        }
    }

    public boolean guided() {
        return guidanceScale > 1.0;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy with another strength (used by the cascade's refinement stage). */
    public AudioToAudioRequest withStrength(double s) {
        return new AudioToAudioRequest(prompt, negativePrompt, s, numInferenceSteps, guidanceScale, eta, seed,
                latentSampling, normalizeInput, scheduler);
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private String prompt = "";
        private String negativePrompt;
        private double strength = 0.5;
        private int numInferenceSteps = 200;
        private double guidanceScale = 3.5;
        private double eta;
        private long seed;
        private LatentSampling latentSampling = LatentSampling.MODE;
        private boolean normalizeInput = true;
        private SchedulerConfig scheduler;

        public Builder prompt(String p) {
            this.prompt = p;
            return this;
        }

        public Builder negativePrompt(String p) {
            this.negativePrompt = p;
            return this;
        }

        public Builder strength(double s) {
            this.strength = s;
            return this;
        }

        public Builder numInferenceSteps(int n) {
            this.numInferenceSteps = n;
            return this;
        }

        public Builder guidanceScale(double g) {
            this.guidanceScale = g;
            return this;
        }

        public Builder eta(double e) {
            this.eta = e;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder latentSampling(LatentSampling s) {
            this.latentSampling = s;
            return this;
        }

        public Builder normalizeInput(boolean n) {
            this.normalizeInput = n;
            return this;
        }

        public Builder scheduler(SchedulerConfig c) {
            this.scheduler = c;
            return this;
        }

        public AudioToAudioRequest build() {
            return new AudioToAudioRequest(prompt, negativePrompt, strength, numInferenceSteps, guidanceScale, eta, seed,
                    latentSampling, normalizeInput, scheduler);
        }
    }
}
