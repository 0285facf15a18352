package io.github.audioldm4j.testing;

import java.util.SplittableRandom;
import org.jtransforms.fft.DoubleFFT_1D;

/** Deterministic test signals. */
public final class TestSignals {
    private TestSignals() {}

    /** Gaussian white noise with standard deviation {@code sigma}. */
    public static float[] whiteNoise(int n, double sigma, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (sigma * rng.nextGaussian());
        }
        return x;
    }

    /** {@code x} with every DFT bin at or above {@code cutoffHz} zeroed (a circular brick-wall low-pass). */
    public static float[] lowPass(float[] x, int sampleRate, double cutoffHz) {
        int n = x.length;
        double[] buf = new double[2 * n];
        for (int i = 0; i < n; i++) {
            buf[i] = x[i];
        }
        DoubleFFT_1D fft = new DoubleFFT_1D(n);
        fft.realForwardFull(buf);
        for (int k = 0; k < n; k++) {
            double f = Math.min(k, n - k) * (double) sampleRate / n;
            if (f >= cutoffHz) {
                buf[2 * k] = 0;
                buf[2 * k + 1] = 0;
            }
        }
        fft.complexInverse(buf, true);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) buf[2 * i];
        }
        return y;
    }

    /** {@code amplitude * sin(2 pi f n / sr + phase)}. */
    public static float[] sine(int n, double amplitude, double hz, int sampleRate, double phase) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / sampleRate + phase));
        }
        return x;
    }

    public static float[] scale(float[] x, float g) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = g * x[i];
        }
        return y;
    }

    public static float[] add(float[] a, float[] b) {
        float[] y = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }
}
