package io.github.audioldm4j.dsp;

import static io.github.audioldm4j.dsp.StftTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Linear-phase STFT crossover: perfect reconstruction, stop-band attenuation, merging, validation. */
class CrossoverTest {
    private static final int SR = 16000;

    static float[] tone(double hz, int n, double amp) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / SR + 0.2));
        }
        return x;
    }

    static float[] noise(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.3 * (r.nextDouble() * 2 - 1));
        }
        return x;
    }

    static double energy(float[] x) {
        double e = 0;
        for (float v : x) {
            e += (double) v * v;
        }
        return e;
    }

    static double db(double ratio) {
        return 10 * Math.log10(ratio);
    }

    @Test
    void bandsSumToTheSignal() {
        for (int n : new int[] {1, 100, 129, 16000, 33333}) {
            float[] x = noise(n, n);
            Crossover.Bands b = Crossover.split(x, SR, 4000, 1000);
            assertEquals(n, b.low().length);
            assertEquals(n, b.high().length);
            double max = 0;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, Math.abs(b.low()[i] + b.high()[i] - x[i]));
            }
            assertTrue(max <= 1e-6, "n=" + n + " reconstruction error " + max);
        }
    }

    @Test
    void tonesFarFromTheCutoffLandInOneBand() {
        int n = SR; // 1 s
        float[] lowTone = tone(1000, n, 0.5);
        float[] highTone = tone(7000, n, 0.5);
        Crossover c = new Crossover(SR, 4000, 1000);
        Crossover.Bands lb = c.split(lowTone);
        Crossover.Bands hb = c.split(highTone);
        double lowLeak = db(energy(lb.high()) / energy(lowTone));
        double highLeak = db(energy(hb.low()) / energy(highTone));
        double lowKept = db(energy(lb.low()) / energy(lowTone));
        double highKept = db(energy(hb.high()) / energy(highTone));
        System.out.printf("[crossover] nFft %d; 1 kHz tone in high band %.1f dB, 7 kHz tone in low band %.1f dB; "
                + "passband %.4f / %.4f dB%n", c.nFft(), lowLeak, highLeak, lowKept, highKept);
        assertTrue(lowLeak < -40, "1 kHz leak into the high band " + lowLeak + " dB");
        assertTrue(highLeak < -40, "7 kHz leak into the low band " + highLeak + " dB");
        assertEquals(0.0, lowKept, 0.01);
        assertEquals(0.0, highKept, 0.01);
        // near the cutoff both bands share the tone (raised cosine: 0.5 amplitude each at the centre)
        Crossover.Bands mid = c.split(tone(4000, n, 0.5));
        double midLow = db(energy(mid.low()) / energy(tone(4000, n, 0.5)));
        assertEquals(-6.02, midLow, 0.5);
    }

    @Test
    void filterIsZeroPhase() {
        // a low tone passes the low band without delay or phase shift (away from the first/last nFft samples, where
        // the reflect padding's kink puts some broadband content into the high band)
        float[] x = tone(500, SR, 0.5);
        Crossover c = new Crossover(SR, 4000, 1000);
        float[] low = c.split(x).low();
        double interior = 0;
        double edge = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs(low[i] - x[i]);
            if (i >= c.nFft() && i < x.length - c.nFft()) {
                interior = Math.max(interior, d);
            } else {
                edge = Math.max(edge, d);
            }
        }
        System.out.printf("[crossover] 500 Hz passband max error: interior %.2e, edges %.2e%n", interior, edge);
        assertTrue(interior < 1e-6, "500 Hz passband error " + interior);
        assertTrue(edge < 0.1, "500 Hz passband error at the edges " + edge);
    }

    @Test
    void mergeTakesLowBandOfOneAndHighBandOfTheOther() {
        int n = SR;
        float[] a = new float[n];
        float[] b = new float[n];
        float[] aLow = tone(800, n, 0.4);
        float[] aHigh = tone(6500, n, 0.3);
        float[] bLow = tone(1500, n, 0.2);
        float[] bHigh = tone(6000, n, 0.35);
        for (int i = 0; i < n; i++) {
            a[i] = aLow[i] + aHigh[i];
            b[i] = bLow[i] + bHigh[i];
        }
        float[] merged = Crossover.merge(a, b, SR, 4000, 1000);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = aLow[i] + bHigh[i];
        }
        double err = 0;
        for (int i = 0; i < n; i++) {
            err += (merged[i] - expected[i]) * (double) (merged[i] - expected[i]);
        }
        double snr = db(energy(expected) / err);
        System.out.printf("[crossover] merge SNR vs ideal %.1f dB%n", snr);
        assertTrue(snr > 40, "merge SNR " + snr + " dB");
        // merging a signal with itself gives the signal back
        float[] self = Crossover.merge(a, a, SR, 4000, 1000);
        for (int i = 0; i < n; i++) {
            assertEquals(a[i], self[i], 1e-6f);
        }
    }

    @Test
    void gainIsARaisedCosine() {
        assertEquals(1.0, Crossover.lowPassGain(3500, 4000, 1000));
        assertEquals(1.0, Crossover.lowPassGain(0, 4000, 1000));
        assertEquals(0.5, Crossover.lowPassGain(4000, 4000, 1000), 1e-15);
        assertEquals(0.0, Crossover.lowPassGain(4500, 4000, 1000));
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.25)), Crossover.lowPassGain(3750, 4000, 1000), 1e-15);
        Crossover c = new Crossover(SR, 4000, 1000);
        assertEquals(256, c.nFft()); // 16000/256 = 62.5 Hz <= 1000/4
        assertEquals(2048, new Crossover(48000, 1000, 100).nFft()); // 48000/1024 = 46.9 > 25, 48000/2048 = 23.4
    }

    @Test
    void invalidArgumentsAreRejectedWithMessages() {
        float[] x = new float[100];
        assertMessage("highSource must have the length of lowSource 100, got 99 (resample or pad the signals to a "
                + "common length first)", () -> Crossover.merge(x, new float[99], SR, 4000, 1000));
        assertMessage("sampleRate must be > 0, got 0", () -> Crossover.split(x, 0, 4000, 1000));
        assertMessage("cutoffHz must be finite and > 0, got -5.0", () -> Crossover.split(x, SR, -5, 1000));
        assertMessage("transitionHz must be finite and > 0, got NaN", () -> Crossover.split(x, SR, 4000, Double.NaN));
        assertMessage("cutoffHz - transitionHz/2 must be > 0, got 400.0 - 1000.0/2 = -100.0",
                () -> Crossover.split(x, SR, 400, 1000));
        assertMessage("cutoffHz + transitionHz/2 must be < sampleRate/2 = 8000.0, got 7800.0 + 1000.0/2 = 8300.0",
                () -> Crossover.split(x, SR, 7800, 1000));
        assertMessage("signal must not be empty, got length 0", () -> Crossover.split(new float[0], SR, 4000, 1000));
        float[] bad = new float[10];
        bad[9] = Float.NaN;
        assertMessage("signal must contain only finite values, got NaN at index 9",
                () -> Crossover.split(bad, SR, 4000, 1000));
        assertMessage("highSource must contain only finite values, got NaN at index 9",
                () -> Crossover.merge(new float[10], bad, SR, 4000, 1000));
        assertMessage("high must have the length of low 2, got 1", () -> new Crossover.Bands(new float[2], new float[1]));
    }
}
