package io.github.audioldm4j.examples;

/**
 * The Compare example's default input: 4 s at 48 kHz with content across the whole band, so that
 * every stage's losses show up — a harmonic tone (220 Hz with 30 partials up to 6.6 kHz), a
 * logarithmic chirp 100 Hz → 20 kHz, short noise bursts (broadband transients) and a 12 kHz
 * whistle that only survives stages that keep content above 8 kHz. Deterministic.
 */
final class BuiltInSignal {
    static final int SAMPLE_RATE = 48000;
    static final double SECONDS = 4.0;

    private BuiltInSignal() {}

    static float[] generate() {
        int n = (int) (SAMPLE_RATE * SECONDS);
        float[] x = new float[n];
        java.util.Random noise = new java.util.Random(20261125L);
        double f0 = 100;
        double f1 = 20000;
        for (int i = 0; i < n; i++) {
            double t = (double) i / SAMPLE_RATE;
            double v = 0;
            // harmonic tone with 1/k partials and a slow tremolo
            for (int k = 1; k <= 30; k++) {
                v += 0.12 / k * Math.sin(2 * Math.PI * 220 * k * t);
            }
            v *= 0.8 + 0.2 * Math.sin(2 * Math.PI * 2 * t);
            // logarithmic chirp over the whole duration
            double phase = 2 * Math.PI * f0 * SECONDS / Math.log(f1 / f0) * (Math.pow(f1 / f0, t / SECONDS) - 1);
            v += 0.08 * Math.sin(phase);
            // 12 kHz whistle in the second half
            if (t > 2.0) {
                v += 0.05 * Math.sin(2 * Math.PI * 12000 * t);
            }
            // 40 ms noise bursts every 0.5 s
            if ((t % 0.5) < 0.04) {
                v += 0.15 * noise.nextGaussian() * Math.exp(-((t % 0.5) / 0.01));
            }
            x[i] = (float) v;
        }
        float peak = 0;
        for (float v : x) {
            peak = Math.max(peak, Math.abs(v));
        }
        for (int i = 0; i < n; i++) {
            x[i] = x[i] / peak * 0.7f;
        }
        return x;
    }
}
