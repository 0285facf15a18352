package io.github.audioldm4j.study;

import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.edit.AudioEditor;
import io.github.audioldm4j.edit.EditRequest;
import io.github.audioldm4j.dsp.GriffinLimVocoder;
import io.github.audioldm4j.dsp.SincResampler;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.AudioToAudioRequest;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.LatentSampling;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.report.ComparisonReport;
import io.github.audioldm4j.util.Check;
import java.util.Locale;

/**
 * Per-stage attribution of reconstruction loss: runs an input through AudioLDM2's chain one
 * stage further at a time and compares every stage's output with the original, so a reader sees
 * where high frequencies and detail are lost — and what the diffusion hybrids win back.
 *
 * <ol>
 *   <li><b>resample-16k</b>: the original down to 16 kHz and back (everything above 8 kHz goes);</li>
 *   <li><b>mel-griffin-lim</b>: 16 kHz → AudioLDM2 log-mel → Griffin-Lim (the mel's own loss, no model);</li>
 *   <li><b>mel-vocoder</b>: log-mel → HiFi-GAN (the vocoder's loss);</li>
 *   <li><b>vae</b>: log-mel → VAE encode/decode → HiFi-GAN (adds the VAE's loss);</li>
 *   <li><b>sdedit</b>: partial denoising from the VAE latent at {@code strength};</li>
 *   <li><b>guided</b>: diffusion from noise that re-injects the original latent below {@code cutoffHz};</li>
 *   <li><b>band-split</b>: VAE below {@code cutoffHz}, SDEdit above;</li>
 *   <li><b>cascade</b>: VAE, then SDEdit of its output at {@code cascadeStrength}.</li>
 *   <li><b>ddim-inversion</b>: DDIM inversion of the VAE latent with the prompt, then DDIM sampling
 *       back (how much the deterministic diffusion path loses on top of the VAE);</li>
 *   <li><b>ddpm-inversion</b>: edit-friendly DDPM inversion and sampling with its noise maps (returns
 *       the VAE latent: what remains is the VAE + vocoder's loss).</li>
 * </ol>
 * With {@link Options#editTarget()} set, an editing sweep follows: ZETA-style edits towards that
 * prompt at {@code tStart} 0.25, 0.5 and 0.75, each compared with the input (fidelity) and, where
 * the bundle has {@code clap_audio}, scored against the target prompt with CLAP (in the stage's
 * description).
 * Stages 3 onwards need a bundle; without one they are recorded as skipped with the reason. Stage
 * outputs (16 kHz) are resampled back to the original rate for the metrics. A stage that fails
 * (e.g. a component missing from the bundle) is recorded as skipped with its error.
 */
public final class ReconstructionStudy {
    /** The stages of the study, without the optional editing sweep. */
    public static final int STAGES = 10;
    /** Their names, in order. */
    public static final java.util.List<String> STAGE_NAMES = java.util.List.of("resample-16k", "mel-griffin-lim",
            "mel-vocoder", "vae", "sdedit", "guided", "band-split", "cascade", "ddim-inversion", "ddpm-inversion");
    /** The tStart values of the editing sweep. */
    public static final double[] EDIT_SWEEP = {0.25, 0.5, 0.75};

    private ReconstructionStudy() {}

