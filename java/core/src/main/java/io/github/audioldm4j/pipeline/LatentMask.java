package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.util.Check;

/**
 * Which latent cells keep the original audio during guided reconstruction: 1 = keep (re-inject
 * the noised original latent at every step), 0 = let diffusion regenerate. Latents are
 * [C, frames, bins] per batch row; the mask is [frames, bins] and applies to every channel, as in
 * AudioLDM2's inpainting / super-resolution mode
 * ({@code audioldm2/latent_diffusion/models/ddpm.py} and {@code ddim.py}: before every step
 * {@code img = q_sample(x0, t) * mask + img * (1 - mask)}).
 *
 * <p>Latent frames map to time (each frame = downsample·hop samples, 40 ms for AudioLDM2) and
 * latent bins to mel bands (each = downsample mel bins; 16 bins span 0–8 kHz on the mel scale).
 */
public final class LatentMask {
    private final int frames;
    private final int bins;
    private final float[] keep;

    private LatentMask(int frames, int bins, float[] keep) {
        this.frames = frames;
        this.bins = bins;
        this.keep = keep;
    }

    /** All cells kept (pure reconstruction: diffusion only refines nothing). */
    public static LatentMask keepAll(int frames, int bins) {
        float[] k = new float[Check.positive("frames", frames) * Check.positive("bins", bins)];
        java.util.Arrays.fill(k, 1f);
        return new LatentMask(frames, bins, k);
    }

    /**
     * Keeps everything except the time range [startFraction, endFraction) of the frames, which is
     * regenerated (time inpainting; AudioLDM2's default is 0.4–0.6).
     */
    public static LatentMask regenerateTime(int frames, int bins, double startFraction, double endFraction) {
        Check.inRange("startFraction", startFraction, 0.0, 1.0);
        Check.inRange("endFraction", endFraction, 0.0, 1.0);
        if (!(endFraction > startFraction)) {
            throw new IllegalArgumentException("endFraction must be > startFraction (" + startFraction + "), got "
                    + endFraction);
        }
        LatentMask m = keepAll(frames, bins);
        int a = (int) Math.floor(startFraction * frames);
        int b = (int) Math.ceil(endFraction * frames);
        for (int f = a; f < b; f++) {
            java.util.Arrays.fill(m.keep, f * bins, (f + 1) * bins, 0f);
        }
        return m;
    }

    /**
     * Keeps the lowest {@code keepBins} latent frequency bins and regenerates the ones above
     * (super-resolution style: the original supplies the low band, diffusion the high band).
     */
    public static LatentMask keepLowBins(int frames, int bins, int keepBins) {
        Check.inRange("keepBins", keepBins, 0, Check.positive("bins", bins));
        float[] k = new float[Check.positive("frames", frames) * bins];
        for (int f = 0; f < frames; f++) {
            java.util.Arrays.fill(k, f * bins, f * bins + keepBins, 1f);
        }
        return new LatentMask(frames, bins, k);
    }

    /**
     * Keeps the latent frequency bins that lie entirely below {@code cutoffHz} on AudioLDM2's
     * Slaney mel axis ({@code melBins} bands from 0 to {@code fMaxHz}, {@code bins} latent bins
     * each covering {@code melBins/bins} of them) and regenerates the rest.
     */
    public static LatentMask keepBelowHz(int frames, int bins, double cutoffHz, int melBins, double fMaxHz) {
        Check.positive("cutoffHz", cutoffHz);
        Check.positive("fMaxHz", fMaxHz);
        Check.positive("melBins", melBins);
        io.github.audioldm4j.dsp.MelScale scale = io.github.audioldm4j.dsp.MelScale.SLANEY;
        double melMax = scale.hzToMel(fMaxHz);
        int perBin = melBins / Check.positive("bins", bins);
        int keep = 0;
        for (int b = 0; b < bins; b++) {
            // upper edge of the last mel band in this latent bin (band m spans mel points m..m+2 of n+2)
            int lastBand = (b + 1) * perBin - 1;
            double upperHz = scale.melToHz(melMax * (lastBand + 2) / (melBins + 1));
            if (upperHz <= cutoffHz) {
                keep = b + 1;
            }
        }
        return keepLowBins(frames, bins, keep);
    }

