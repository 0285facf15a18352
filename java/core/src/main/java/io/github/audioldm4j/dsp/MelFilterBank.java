package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;

/**
 * A triangular mel filter bank: {@code numMels} filters over {@code numBins} linear-frequency bins. Applying it to a
 * spectrogram frame {@code S} gives {@code mel[m] = sum_k W[m][k] S[k]} (librosa's {@code mel_basis @ S}).
 *
 * <p>Two constructions are provided, each reproducing its upstream's float64 operation order:
 * <ul>
 *   <li>{@link #librosa}: {@code librosa.filters.mel} of librosa 0.9.2 ({@code librosa/filters.py} {@code mel}),
 *       the version pinned by AudioLDM2. Bin frequencies come from {@code np.fft.rfftfreq}; with the default
 *       {@code dtype=np.float32} the triangle weights are rounded to float32 <em>before</em> the Slaney
 *       normalisation, which then runs in float64 and is rounded again (numpy's in-place {@code weights *= enorm}).
 *   <li>{@link #transformers}: {@code transformers.audio_utils.mel_filter_bank} (used by the CLAP feature extractor),
 *       float64 throughout, bin frequencies {@code np.linspace(0, sr // 2, numBins)}.
 * </ul>
 * Weights are stored as float64; the float32 rounding of librosa is applied to the stored values. Filters that
 * would be empty (too many mels for the FFT resolution) are kept as all-zero rows, as upstream does (it only
 * warns). Immutable and thread-safe.
 */
public final class MelFilterBank {
    /** Filter normalisation. */
    public enum Norm {
        /** Peak 1 triangles. */
        NONE,
        /** Slaney area normalisation: each triangle is scaled by {@code 2 / (f[m+2] - f[m])}. */
        SLANEY
    }

    private final int numMels;
    private final int numBins;
    private final double[] weights; // [mel * numBins + bin]
    private final int[] firstBin; // first non-zero bin of each filter
    private final int[] endBin; // one past the last non-zero bin

    private MelFilterBank(int numMels, int numBins, double[] weights) {
        this.numMels = numMels;
        this.numBins = numBins;
        this.weights = weights;
        this.firstBin = new int[numMels];
        this.endBin = new int[numMels];
        for (int m = 0; m < numMels; m++) {
            int first = numBins;
            int end = 0;
            for (int k = 0; k < numBins; k++) {
                if (weights[m * numBins + k] != 0.0) {
                    first = Math.min(first, k);
                    end = k + 1;
                }
            }
            firstBin[m] = Math.min(first, end);
            endBin[m] = end;
        }
    }

    /**
     * {@code librosa.filters.mel(sr=sampleRate, n_fft=nFft, n_mels=numMels, fmin=fMin, fmax=fMax, htk=scale==HTK,
     * norm=norm, dtype=np.float32)} of librosa 0.9.2.
     *
     * @param sampleRate sample rate in Hz, finite and {@code > 0}
     * @param nFft       FFT size, {@code >= 2} (gives {@code nFft/2 + 1} bins)
     * @param numMels    number of filters, {@code >= 1}
     * @param fMin       lowest edge in Hz, in {@code [0, fMax)}
     * @param fMax       highest edge in Hz, in {@code (fMin, sampleRate/2]}
     * @param scale      mel scale ({@link MelScale#SLANEY} is librosa's default)
     * @param norm       normalisation ({@link Norm#SLANEY} is librosa's default)
     * @return the filter bank, float32-valued weights
     */
    public static MelFilterBank librosa(double sampleRate, int nFft, int numMels, double fMin, double fMax,
            MelScale scale, Norm norm) {
        Check.positive("sampleRate", sampleRate);
        if (nFft < 2) {
            throw new IllegalArgumentException("nFft must be >= 2, got " + nFft);
        }
        checkCommon(numMels, fMin, fMax, sampleRate, scale, norm);
        int numBins = 1 + nFft / 2;
        // fft_frequencies = np.fft.rfftfreq(n=n_fft, d=1.0/sr): k * (1.0 / (n * d))
        double d = 1.0 / sampleRate;
        double val = 1.0 / (nFft * d);
        double[] fftFreqs = new double[numBins];
        for (int k = 0; k < numBins; k++) {
            fftFreqs[k] = k * val;
        }
        // mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
        double[] mels = linspace(scale.hzToMel(fMin), scale.hzToMel(fMax), numMels + 2);
        double[] melF = new double[mels.length];
        for (int i = 0; i < mels.length; i++) {
            melF[i] = scale.melToHz(mels[i]);
        }
        double[] w = new double[numMels * numBins];
        for (int i = 0; i < numMels; i++) {
            double fdiffLo = melF[i + 1] - melF[i];
            double fdiffHi = melF[i + 2] - melF[i + 1];
            // ramps = mel_f[:, None] - fftfreqs; lower = -ramps[i] / fdiff[i]; upper = ramps[i+2] / fdiff[i+1]
            // weights[i] = max(0, min(lower, upper)), stored into the float32 weights array
            double enorm = norm == Norm.SLANEY ? 2.0 / (melF[i + 2] - melF[i]) : 1.0;
            for (int k = 0; k < numBins; k++) {
                double lower = -(melF[i] - fftFreqs[k]) / fdiffLo;
                double upper = (melF[i + 2] - fftFreqs[k]) / fdiffHi;
                float w32 = (float) Math.max(0.0, Math.min(lower, upper));
                // weights *= enorm[:, None]: float32 * float64 -> float64 product, cast back to float32
                w[i * numBins + k] = norm == Norm.SLANEY ? (float) (w32 * enorm) : w32;
            }
        }
        return new MelFilterBank(numMels, numBins, w);
    }