    /**
     * Study parameters.
     *
     * @param prompt text condition of the diffusion stages ("" for none)
     * @param strength SDEdit / band-split strength in (0, 1]
     * @param cascadeStrength strength of the cascade's refinement in (0, 1]
     * @param numInferenceSteps full schedule length (strength × steps run)
     * @param guidanceScale classifier-free guidance scale
     * @param cutoffHz band edge of the guided and band-split stages
     * @param transitionHz crossover width of the band split
     * @param griffinLimIterations Griffin-Lim iterations of the model-free stage
     * @param seed seed of every stochastic stage
     * @param editTarget the target prompt of the editing sweep, or null for no sweep
     * @param stages the names of the stages to run (the others are recorded as skipped, "not
     *     selected"), or null for all
     */
    public record Options(String prompt, double strength, double cascadeStrength, int numInferenceSteps,
            double guidanceScale, double cutoffHz, double transitionHz, int griffinLimIterations, long seed,
            String editTarget, java.util.Set<String> stages) {
        public Options {
            Check.notNull("prompt", prompt);
            Check.inRangeExclusiveMin("strength", strength, 0.0, 1.0);
            Check.inRangeExclusiveMin("cascadeStrength", cascadeStrength, 0.0, 1.0);
            Check.inRange("numInferenceSteps", numInferenceSteps, 1, 1000);
            Check.nonNegative("guidanceScale", guidanceScale);
            Check.inRange("cutoffHz", cutoffHz, 100.0, 7900.0);
            Check.positive("transitionHz", transitionHz);
            Check.inRange("griffinLimIterations", griffinLimIterations, 1, 10000);
            if (stages != null) {
                for (String st : stages) {
                    if (!STAGE_NAMES.contains(st)) {
                        throw new IllegalArgumentException("stages must be names of " + STAGE_NAMES + ", got \"" + st
                                + "\"");
                    }
                }
                stages = java.util.Set.copyOf(stages);
            }
        }

        /** Defaults: no prompt, strength 0.3, cascade 0.2, 100 steps, guidance 3.5, 4 kHz ± 250 Hz, 60 Griffin-Lim iterations, seed 0. */
        public static Options defaults() {
            return new Options("", 0.3, 0.2, 100, 3.5, 4000, 500, 60, 0, null, null);
        }

        public Options withPrompt(String p) {
            return new Options(p, strength, cascadeStrength, numInferenceSteps, guidanceScale, cutoffHz, transitionHz,
                    griffinLimIterations, seed, editTarget, stages);
        }

        public Options withSteps(int n) {
            return new Options(prompt, strength, cascadeStrength, n, guidanceScale, cutoffHz, transitionHz,
                    griffinLimIterations, seed, editTarget, stages);
        }

        public Options withStrength(double s) {
            return new Options(prompt, s, cascadeStrength, numInferenceSteps, guidanceScale, cutoffHz, transitionHz,
                    griffinLimIterations, seed, editTarget, stages);
        }

        public Options withSeed(long s) {
            return new Options(prompt, strength, cascadeStrength, numInferenceSteps, guidanceScale, cutoffHz,
                    transitionHz, griffinLimIterations, s, editTarget, stages);
        }

        /** Only these stages (null: all). */
        public Options withStages(java.util.Set<String> names) {
            return new Options(prompt, strength, cascadeStrength, numInferenceSteps, guidanceScale, cutoffHz,
                    transitionHz, griffinLimIterations, seed, editTarget, names);
        }

        /** With an editing sweep towards {@code target} (null: none). */
        public Options withEditTarget(String target) {
            return new Options(prompt, strength, cascadeStrength, numInferenceSteps, guidanceScale, cutoffHz,
                    transitionHz, griffinLimIterations, seed, target, stages);
        }

        public Options withCutoff(double hz) {
            return new Options(prompt, strength, cascadeStrength, numInferenceSteps, guidanceScale, hz, transitionHz,
                    griffinLimIterations, seed, editTarget, stages);
        }
    }

    /** Receives stage-level progress ({@code ProgressListener} covers the steps inside a stage). */
    @FunctionalInterface
    public interface StageListener {
        StageListener NONE = (index, name, status) -> { };

        /** @param status "running", "done in X s", or "skipped: reason" */
        void onStage(int index, String name, String status);
    }

