package io.github.audioldm4j.analysis;

import io.github.audioldm4j.dsp.Spectrogram;

/**
 * Frame-averaged spectral centroid and 85% roll-off of one signal, as librosa defines them
 * ({@code librosa/feature/spectral.py} {@code spectral_centroid} and {@code spectral_rolloff(roll_percent=0.85)}),
 * on the magnitude STFT with librosa's defaults ({@code n_fft 2048, hop 512}, periodic Hann, centred, zero padding):
 * <pre>
 *   centroid[t] = sum_k f_k S[t,k] / sum_k S[t,k]
 *   rolloff[t]  = min { f_k : sum_{j &lt;= k} S[t,j] &gt;= 0.85 sum_j S[t,j] }
 * </pre>
 * with {@code f_k = k sampleRate / 2048}; both are then averaged over all frames. A silent frame has centroid 0 and
 * roll-off 0, as in librosa (its normalisation leaves an all-zero column unchanged, and a zero threshold is met at
 * bin 0), so a silent signal gives 0 Hz for both and never NaN.
 *
 * @param centroidHz mean spectral centroid in Hz
 * @param rolloffHz  mean 85% roll-off frequency in Hz
 */
public record SpectralShape(double centroidHz, double rolloffHz) {
    /** librosa's default {@code roll_percent}. */
    public static final double ROLL_PERCENT = 0.85;

    /**
     * Measures a waveform.
     *
     * @param waveform   finite samples, at least 1
     * @param sampleRate Hz, {@code > 0}
     * @return the mean centroid and roll-off
     */
    public static SpectralShape measure(float[] waveform, int sampleRate) {
        Signals.sampleRate(sampleRate);
        Signals.waveform("waveform", waveform, 1);
        return of(Metrics.analysisStft().magnitude(waveform), sampleRate);
    }

    /** From a magnitude spectrogram of the analysis STFT. */
    static SpectralShape of(Spectrogram magnitude, int sampleRate) {
        float[] s = magnitude.toArray();
        int frames = magnitude.numFrames();
        int bins = magnitude.numBins();
        double binHz = sampleRate / (2.0 * (bins - 1));
        double centroidSum = 0.0;
        double rolloffSum = 0.0;
        for (int t = 0; t < frames; t++) {
            int base = t * bins;
            double total = 0.0;
            double weighted = 0.0;
            for (int k = 0; k < bins; k++) {
                total += s[base + k];
                weighted += k * binHz * s[base + k];
            }
            if (total > 0) {
                centroidSum += weighted / total;
            }
            double threshold = ROLL_PERCENT * total;
            double cumulative = 0.0;
            int k = 0;
            for (; k < bins - 1; k++) {
                cumulative += s[base + k];
                if (cumulative >= threshold) {
                    break;
                }
            }
            rolloffSum += k * binHz;
        }
        return new SpectralShape(centroidSum / frames, rolloffSum / frames);
    }
}
