package io.github.audioldm4j.analysis;

import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.dsp.Stft;
import io.github.audioldm4j.util.Check;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Power of one signal in the {@linkplain FrequencyBand#standardBands standard bands}, in dB relative to a
 * full-scale mean square of 1 (a sine of amplitude {@code A} reads {@code 10 log10(A^2 / 2)}, e.g. -3.01 dB at
 * {@code A = 1}).
 *
 * <p>Computation, on the power STFT {@code P[t,k] = |X[t,k]|^2} of the analysis STFT ({@code n_fft N = 2048},
 * {@code hop 512}, periodic Hann {@code w}, centred with zero padding, as librosa's defaults):
 * <pre>
 *   power(band) = sum_t sum_{k in band} c_k P[t,k] / (N W),   c_k = 2 except 1 at DC and Nyquist,
 *   W = sum_t sum_n w[n]^2 [frame t's sample n lies inside the signal]
 *   level(band) = 10 log10(max(power(band), 1e-12))    (floor: -120 dB)
 * </pre>
 * A bin {@code k} (at {@code f_k = k sampleRate / N}) belongs to the band with {@code low <= f_k < high}; the top
 * band also takes the Nyquist bin. By Parseval, the powers of all bands add up to the window-weighted mean square of
 * the signal, so for a stationary signal they split its mean square {@code mean(x^2)} over the bands exactly.
 * Silence reads -120 dB in every band (never NaN or infinite).
 *
 * @param bands    the bands, in increasing frequency
 * @param levelsDb level per band in dB (same order)
 * @param powers   linear power per band (same order), {@code >= 0}
 */
public record BandEnergies(List<FrequencyBand> bands, double[] levelsDb, double[] powers) {
    /** Lowest level reported: {@code 10 log10(1e-12)}. */
    public static final double FLOOR_DB = -120.0;
    private static final double FLOOR_POWER = 1e-12;

    /** Validates and copies. */
    public BandEnergies {
        bands = List.copyOf(Check.notNull("bands", bands));
        Check.notNull("levelsDb", levelsDb);
        Check.notNull("powers", powers);
        if (levelsDb.length != bands.size() || powers.length != bands.size()) {
            throw new IllegalArgumentException("levelsDb and powers must have " + bands.size()
                    + " values (one per band), got " + levelsDb.length + " and " + powers.length);
        }
        levelsDb = levelsDb.clone();
        powers = powers.clone();
    }

    /** A copy of the levels in dB. */
    @Override
    public double[] levelsDb() {
        return levelsDb.clone();
    }

    /** A copy of the linear powers. */
    @Override
    public double[] powers() {
        return powers.clone();
    }

    /**
     * Measures a waveform.
     *
     * @param waveform   finite samples, at least 1
     * @param sampleRate Hz, {@code > 0}
     * @return the band levels
     */
    public static BandEnergies measure(float[] waveform, int sampleRate) {
        Signals.sampleRate(sampleRate);
        Signals.waveform("waveform", waveform, 1);
        Stft stft = Metrics.analysisStft();
        return of(stft.power(waveform), stft, waveform.length, sampleRate);
    }

    /** From a power spectrogram of {@code stft} (centred, zero padding) of a signal of {@code numSamples}. */
    static BandEnergies of(Spectrogram power, Stft stft, int numSamples, int sampleRate) {
        List<FrequencyBand> bands = FrequencyBand.standardBands(sampleRate);
        int nFft = stft.nFft();
        int bins = power.numBins();
        int[] bandOfBin = new int[bins];
        for (int k = 0; k < bins; k++) {
            double f = (double) k * sampleRate / nFft;
            bandOfBin[k] = -1;
            for (int b = 0; b < bands.size(); b++) {
                FrequencyBand band = bands.get(b);
                boolean top = b == bands.size() - 1;
                if (f >= band.lowHz() && (f < band.highHz() || top && f <= band.highHz())) {
                    bandOfBin[k] = b;
                    break;
                }
            }
        }
        float[] p = power.toArray();
        double[] sums = new double[bands.size()];
        for (int t = 0; t < power.numFrames(); t++) {
            for (int k = 0; k < bins; k++) {
                if (bandOfBin[k] >= 0) {
                    double c = k == 0 || k == bins - 1 ? 1.0 : 2.0;
                    sums[bandOfBin[k]] += c * p[t * bins + k];
                }
            }
        }
        double norm = nFft * windowEnergyInside(stft, power.numFrames(), numSamples);
        double[] powers = new double[bands.size()];
        double[] levels = new double[bands.size()];
        for (int b = 0; b < bands.size(); b++) {
            powers[b] = sums[b] / norm;
            levels[b] = toDb(powers[b]);
        }
        return new BandEnergies(bands, levels, powers);
    }

    /** {@code W}: the squared window summed over the samples of each frame that lie inside the signal. */
    private static double windowEnergyInside(Stft stft, int frames, int numSamples) {
        double[] w = stft.window();
        int pad = stft.nFft() / 2;
        double total = 0.0;
        for (int t = 0; t < frames; t++) {
            int start = t * stft.hopLength() - pad; // signal index of frame sample 0
            int from = Math.max(0, -start);
            int to = Math.min(w.length, numSamples - start);
            for (int n = from; n < to; n++) {
                total += w[n] * w[n];
            }
        }
        return total;
    }

    /** {@code 10 log10(max(power, 1e-12))}. */
    static double toDb(double power) {
        return 10.0 * Math.log10(Math.max(power, FLOOR_POWER));
    }

    /**
     * The level of everything at or above {@code lowHz} (the sum of the powers of the bands starting there), or empty
     * when no band starts at {@code lowHz} (e.g. 8 kHz at a 16 kHz sample rate, where Nyquist is 8 kHz).
     *
     * @param lowHz a band edge, e.g. 4000 or 8000
     * @return the level in dB
     */
    public OptionalDouble levelAboveDb(double lowHz) {
        int first = -1;
        for (int b = 0; b < bands.size(); b++) {
            if (bands.get(b).lowHz() == lowHz) {
                first = b;
                break;
            }
        }
        if (first < 0) {
            return OptionalDouble.empty();
        }
        double sum = 0.0;
        for (int b = first; b < bands.size(); b++) {
            sum += powers[b];
        }
        return OptionalDouble.of(toDb(sum));
    }

    /** Value equality: same bands and the same levels and powers. */
    @Override
    public boolean equals(Object o) {
        return o instanceof BandEnergies other && bands.equals(other.bands)
                && Arrays.equals(levelsDb, other.levelsDb) && Arrays.equals(powers, other.powers);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * bands.hashCode() + Arrays.hashCode(levelsDb)) + Arrays.hashCode(powers);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("BandEnergies[");
        for (int i = 0; i < levelsDb.length; i++) {
            b.append(i == 0 ? "" : ", ").append(bands.get(i).label()).append(": ")
                    .append(String.format(java.util.Locale.ROOT, "%.2f dB", levelsDb[i]));
        }
        return b.append(']').toString();
    }

    /** The level of all bands together in dB (the window-weighted mean square). */
    public double totalDb() {
        double sum = 0.0;
        for (double v : powers) {
            sum += v;
        }
        return toDb(sum);
    }
}