    /**
     * Runs the study.
     *
     * @param reference the original mono audio at {@code sampleRate}, finite, in [-1, 1]
     * @param sampleRate its rate (any; 16 kHz makes the first stage an identity)
     * @param inputDescription shown in the report
     * @param pipeline the models, or null to run only the model-free stages
     * @param options study parameters
     * @param steps receives denoising progress of the diffusion stages
     * @param stages receives stage starts and ends
     * @param cancel checked between stages and steps
     */
    public static ComparisonReport run(float[] reference, int sampleRate, String inputDescription,
            AudioLdm2Pipeline pipeline, Options options, ProgressListener steps, StageListener stages,
            CancellationToken cancel) {
        Check.notNull("reference", reference);
        Check.positive("sampleRate", sampleRate);
        Check.notNull("inputDescription", inputDescription);
        Check.notNull("options", options);
        Check.notNull("steps", steps);
        Check.notNull("stages", stages);
        Check.notNull("cancel", cancel);
        Check.allFinite("reference", reference);
        for (int i = 0; i < reference.length; i++) {
            if (Math.abs(reference[i]) > 1f) {
                throw new IllegalArgumentException("reference samples must be in [-1.0, 1.0], got " + reference[i]
                        + " at index " + i);
            }
        }
        int sr16 = AudioLdm2MelExtractor.SAMPLE_RATE;
        if ((long) reference.length * sr16 / sampleRate < 16000 / 4) {
            throw new IllegalArgumentException("reference must be at least 0.25 s long, got " + reference.length
                    + " samples at " + sampleRate + " Hz");
        }
        ComparisonReport.Builder report = ComparisonReport.builder(reference, sampleRate)
                .title("AudioLDM2 reconstruction study")
                .inputDescription(inputDescription)
                .cropToCommonLength(true);
        Runner r = new Runner(report, sampleRate, stages, cancel, options.stages());

        float[] x16 = SincResampler.resample(reference, sampleRate, sr16);
        r.stage("resample-16k", "original -> 16 kHz -> original rate (AudioLDM2 works at 16 kHz)", () -> x16);
        float[] clipped = clip(x16);
        r.stage("mel-griffin-lim", "16 kHz -> AudioLDM2 log-mel (64 bins, 0-8 kHz) -> " + options.griffinLimIterations()
                + " Griffin-Lim iterations (no model)", () -> GriffinLimVocoder.audioLdm2()
                        .iterations(options.griffinLimIterations()).build()
                        .vocode(new AudioLdm2MelExtractor().logMel(clipped), clipped.length));

        String why = pipeline == null ? "no model bundle given" : null;
        AudioToAudioRequest base = pipeline == null ? null : AudioToAudioRequest.builder()
                .prompt(options.prompt()).strength(options.strength()).numInferenceSteps(options.numInferenceSteps())
                .guidanceScale(options.guidanceScale()).seed(options.seed()).latentSampling(LatentSampling.MODE)
                .normalizeInput(true).build();
        r.modelStage("mel-vocoder", "16 kHz -> log-mel -> HiFi-GAN vocoder", why,
                () -> pipeline.vocoderRoundTrip(clipped, true));
        r.modelStage("vae", "16 kHz -> log-mel -> VAE encode (mean) / decode -> HiFi-GAN", why,
                () -> pipeline.vaeRoundTrip(clipped, LatentSampling.MODE, true, options.seed()));
        r.modelStage("sdedit", String.format(Locale.ROOT, "SDEdit: VAE latent noised to strength %.2f, %d of %d steps, "
                + "prompt \"%s\"", options.strength(), (int) (options.strength() * options.numInferenceSteps()),
                options.numInferenceSteps(), options.prompt()), why, () -> pipeline.refine(clipped, base, steps, cancel));
        r.modelStage("guided", String.format(Locale.ROOT, "diffusion from noise, original latent re-injected below "
                + "%.0f Hz at every step", options.cutoffHz()), why,
                () -> pipeline.guidedReconstructBelow(clipped, base.withStrength(1.0), options.cutoffHz(), steps, cancel));
        r.modelStage("band-split", String.format(Locale.ROOT, "VAE below %.0f Hz + SDEdit (strength %.2f) above, "
                + "%.0f Hz crossover", options.cutoffHz(), options.strength(), options.transitionHz()), why,
                () -> pipeline.bandSplit(clipped, base, options.cutoffHz(), options.transitionHz(), steps, cancel));
        r.modelStage("cascade", String.format(Locale.ROOT, "VAE, then SDEdit of its output at strength %.2f",
                options.cascadeStrength()), why,
                () -> pipeline.cascade(clipped, base.withStrength(options.cascadeStrength()), steps, cancel));
        AudioEditor editor = pipeline == null ? null : new AudioEditor(pipeline);
        EditRequest inversion = EditRequest.builder().sourcePrompt(options.prompt())
                .numInferenceSteps(options.numInferenceSteps()).sourceGuidance(1.0).seed(options.seed()).build();
        r.modelStage("ddim-inversion", String.format(Locale.ROOT, "DDIM inversion of the VAE latent (%d steps, prompt "
                + "\"%s\", no guidance), then DDIM sampling back", options.numInferenceSteps(), options.prompt()), why,
                () -> editor.ddimReconstruct(clipped, inversion, steps, cancel));
        r.modelStage("ddpm-inversion", String.format(Locale.ROOT, "edit-friendly DDPM inversion (%d steps), then "
                + "sampling with its noise maps: the VAE latent comes back", options.numInferenceSteps()), why,
                () -> editor.ddpmReconstruct(clipped, inversion, steps, cancel));
        if (options.editTarget() != null) {
            boolean clap = pipeline != null && pipeline.models().bundle().has("clap_audio");
            for (double t : EDIT_SWEEP) {
                EditRequest edit = EditRequest.builder().sourcePrompt(options.prompt()).targetPrompt(options.editTarget())
                        .numInferenceSteps(options.numInferenceSteps()).targetGuidance(options.guidanceScale()).tStart(t)
                        .seed(options.seed()).build();
                float[][] out = new float[1][];
                String name = String.format(Locale.ROOT, "edit-t%.2f", t);
                String desc = String.format(Locale.ROOT, "ZETA-style edit towards \"%s\" from tStart %.2f (%d of %d "
                        + "steps)", options.editTarget(), t, options.numInferenceSteps() - edit.startIndex(),
                        options.numInferenceSteps());
                r.modelStage(name, desc, why, () -> {
                    out[0] = editor.edit(clipped, edit, steps, cancel);
                    return out[0];
                });
                if (clap && out[0] != null) {
                    r.annotateLast(String.format(Locale.ROOT, "; CLAP score to the target %.3f (input %.3f)",
                            pipeline.clapScore(options.editTarget(), out[0]),
                            pipeline.clapScore(options.editTarget(), clipped)));
                }
            }
        }
        return report.build();
    }

