package io.github.audioldm4j.analysis;

import io.github.audioldm4j.dsp.PadMode;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.dsp.Stft;
import io.github.audioldm4j.dsp.WindowFunction;
import io.github.audioldm4j.util.Check;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Measures what chunked processing does at its seams, in one streaming pass over a candidate
 * (the chunked output) and a reference of the same length (the unchunked output where that fits
 * in memory, else the input): frames and samples are split into those near a seam (by the
 * caller's predicate on the sample index) and all others, and each group gets
 * <ul>
 *   <li>the log-spectral distance to the reference ({@link Metrics#logSpectralDistance}'s
 *       formula, 2048-point Hann frames every 512 samples, not centred);</li>
 *   <li>the candidate's level relative to the reference in each {@link FrequencyBand#standardBands
 *       standard band}, in dB ({@code 10 log10(sum |C|^2 / sum |R|^2)} over the group's frames);</li>
 *   <li>the RMS of the sample difference, and of the reference, over the group's samples.</li>
 * </ul>
 * A seam that shows is a group "near seams" worse than "elsewhere". Memory: one frame of each
 * signal. Not thread-safe.
 */
public final class SeamMeter {
    private static final int N_FFT = Metrics.LSD_N_FFT;
    private static final int HOP = Metrics.LSD_HOP;
    private static final Stft FRAMES = Stft.builder(N_FFT).hopLength(HOP).winLength(N_FFT)
            .window(WindowFunction.HANN, true).center(false).padMode(PadMode.CONSTANT).build();

    /**
     * What the meter measured.
     *
     * @param framesNearSeams analysis frames whose centre is near a seam
     * @param framesElsewhere the other frames
     * @param lsdNearSeams mean LSD over the frames near seams (NaN when there are none)
     * @param lsdElsewhere mean LSD over the other frames (NaN when there are none)
     * @param bands the bands of the level columns
     * @param bandLevelDbNearSeams candidate level relative to the reference per band, near seams
     * @param bandLevelDbElsewhere the same elsewhere
     * @param rmsDifferenceNearSeams RMS of candidate - reference over the samples near seams
     * @param rmsDifferenceElsewhere the same elsewhere
     * @param rmsReferenceNearSeams RMS of the reference over the samples near seams (the scale of the difference)
     * @param rmsReferenceElsewhere the same elsewhere
     * @param samples samples measured
     */
    public record Report(long framesNearSeams, long framesElsewhere, double lsdNearSeams, double lsdElsewhere,
            List<FrequencyBand> bands, double[] bandLevelDbNearSeams, double[] bandLevelDbElsewhere,
            double rmsDifferenceNearSeams, double rmsDifferenceElsewhere, double rmsReferenceNearSeams,
            double rmsReferenceElsewhere, long samples) {
        /** {@code lsdNearSeams - lsdElsewhere}: how much worse the seams are (0 when they do not show). */
        public double lsdExcess() {
            return lsdNearSeams - lsdElsewhere;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "seams: %d frames near seams, %d elsewhere; LSD %.4f near seams vs "
                    + "%.4f elsewhere; band levels (dB vs reference) near seams %s, elsewhere %s; RMS difference %.3g "
                    + "near seams vs %.3g elsewhere (reference RMS %.3g / %.3g); %d samples", framesNearSeams,
                    framesElsewhere, lsdNearSeams, lsdElsewhere, levels(bandLevelDbNearSeams),
                    levels(bandLevelDbElsewhere), rmsDifferenceNearSeams, rmsDifferenceElsewhere,
                    rmsReferenceNearSeams, rmsReferenceElsewhere, samples);
        }

        private String levels(double[] db) {
            StringBuilder sb = new StringBuilder("[");
            for (int b = 0; b < db.length; b++) {
                sb.append(b == 0 ? "" : ", ").append(bands.get(b).label()).append(' ')
                        .append(String.format(java.util.Locale.ROOT, "%+.2f", db[b]));
            }
            return sb.append(']').toString();
        }

        /** The largest |near - elsewhere| band level difference in dB. */
        public double maxBandLevelExcessDb() {
            double m = 0;
            for (int b = 0; b < bands.size(); b++) {
                double d = Math.abs(bandLevelDbNearSeams[b] - bandLevelDbElsewhere[b]);
                if (Double.isFinite(d)) {
                    m = Math.max(m, d);
                }
            }
            return m;
        }
    }

    private final LongPredicate nearSeam;
    private final List<FrequencyBand> bands;
    private final int[] bandOfBin;
    private final float[] ref = new float[N_FFT * 8];
    private final float[] cand = new float[N_FFT * 8];
    private int pending;
    private long consumed; // sample index of ref[0]
    private long samples;
    private final long[] frames = new long[2];
    private final double[] lsdSum = new double[2];
    private final double[][] refPower;
    private final double[][] candPower;
    private final double[] diffSq = new double[2];
    private final double[] refSq = new double[2];
    private final long[] sampleCount = new long[2];

    /**
     * @param sampleRate the signals' rate in Hz
     * @param nearSeam true for the sample indices that belong to a seam region
     */
    public SeamMeter(int sampleRate, LongPredicate nearSeam) {
        Signals.sampleRate(sampleRate);
        this.nearSeam = Check.notNull("nearSeam", nearSeam);
        this.bands = FrequencyBand.standardBands(sampleRate);
        int bins = N_FFT / 2 + 1;
        bandOfBin = new int[bins];
        for (int k = 0; k < bins; k++) {
            double f = (double) k * sampleRate / N_FFT;
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
        refPower = new double[2][bands.size()];
        candPower = new double[2][bands.size()];
    }

    /**
     * Takes the next {@code n} samples of both signals.
     *
     * @throws IllegalArgumentException if a sample is not finite
     */
    public void accept(float[] reference, float[] candidate, int offset, int n) {
        Check.notNull("reference", reference);
        Check.notNull("candidate", candidate);
        if (offset < 0 || n < 0 || offset > reference.length - n || offset > candidate.length - n) {
            throw new IndexOutOfBoundsException("offset " + offset + " and n " + n + " must lie inside both arrays ("
                    + reference.length + ", " + candidate.length + ")");
        }
        for (int i = 0; i < n; i++) {
            float r = reference[offset + i];
            float c = candidate[offset + i];
            if (!Float.isFinite(r) || !Float.isFinite(c)) {
                throw new IllegalArgumentException("samples must be finite, got reference " + r + " and candidate " + c
                        + " at sample " + (samples + i));
            }
            int g = nearSeam.test(samples + i) ? 0 : 1;
            double d = (double) c - r;
            diffSq[g] += d * d;
            refSq[g] += (double) r * r;
            sampleCount[g]++;
        }
        samples += n;
        int done = 0;
        while (done < n) {
            int m = Math.min(n - done, ref.length - pending);
            System.arraycopy(reference, offset + done, ref, pending, m);
            System.arraycopy(candidate, offset + done, cand, pending, m);
            pending += m;
            done += m;
            if (pending == ref.length) {
                analyze();
            }
        }
    }

    /** Runs the frames that fit in the pending samples and keeps the rest. */
    private void analyze() {
        if (pending < N_FFT) {
            return;
        }
        int count = 1 + (pending - N_FFT) / HOP;
        int span = N_FFT + (count - 1) * HOP;
        Spectrogram r = FRAMES.magnitude(Arrays.copyOf(ref, span));
        Spectrogram c = FRAMES.magnitude(Arrays.copyOf(cand, span));
        float[] rv = r.toArray();
        float[] cv = c.toArray();
        int bins = r.numBins();
        for (int t = 0; t < count; t++) {
            int g = nearSeam.test(consumed + (long) t * HOP + N_FFT / 2) ? 0 : 1;
            double acc = 0;
            for (int k = 0; k < bins; k++) {
                double rk = rv[t * bins + k];
                double ck = cv[t * bins + k];
                double ek = ck + Metrics.LSD_EPS;
                double d = Math.log10(rk * rk / (ek * ek) + Metrics.LSD_EPS);
                acc += d * d;
                int b = bandOfBin[k];
                if (b >= 0) {
                    refPower[g][b] += rk * rk;
                    candPower[g][b] += ck * ck;
                }
            }
            lsdSum[g] += Math.sqrt(acc / bins);
            frames[g]++;
        }
        int drop = count * HOP;
        System.arraycopy(ref, drop, ref, 0, pending - drop);
        System.arraycopy(cand, drop, cand, 0, pending - drop);
        pending -= drop;
        consumed += drop;
    }

    /** The measurements so far (the frames that fit in the samples given). */
    public Report report() {
        analyze();
        double[][] levels = new double[2][bands.size()];
        for (int g = 0; g < 2; g++) {
            for (int b = 0; b < bands.size(); b++) {
                levels[g][b] = refPower[g][b] > 0 && candPower[g][b] > 0
                        ? 10 * Math.log10(candPower[g][b] / refPower[g][b]) : Double.NaN;
            }
        }
        return new Report(frames[0], frames[1], frames[0] == 0 ? Double.NaN : lsdSum[0] / frames[0],
                frames[1] == 0 ? Double.NaN : lsdSum[1] / frames[1], bands, levels[0], levels[1],
                rms(diffSq[0], sampleCount[0]), rms(diffSq[1], sampleCount[1]), rms(refSq[0], sampleCount[0]),
                rms(refSq[1], sampleCount[1]), samples);
    }

    private static double rms(double sumSq, long n) {
        return n == 0 ? Double.NaN : Math.sqrt(sumSq / n);
    }

    /** Measures two whole signals of the same length. */
    public static Report measure(float[] reference, float[] candidate, int sampleRate, LongPredicate nearSeam) {
        Signals.pair(reference, candidate, 1);
        SeamMeter m = new SeamMeter(sampleRate, nearSeam);
        m.accept(reference, candidate, 0, reference.length);
        return m.report();
    }
}
