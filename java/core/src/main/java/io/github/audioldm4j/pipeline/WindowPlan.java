package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.util.Check;
import java.util.Locale;

/**
 * How {@link LongAudio} cuts audio of any length into windows the models were trained on:
 * windows of {@code windowFrames} latent frames, each starting {@code windowFrames - overlapFrames}
 * after the previous one, so neighbours share {@code overlapFrames}. One latent frame is
 * {@code hop * vae_downsample} samples (640 at 16 kHz: 40 ms).
 *
 * <p>Joins: model-free stages (VAE and vocoder round trips) crossfade neighbouring windows'
 * waveforms over the overlap with complementary raised-cosine ramps ({@code sin^2 + cos^2 = 1});
 * diffusion stages average the overlapping windows' noise predictions at every step with the same
 * ramps (MultiDiffusion), so the joint latent is stepped once per position.
 *
 * @param windowFrames latent frames per window, at least 2; at most {@link AudioLength#MAX_SECONDS}
 * @param overlapFrames latent frames shared by neighbouring windows, in [1, windowFrames / 2]
 * @param samplesPerFrame samples per latent frame ({@code hop * vae_downsample})
 */
public record WindowPlan(int windowFrames, int overlapFrames, int samplesPerFrame) {
    /** The default window: the 10.24 s the AudioLDM2 checkpoints were trained on. */
    public static final double DEFAULT_WINDOW_SECONDS = 10.24;
    /** The default overlap (see BENCHMARKS.md, "Long audio", for the seam measurements behind it). */
    public static final double DEFAULT_OVERLAP_SECONDS = 2.56;

    /** Validates the fields. */
    public WindowPlan {
        Check.positive("samplesPerFrame", samplesPerFrame);
        if (windowFrames < 2) {
            throw new IllegalArgumentException("windowFrames must be >= 2, got " + windowFrames);
        }
        if (overlapFrames < 1 || overlapFrames > windowFrames / 2) {
            throw new IllegalArgumentException("overlapFrames must be in [1, windowFrames / 2 = " + windowFrames / 2
                    + "], got " + overlapFrames);
        }
    }

    /**
     * A plan in seconds for a bundle, rounded to whole latent frames.
     *
     * @param windowSeconds window length, in (0, {@link AudioLength#MAX_SECONDS}]
     * @param overlapSeconds overlap, {@code > 0} and at most half the window
     */
    public static WindowPlan seconds(double windowSeconds, double overlapSeconds, Manifest manifest) {
        Check.notNull("manifest", manifest);
        int spf = manifest.mel().hop() * manifest.vae().downsample();
        int rate = manifest.sampleRate();
        Check.inRangeExclusiveMin("windowSeconds", windowSeconds, 0.0, AudioLength.MAX_SECONDS);
        Check.positive("overlapSeconds", overlapSeconds);
        int w = (int) Math.round(windowSeconds * rate / spf);
        int o = (int) Math.round(overlapSeconds * rate / spf);
        if (w < 2) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "windowSeconds must be at least 2 latent frames (%.3f s), got %s", 2.0 * spf / rate, windowSeconds));
        }
        if (o < 1 || o > w / 2) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "overlapSeconds must be in [%.3f, %.3f] s (one latent frame to half the window), got %s",
                    (double) spf / rate, (w / 2) * (double) spf / rate, overlapSeconds));
        }
        return new WindowPlan(w, o, spf);
    }

    /** The default plan ({@value #DEFAULT_WINDOW_SECONDS} s windows, {@value #DEFAULT_OVERLAP_SECONDS} s overlap). */
    public static WindowPlan defaults(Manifest manifest) {
        return seconds(DEFAULT_WINDOW_SECONDS, DEFAULT_OVERLAP_SECONDS, manifest);
    }

    /** Latent frames from one window's start to the next one's. */
    public int strideFrames() {
        return windowFrames - overlapFrames;
    }

    /** Samples per window. */
    public int windowSamples() {
        return windowFrames * samplesPerFrame;
    }

    /** Samples shared by neighbouring windows. */
    public int overlapSamples() {
        return overlapFrames * samplesPerFrame;
    }

    /** Samples from one window's start to the next one's. */
    public int strideSamples() {
        return strideFrames() * samplesPerFrame;
    }

    /** The sample where window {@code i} starts. */
    public long windowStart(int i) {
        return (long) i * strideSamples();
    }

    /**
     * The rising ramp across an overlap of {@code n} positions, at position {@code k}:
     * {@code sin^2(pi/2 * (k + 0.5) / n)}; the falling one is {@code 1 - ramp}, so the two
     * weights of every overlapping position sum to 1.
     */
    public static float ramp(int k, int n) {
        double s = Math.sin(Math.PI / 2 * (k + 0.5) / n);
        return (float) (s * s);
    }

    /** The number of windows {@code samples} of input take (1 when they fit in one window). */
    public int windowsFor(long samples) {
        Check.positive("samples", samples);
        if (samples <= windowSamples()) {
            return 1;
        }
        return 1 + (int) ((samples - windowSamples() + strideSamples() - 1) / strideSamples());
    }

    /**
     * The seam regions of this plan, for {@link io.github.audioldm4j.analysis.SeamMeter}: true for
     * a sample inside an overlap (where neighbouring windows are joined) or within
     * {@code marginSamples} of one.
     */
    public java.util.function.LongPredicate nearSeam(int marginSamples) {
        Check.nonNegative("marginSamples", marginSamples);
        long st = strideSamples();
        long ov = overlapSamples();
        return s -> {
            for (long i = Math.max(1, Math.floorDiv(s - ov - marginSamples, st)); i <= Math.floorDiv(s + marginSamples, st);
                    i++) {
                long a = i * st - marginSamples;
                if (s >= a && s < i * st + ov + marginSamples) {
                    return true;
                }
            }
            return false;
        };
    }

    @Override
    public String toString() {
        return "WindowPlan[" + windowFrames + " latent frames per window, " + overlapFrames + " overlapping, "
                + samplesPerFrame + " samples per frame]";
    }
}