    /**
     * {@code transformers.audio_utils.mel_filter_bank(num_frequency_bins, num_mel_filters, min_frequency,
     * max_frequency, sampling_rate, norm, mel_scale)} (float64, {@code triangularize_in_mel_space=False}).
     *
     * @param numFrequencyBins number of linear bins ({@code nFft/2 + 1}), {@code >= 2}
     * @param numMels          number of filters, {@code >= 1}
     * @param fMin             lowest edge in Hz, in {@code [0, fMax)}
     * @param fMax             highest edge in Hz, in {@code (fMin, samplingRate/2]}
     * @param samplingRate     sample rate in Hz, {@code > 0}
     * @param scale            mel scale
     * @param norm             normalisation
     * @return the filter bank
     */
    public static MelFilterBank transformers(int numFrequencyBins, int numMels, double fMin, double fMax,
            int samplingRate, MelScale scale, Norm norm) {
        Check.positive("samplingRate", samplingRate);
        if (numFrequencyBins < 2) {
            throw new IllegalArgumentException("numFrequencyBins must be >= 2, got " + numFrequencyBins);
        }
        checkCommon(numMels, fMin, fMax, samplingRate, scale, norm);
        double[] melFreqs = linspace(scale.hzToMelTransformers(fMin), scale.hzToMelTransformers(fMax), numMels + 2);
        double[] filterFreqs = new double[melFreqs.length];
        for (int i = 0; i < melFreqs.length; i++) {
            filterFreqs[i] = scale.melToHzTransformers(melFreqs[i]);
        }
        // fft_freqs = np.linspace(0, sampling_rate // 2, num_frequency_bins)
        double[] fftFreqs = linspace(0.0, samplingRate / 2, numFrequencyBins);
        double[] w = new double[numMels * numFrequencyBins];
        for (int m = 0; m < numMels; m++) {
            // _create_triangular_filter_bank: slopes = filter_freqs[None, :] - fft_freqs[:, None]
            double diffLo = filterFreqs[m + 1] - filterFreqs[m];
            double diffHi = filterFreqs[m + 2] - filterFreqs[m + 1];
            double enorm = norm == Norm.SLANEY ? 2.0 / (filterFreqs[m + 2] - filterFreqs[m]) : 1.0;
            for (int b = 0; b < numFrequencyBins; b++) {
                double down = -(filterFreqs[m] - fftFreqs[b]) / diffLo;
                double up = (filterFreqs[m + 2] - fftFreqs[b]) / diffHi;
                double v = Math.max(0.0, Math.min(down, up));
                w[m * numFrequencyBins + b] = norm == Norm.SLANEY ? v * enorm : v;
            }
        }
        return new MelFilterBank(numMels, numFrequencyBins, w);
    }

