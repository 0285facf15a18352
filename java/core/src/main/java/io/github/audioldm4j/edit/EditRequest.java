package io.github.audioldm4j.edit;

import io.github.audioldm4j.util.Check;

/**
 * An inversion / editing request. Build one with {@link #builder()}.
 *
 * @param sourcePrompt the prompt that describes the input (inversion and reconstruction), default ""
 * @param targetPrompt the prompt to edit towards; null reconstructs with the source prompt
 * @param negativePrompt negative prompt of both branches, or null for ""
 * @param numInferenceSteps DDIM steps of the inversion, default 100
 * @param sourceGuidance guidance scale of the inversion (and of reconstruction), default 1 (no guidance)
 * @param targetGuidance guidance scale of the edit, default 3.5
 * @param tStart fraction of the steps the edit runs, in (0, 1], default 1: it starts at step
 *     {@code round(N * (1 - tStart))} of the inversion's chain (ZETA's T_start / T)
 * @param seed seed of the independent level noise (DDPM inversion)
 * @param normalizeInput AudioLDM2's input normalisation (mean removal, peak 0.5), default true
 */
public record EditRequest(String sourcePrompt, String targetPrompt, String negativePrompt, int numInferenceSteps,
        double sourceGuidance, double targetGuidance, double tStart, long seed, boolean normalizeInput) {

    public EditRequest {
        Check.notNull("sourcePrompt", sourcePrompt);
        Check.inRange("numInferenceSteps", numInferenceSteps, 1, 1000);
        Check.nonNegative("sourceGuidance", sourceGuidance);
        Check.nonNegative("targetGuidance", targetGuidance);
        if (!(tStart > 0 && tStart <= 1)) {
            throw new IllegalArgumentException("tStart must be in (0, 1], got " + tStart);
        }
    }

    /** The index of the first step the edit runs. */
    public int startIndex() {
        return Math.min(numInferenceSteps - 1, (int) Math.round(numInferenceSteps * (1 - tStart)));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private String sourcePrompt = "";
        private String targetPrompt;
        private String negativePrompt;
        private int numInferenceSteps = 100;
        private double sourceGuidance = 1.0;
        private double targetGuidance = 3.5;
        private double tStart = 1.0;
        private long seed;
        private boolean normalizeInput = true;

        public Builder sourcePrompt(String p) {
            this.sourcePrompt = p;
            return this;
        }

        public Builder targetPrompt(String p) {
            this.targetPrompt = p;
            return this;
        }

        public Builder negativePrompt(String p) {
            this.negativePrompt = p;
            return this;
        }

        public Builder numInferenceSteps(int n) {
            this.numInferenceSteps = n;
            return this;
        }

        public Builder sourceGuidance(double g) {
            this.sourceGuidance = g;
            return this;
        }

        public Builder targetGuidance(double g) {
            this.targetGuidance = g;
            return this;
        }

        public Builder tStart(double t) {
            this.tStart = t;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder normalizeInput(boolean n) {
            this.normalizeInput = n;
            return this;
        }

        public EditRequest build() {
            return new EditRequest(sourcePrompt, targetPrompt, negativePrompt, numInferenceSteps, sourceGuidance,
                    targetGuidance, tStart, seed, normalizeInput);
        }
    }
}