    /** A mask from explicit values in [0,1], row-major [frames][bins]. */
    public static LatentMask of(int frames, int bins, float[] keep) {
        Check.length("keep", keep, Check.positive("frames", frames) * Check.positive("bins", bins));
        for (int i = 0; i < keep.length; i++) {
            if (!(keep[i] >= 0f && keep[i] <= 1f)) {
                throw new IllegalArgumentException("keep values must be in [0, 1], got " + keep[i] + " at index " + i);
            }
        }
        return new LatentMask(frames, bins, keep.clone());
    }

    /**
     * A time range and mel-band range to regenerate (multi-region inpainting).
     *
     * @param startFraction start of the range, fraction of the duration in [0, 1)
     * @param endFraction end of the range, in (startFraction, 1]
     * @param melLow first mel bin of the band, in [0, melBins)
     * @param melHigh end mel bin (exclusive), in (melLow, melBins]
     */
    public record Region(double startFraction, double endFraction, int melLow, int melHigh) {
        public Region {
            Check.inRange("startFraction", startFraction, 0.0, 1.0);
            Check.inRange("endFraction", endFraction, 0.0, 1.0);
            if (!(endFraction > startFraction)) {
                throw new IllegalArgumentException("endFraction must be > startFraction (" + startFraction + "), got "
                        + endFraction);
            }
            Check.nonNegative("melLow", melLow);
            if (melHigh <= melLow) {
                throw new IllegalArgumentException("melHigh must be > melLow (" + melLow + "), got " + melHigh);
            }
        }

        /** A time range over every band. */
        public static Region time(double startFraction, double endFraction, int melBins) {
            return new Region(startFraction, endFraction, 0, melBins);
        }
    }

    /**
     * Keeps everything except the given regions, which are regenerated together in one run. A mel
     * range maps to the latent bins that hold any of its mel bins ({@code melBins / bins} mel bins
     * per latent bin).
     *
     * @throws IllegalArgumentException if a region's mel range exceeds {@code melBins} or no region is given
     */
    public static LatentMask regenerate(int frames, int bins, int melBins, java.util.List<Region> regions) {
        Check.notEmpty("regions", regions);
        Check.positive("melBins", melBins);
        if (melBins % Check.positive("bins", bins) != 0) {
            throw new IllegalArgumentException("melBins must be a multiple of bins " + bins + ", got " + melBins);
        }
        LatentMask m = keepAll(frames, bins);
        int perBin = melBins / bins;
        for (int r = 0; r < regions.size(); r++) {
            Region g = Check.requireNonNullElement("regions", regions.get(r), r);
            if (g.melHigh() > melBins) {
                throw new IllegalArgumentException("regions[" + r + "].melHigh must be <= melBins " + melBins + ", got "
                        + g.melHigh());
            }
            int f0 = (int) Math.floor(g.startFraction() * frames);
            int f1 = (int) Math.ceil(g.endFraction() * frames);
            int b0 = g.melLow() / perBin;
            int b1 = (g.melHigh() + perBin - 1) / perBin;
            for (int f = f0; f < f1; f++) {
                java.util.Arrays.fill(m.keep, f * bins + b0, f * bins + b1, 0f);
            }
        }
        return m;
    }

    public int frames() {
        return frames;
    }

    public int bins() {
        return bins;
    }

    /** Keep weight of a cell. */
    public float get(int frame, int bin) {
        return keep[frame * bins + bin];
    }

    /** Fraction of cells kept. */
    public double keptFraction() {
        double s = 0;
        for (float v : keep) {
            s += v;
        }
        return s / keep.length;
    }

    float[] values() {
        return keep;
    }
}
