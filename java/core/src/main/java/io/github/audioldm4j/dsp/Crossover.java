package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;

/**
 * A linear-phase (zero-phase) two-band crossover built on the STFT, used by the band-split hybrid (low band from
 * the VAE reconstruction, high band from diffusion).
 *
 * <p>The low band is {@code istft(G * stft(x))} with a real, non-negative gain per bin
 * <pre>
 *   G(f) = 1                                              f &lt;= cutoff - transition/2
 *   G(f) = 0.5 (1 + cos(pi (f - cutoff + transition/2) / transition))   inside the transition band
 *   G(f) = 0                                              f &gt;= cutoff + transition/2
 * </pre>
 * (a raised-cosine transition; a real gain changes no phase, so the filter is zero-phase). The high band is
 * {@code x - low}, so {@code low + high == x} up to float32 rounding of the two outputs. The STFT is a periodic Hann
 * window with 75% overlap, centred with reflect padding (zero padding for inputs of at most {@code nFft/2} samples);
 * {@code nFft} is the smallest power of two in {@code [256, 65536]} whose bin spacing is at most a quarter of
 * {@code transitionHz}, so the transition spans at least 4 bins. Near the ends (within about {@code nFft} samples) the
 * split is approximate: the mirror padding puts a slope discontinuity at each end, whose broadband content is
 * divided between the bands (for a 500 Hz tone, amplitude 0.5, split at 4 kHz: about 0.03 peak in the high band in
 * the first/last 256 samples, 1e-10 elsewhere); the sum stays exact. Immutable and thread-safe; the static methods are
 * shortcuts that build a crossover per call.
 */
public final class Crossover {
    /**
     * The two bands of a signal.
     *
     * @param low  content below the cutoff
     * @param high content above the cutoff ({@code signal - low})
     */
    public record Bands(float[] low, float[] high) {
        /** Checks both bands are present and equally long. */
        public Bands {
            Check.notNull("low", low);
            Check.notNull("high", high);
            if (low.length != high.length) {
                throw new IllegalArgumentException(
                        "high must have the length of low " + low.length + ", got " + high.length);
            }
        }
    }

    private final int sampleRate;
    private final double cutoffHz;
    private final double transitionHz;
    private final int nFft;
    private final Stft reflect;
    private final Stft constant;
    private final double[] gain; // per bin

    /**
     * Creates a crossover.
     *
     * @param sampleRate   sample rate in Hz, {@code > 0}
     * @param cutoffHz     centre of the transition band, Hz; the band {@code cutoff +- transition/2} must lie inside
     *                     {@code (0, sampleRate/2)}
     * @param transitionHz width of the transition band, Hz, {@code > 0}
     */
    public Crossover(int sampleRate, double cutoffHz, double transitionHz) {
        Check.positive("sampleRate", sampleRate);
        Check.positive("cutoffHz", cutoffHz);
        Check.positive("transitionHz", transitionHz);
        double nyquist = sampleRate / 2.0;
        if (!(cutoffHz - transitionHz / 2 > 0)) {
            throw new IllegalArgumentException("cutoffHz - transitionHz/2 must be > 0, got " + cutoffHz + " - "
                    + transitionHz + "/2 = " + (cutoffHz - transitionHz / 2));
        }
        if (!(cutoffHz + transitionHz / 2 < nyquist)) {
            throw new IllegalArgumentException("cutoffHz + transitionHz/2 must be < sampleRate/2 = " + nyquist
                    + ", got " + cutoffHz + " + " + transitionHz + "/2 = " + (cutoffHz + transitionHz / 2));
        }
        this.sampleRate = sampleRate;
        this.cutoffHz = cutoffHz;
        this.transitionHz = transitionHz;
        int n = 256;
        while (n < 65536 && (double) sampleRate / n > transitionHz / 4) {
            n *= 2;
        }
        this.nFft = n;
        this.reflect = Stft.builder(n).hopLength(n / 4).window(WindowFunction.HANN, true).center(true)
                .padMode(PadMode.REFLECT).build();
        this.constant = Stft.builder(n).hopLength(n / 4).window(WindowFunction.HANN, true).center(true)
                .padMode(PadMode.CONSTANT).build();
        this.gain = new double[n / 2 + 1];
        for (int k = 0; k < gain.length; k++) {
            gain[k] = lowPassGain((double) k * sampleRate / n, cutoffHz, transitionHz);
        }
    }

    /**
     * Splits a signal into low and high bands.
     *
     * @param signal       finite samples, at least one
     * @param sampleRate   sample rate in Hz
     * @param cutoffHz     crossover frequency (centre of the transition), Hz
     * @param transitionHz transition width, Hz
     * @return the bands; {@code low + high == signal} up to float rounding
     */
    public static Bands split(float[] signal, int sampleRate, double cutoffHz, double transitionHz) {
        return new Crossover(sampleRate, cutoffHz, transitionHz).split(signal);
    }

