package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;

/**
 * Analysis/synthesis windows, computed in float64.
 *
 * <p>The formulas follow numpy, which is what the reference front ends use: {@code np.hanning(M)} is
 * {@code 0.5 + 0.5 cos(pi n / (M-1))} for {@code n = 1-M, 3-M, ..., M-1} and a <em>periodic</em> window of length
 * {@code N} is the symmetric window of length {@code N+1} without its last sample ({@code np.hanning(N+1)[:-1]}, as
 * transformers {@code audio_utils.window_function(N, "hann")} builds it). This equals
 * {@code scipy.signal.get_window("hann", N, fftbins=True)} (AudioLDM2 {@code audio/stft.py}) and
 * {@code torch.hann_window(N, periodic=True)} up to the last float64 bit.
 */
public enum WindowFunction {
    /** Hann (raised cosine), {@code np.hanning}. */
    HANN,
    /** Hamming, {@code np.hamming}: {@code 0.54 + 0.46 cos(pi n / (M-1))}. */
    HAMMING,
    /** Rectangular (boxcar): all ones. */
    RECTANGULAR;

    /**
     * Creates the window.
     *
     * @param length   number of samples, {@code >= 1}
     * @param periodic {@code true} for the DFT-even window used by STFTs ({@code fftbins=True}), {@code false} for
     *                 the symmetric filter-design window
     * @return a new array of {@code length} samples
     */
    public double[] create(int length, boolean periodic) {
        Check.positive("length", length);
        int m = periodic ? length + 1 : length;
        double[] full = symmetric(m);
        if (periodic) {
            double[] w = new double[length];
            System.arraycopy(full, 0, w, 0, length);
            return w;
        }
        return full;
    }

    private double[] symmetric(int m) {
        double[] w = new double[m];
        if (this == RECTANGULAR || m == 1) {
            java.util.Arrays.fill(w, 1.0);
            return w;
        }
        double a = this == HANN ? 0.5 : 0.54;
        double b = this == HANN ? 0.5 : 0.46;
        // numpy/lib/function_base.py hanning/hamming: n = arange(1-M, M, 2); a + b*cos(pi*n/(M-1))
        for (int k = 0; k < m; k++) {
            double n = 1 - m + 2.0 * k;
            w[k] = a + b * Math.cos(Math.PI * n / (m - 1));
        }
        return w;
    }

    /**
     * Zero-pads a window to {@code size} samples, centred as {@code librosa.util.pad_center} does (offset
     * {@code (size - w.length) / 2}).
     *
     * @param window the window, at most {@code size} samples
     * @param size   the padded length
     * @return a new array
     */
    public static double[] padCenter(double[] window, int size) {
        Check.notNull("window", window);
        if (window.length > size) {
            throw new IllegalArgumentException(
                    "window length must be <= size " + size + ", got " + window.length);
        }
        double[] out = new double[size];
        System.arraycopy(window, 0, out, (size - window.length) / 2, window.length);
        return out;
    }
}