    /**
     * Scales {@code audio} in place to a peak of 1 when it exceeds [-1, 1] (decoded float audio may;
     * the study needs the range), leaving quieter audio as it is.
     *
     * @return the original peak |x|
     */
    public static float fitToUnitPeak(float[] audio) {
        Check.notNull("audio", audio);
        float peak = 0;
        for (float v : audio) {
            peak = Math.max(peak, Math.abs(v));
        }
        if (peak > 1f) {
            for (int i = 0; i < audio.length; i++) {
                audio[i] /= peak;
            }
        }
        return peak;
    }

    private static float[] clip(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(-1f, Math.min(1f, x[i]));
        }
        return y;
    }

    /** A stage body producing 16 kHz audio. */
    @FunctionalInterface
    private interface Body {
        float[] run();
    }

    private static final class Runner {
        private final ComparisonReport.Builder report;
        private final int sampleRate;
        private final StageListener listener;
        private final CancellationToken cancel;
        private int index;

        private final java.util.Set<String> selected;

        Runner(ComparisonReport.Builder report, int sampleRate, StageListener listener, CancellationToken cancel,
                java.util.Set<String> selected) {
            this.selected = selected;
            this.report = report;
            this.sampleRate = sampleRate;
            this.listener = listener;
            this.cancel = cancel;
        }

        void stage(String name, String description, Body body) {
            if (selected != null && !selected.contains(name) && !name.startsWith("edit-")) {
                index++;
                report.skipStage(name, description, "not selected");
                listener.onStage(index, name, "skipped: not selected");
                return;
            }
            index++;
            cancel.throwIfCancelled("before stage " + name);
            listener.onStage(index, name, "running");
            long t0 = System.nanoTime();
            float[] out16;
            try {
                out16 = body.run();
            } catch (io.github.audioldm4j.pipeline.PipelineCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                String reason = "failed: " + e.getMessage();
                report.skipStage(name, description, reason);
                listener.onStage(index, name, "skipped: " + reason);
                return;
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            float[] back = SincResampler.resample(out16, AudioLdm2MelExtractor.SAMPLE_RATE, sampleRate);
            report.addStage(name, description, back, secs);
            listener.onStage(index, name, String.format(Locale.ROOT, "done in %.2f s", secs));
        }

        /** Appends to the description of the stage added last (e.g. a score computed after the stage). */
        void annotateLast(String text) {
            report.appendToLastDescription(text);
        }

        void modelStage(String name, String description, String skipReason, Body body) {
            if (skipReason != null || (selected != null && !selected.contains(name) && !name.startsWith("edit-"))) {
                if (skipReason == null) {
                    skipReason = "not selected";
                }
                index++;
                report.skipStage(name, description, skipReason);
                listener.onStage(index, name, "skipped: " + skipReason);
                return;
            }
            stage(name, description, body);
        }
    }
}