    /**
     * The low band of {@code lowSource} plus the high band of {@code highSource}.
     *
     * @param lowSource    finite samples supplying the band below the cutoff
     * @param highSource   finite samples supplying the band above the cutoff; same length as {@code lowSource}
     * @param sampleRate   sample rate in Hz
     * @param cutoffHz     crossover frequency, Hz
     * @param transitionHz transition width, Hz
     * @return the merged signal
     */
    public static float[] merge(float[] lowSource, float[] highSource, int sampleRate, double cutoffHz,
            double transitionHz) {
        return new Crossover(sampleRate, cutoffHz, transitionHz).merge(lowSource, highSource);
    }

    /**
     * The raised-cosine low-pass gain at {@code freqHz}: 1 below {@code cutoff - transition/2}, 0 above
     * {@code cutoff + transition/2}, {@code 0.5 (1 + cos(pi (f - cutoff + transition/2) / transition))} between.
     * The high band's gain is {@code 1 - lowPassGain}.
     *
     * @param freqHz       frequency
     * @param cutoffHz     centre of the transition
     * @param transitionHz width of the transition, {@code > 0}
     * @return the gain in {@code [0, 1]}
     */
    public static double lowPassGain(double freqHz, double cutoffHz, double transitionHz) {
        double lo = cutoffHz - transitionHz / 2;
        if (freqHz <= lo) {
            return 1.0;
        }
        if (freqHz >= cutoffHz + transitionHz / 2) {
            return 0.0;
        }
        return 0.5 * (1 + Math.cos(Math.PI * (freqHz - lo) / transitionHz));
    }

    /** Sample rate in Hz. */
    public int sampleRate() {
        return sampleRate;
    }

    /** Crossover frequency in Hz. */
    public double cutoffHz() {
        return cutoffHz;
    }

    /** Transition width in Hz. */
    public double transitionHz() {
        return transitionHz;
    }

    /** The STFT size chosen for the transition width. */
    public int nFft() {
        return nFft;
    }

    /**
     * Splits a signal into low and high bands.
     *
     * @param signal finite samples, at least one
     * @return the bands; {@code low + high == signal} up to float rounding
     */
    public Bands split(float[] signal) {
        Check.notEmpty("signal", signal);
        Check.allFinite("signal", signal);
        double[] low = lowPass(signal);
        float[] lo = new float[signal.length];
        float[] hi = new float[signal.length];
        for (int i = 0; i < signal.length; i++) {
            lo[i] = (float) low[i];
            hi[i] = (float) (signal[i] - low[i]);
        }
        return new Bands(lo, hi);
    }

    /**
     * The low band of {@code lowSource} plus the high band of {@code highSource}.
     *
     * @param lowSource  finite samples supplying the band below the cutoff
     * @param highSource finite samples supplying the band above the cutoff; same length as {@code lowSource}
     * @return the merged signal
     */
    public float[] merge(float[] lowSource, float[] highSource) {
        Check.notEmpty("lowSource", lowSource);
        Check.notEmpty("highSource", highSource);
        if (lowSource.length != highSource.length) {
            throw new IllegalArgumentException("highSource must have the length of lowSource " + lowSource.length
                    + ", got " + highSource.length + " (resample or pad the signals to a common length first)");
        }
        Check.allFinite("lowSource", lowSource);
        Check.allFinite("highSource", highSource);
        double[] lowOfLow = lowPass(lowSource);
        double[] lowOfHigh = lowPass(highSource);
        float[] out = new float[lowSource.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (lowOfLow[i] + (highSource[i] - lowOfHigh[i]));
        }
        return out;
    }

    private double[] lowPass(float[] signal) {
        Stft stft = signal.length > nFft / 2 ? reflect : constant;
        double[] padded = stft.padCore(Stft.toDouble(signal));
        int frames = stft.framesForPadded(padded.length);
        int bins = stft.numBins();
        int half = bins - 1;
        double[] re = new double[frames * bins];
        double[] im = new double[frames * bins];
        stft.analyze(padded, frames, (t, p, ws) -> {
            int base = t * bins;
            re[base] = gain[0] * p[0];
            re[base + half] = gain[half] * p[1];
            for (int k = 1; k < half; k++) {
                re[base + k] = gain[k] * p[2 * k];
                im[base + k] = gain[k] * p[2 * k + 1];
            }
        });
        return stft.inverseCore(re, im, frames, signal.length);
    }

    @Override
    public String toString() {
        return "Crossover[sampleRate=" + sampleRate + ", cutoffHz=" + cutoffHz + ", transitionHz=" + transitionHz
                + ", nFft=" + nFft + "]";
    }
}