    private static void checkCommon(int numMels, double fMin, double fMax, double sampleRate, MelScale scale,
            Norm norm) {
        Check.positive("numMels", numMels);
        Check.notNull("scale", scale);
        Check.notNull("norm", norm);
        Check.finite("fMin", fMin);
        Check.finite("fMax", fMax);
        if (fMin < 0) {
            throw new IllegalArgumentException("fMin must be >= 0, got " + fMin);
        }
        if (!(fMax > fMin)) {
            throw new IllegalArgumentException("fMax must be > fMin = " + fMin + ", got " + fMax);
        }
        if (fMax > sampleRate / 2) {
            throw new IllegalArgumentException(
                    "fMax must be <= sampleRate/2 = " + sampleRate / 2 + ", got " + fMax);
        }
    }

    /** {@code np.linspace(start, stop, num)} (endpoint included): {@code i * step + start}, last value {@code stop}. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** Number of mel filters. */
    public int numMels() {
        return numMels;
    }

    /** Number of linear-frequency bins each filter spans ({@code nFft/2 + 1}). */
    public int numBins() {
        return numBins;
    }

    /** The weight of filter {@code mel} at linear bin {@code bin}. */
    public double weight(int mel, int bin) {
        Check.inRange("mel", mel, 0, numMels - 1);
        Check.inRange("bin", bin, 0, numBins - 1);
        return weights[mel * numBins + bin];
    }

    /** The weights as a {@code [numMels][numBins]} float64 matrix (librosa's layout). */
    public double[][] toMatrix() {
        double[][] out = new double[numMels][numBins];
        for (int m = 0; m < numMels; m++) {
            System.arraycopy(weights, m * numBins, out[m], 0, numBins);
        }
        return out;
    }

    /** The weights rounded to float32, {@code [numMels][numBins]}. */
    public float[][] toFloatMatrix() {
        float[][] out = new float[numMels][numBins];
        for (int m = 0; m < numMels; m++) {
            for (int k = 0; k < numBins; k++) {
                out[m][k] = (float) weights[m * numBins + k];
            }
        }
        return out;
    }

    /**
     * Applies the filters to every frame of a linear spectrogram (float64 sums, float32 output).
     *
     * @param linear spectrogram with {@link #numBins()} bins per frame (magnitude or power)
     * @return the mel spectrogram, {@code numFrames x numMels}
     */
    public Spectrogram apply(Spectrogram linear) {
        Check.notNull("linear", linear);
        if (linear.numBins() != numBins) {
            throw new IllegalArgumentException("linear.numBins must be " + numBins + ", got " + linear.numBins());
        }
        float[] in = linear.data();
        float[] out = new float[linear.numFrames() * numMels];
        double[] frame = new double[numBins];
        double[] mel = new double[numMels];
        for (int t = 0; t < linear.numFrames(); t++) {
            for (int k = 0; k < numBins; k++) {
                frame[k] = in[t * numBins + k];
            }
            applyFrame(frame, mel);
            for (int m = 0; m < numMels; m++) {
                out[t * numMels + m] = (float) mel[m];
            }
        }
        return Spectrogram.wrap(linear.numFrames(), numMels, out);
    }

    /** {@code out[m] = sum_k W[m][k] spectrum[k]} over the non-zero support of each filter. */
    void applyFrame(double[] spectrum, double[] out) {
        for (int m = 0; m < numMels; m++) {
            int base = m * numBins;
            double acc = 0.0;
            for (int k = firstBin[m], e = endBin[m]; k < e; k++) {
                acc += weights[base + k] * spectrum[k];
            }
            out[m] = acc;
        }
    }

    /** {@code out[k] = sum_m W[m][k] mel[m]} (the transpose), overwriting {@code out[0..numBins)}. */
    void applyTransposeFrame(double[] mel, double[] out) {
        java.util.Arrays.fill(out, 0, numBins, 0.0);
        for (int m = 0; m < numMels; m++) {
            int base = m * numBins;
            double v = mel[m];
            for (int k = firstBin[m], e = endBin[m]; k < e; k++) {
                out[k] += weights[base + k] * v;
            }
        }
    }

    /** Package access to the mel-major weights (not copied; never modified). */
    double[] weightsView() {
        return weights;
    }

    int firstBin(int mel) {
        return firstBin[mel];
    }

    int endBin(int mel) {
        return endBin[mel];
    }

    @Override
    public String toString() {
        return "MelFilterBank[numMels=" + numMels + ", numBins=" + numBins + "]";
    }
}
