package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;

/**
 * Band-limited resampling of mono float audio by a rational factor with a Kaiser-windowed sinc
 * (polyphase form). The filter has 32 zero crossings per side at the lower of the two Nyquist
 * rates (scaled by a 0.95 roll-off) and a Kaiser beta of 8.6, comparable to librosa's
 * {@code kaiser_best}/resampy in pass-band flatness and stop-band rejection (&gt; 80 dB).
 * Output length is {@code ceil(n * to / from)}; the output is aligned with the input (sample 0
 * maps to sample 0).
 */
public final class SincResampler {
    private static final int ZERO_CROSSINGS = 32;
    private static final double ROLLOFF = 0.95;
    private static final double BETA = 8.6;

    private SincResampler() {}

    public static float[] resample(float[] x, int fromRate, int toRate) {
        Check.notNull("x", x);
        Check.positive("fromRate", fromRate);
        Check.positive("toRate", toRate);
        if (fromRate == toRate) {
            return x.clone();
        }
        int g = gcd(fromRate, toRate);
        int up = toRate / g;
        int down = fromRate / g;
        long outLen = ((long) x.length * up + down - 1) / down;
        if (outLen > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output would have " + outLen + " samples, more than an array can hold");
        }
        float[] y = new float[(int) outLen];
        // cutoff relative to the input rate
        double cutoff = ROLLOFF * Math.min(1.0, (double) toRate / fromRate);
        double halfWidth = ZERO_CROSSINGS / cutoff; // in input samples
        double i0Beta = besselI0(BETA);
        // polyphase table: output positions fall on `up` distinct fractional phases p/up
        int[] first = new int[up];
        float[][] taps = new float[up][];
        for (int p = 0; p < up; p++) {
            double frac = (double) p / up;
            int lo = (int) Math.ceil(frac - halfWidth);
            int hi = (int) Math.floor(frac + halfWidth);
            first[p] = lo;
            taps[p] = new float[hi - lo + 1];
            for (int k = lo; k <= hi; k++) {
                double d = k - frac;
                double r = d / halfWidth;
                double w = besselI0(BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
                double arg = Math.PI * cutoff * d;
                double sinc = arg == 0 ? 1 : Math.sin(arg) / arg;
                taps[p][k - lo] = (float) (cutoff * sinc * w);
            }
        }
        for (int n = 0; n < y.length; n++) {
            // output sample n sits at input position n * down / up
            long num = (long) n * down;
            int center = (int) (num / up);
            int p = (int) (num % up);
            float[] h = taps[p];
            int start = center + first[p];
            int j0 = Math.max(0, -start);
            int j1 = Math.min(h.length, x.length - start);
            double acc = 0;
            for (int j = j0; j < j1; j++) {
                acc += x[start + j] * h[j];
            }
            y[n] = (float) acc;
        }
        return y;
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Modified Bessel function of the first kind, order 0 (power series). */
    static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }
}
