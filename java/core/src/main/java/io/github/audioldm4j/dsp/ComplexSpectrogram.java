package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;

/**
 * A complex one-sided STFT, time-major: {@code numFrames} frames of {@code numBins = nFft/2 + 1} bins, real and
 * imaginary parts stored flat as {@code real[frame * numBins + bin]}. Immutable: the constructor and accessors copy.
 */
public final class ComplexSpectrogram {
    private final int numFrames;
    private final int numBins;
    private final float[] real;
    private final float[] imag;

    /**
     * Creates a spectrogram from flat time-major parts (copied).
     *
     * @param numFrames number of frames, {@code >= 1}
     * @param numBins   bins per frame, {@code >= 1}
     * @param real      {@code numFrames * numBins} real parts, finite
     * @param imag      {@code numFrames * numBins} imaginary parts, finite
     */
    public ComplexSpectrogram(int numFrames, int numBins, float[] real, float[] imag) {
        Check.positive("numFrames", numFrames);
        Check.positive("numBins", numBins);
        int n = Math.multiplyExact(numFrames, numBins);
        Check.allFinite("real", Check.length("real", real, n));
        Check.allFinite("imag", Check.length("imag", imag, n));
        this.numFrames = numFrames;
        this.numBins = numBins;
        this.real = real.clone();
        this.imag = imag.clone();
    }

    private ComplexSpectrogram(int numFrames, int numBins, float[] real, float[] imag, boolean owned) {
        this.numFrames = numFrames;
        this.numBins = numBins;
        this.real = real;
        this.imag = imag;
    }

    static ComplexSpectrogram wrap(int numFrames, int numBins, float[] real, float[] imag) {
        return new ComplexSpectrogram(numFrames, numBins, real, imag, true);
    }

    /** Number of frames. */
    public int numFrames() {
        return numFrames;
    }

    /** Number of frequency bins per frame. */
    public int numBins() {
        return numBins;
    }

    /** Real part at {@code (frame, bin)}. */
    public float real(int frame, int bin) {
        return real[index(frame, bin)];
    }

    /** Imaginary part at {@code (frame, bin)}. */
    public float imag(int frame, int bin) {
        return imag[index(frame, bin)];
    }

    /** A copy of the flat time-major real parts. */
    public float[] realParts() {
        return real.clone();
    }

    /** A copy of the flat time-major imaginary parts. */
    public float[] imagParts() {
        return imag.clone();
    }

    /** {@code |X|}, computed in float64 and rounded to float32. */
    public Spectrogram magnitude() {
        float[] out = new float[real.length];
        for (int i = 0; i < out.length; i++) {
            double re = real[i];
            double im = imag[i];
            out[i] = (float) Math.sqrt(re * re + im * im);
        }
        return Spectrogram.wrap(numFrames, numBins, out);
    }

    /** {@code |X|^2}, computed in float64 and rounded to float32. */
    public Spectrogram power() {
        float[] out = new float[real.length];
        for (int i = 0; i < out.length; i++) {
            double re = real[i];
            double im = imag[i];
            out[i] = (float) (re * re + im * im);
        }
        return Spectrogram.wrap(numFrames, numBins, out);
    }

    /** The phase {@code atan2(imag, real)} in radians, {@code (-pi, pi]}. */
    public Spectrogram phase() {
        float[] out = new float[real.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.atan2(imag[i], real[i]);
        }
        return Spectrogram.wrap(numFrames, numBins, out);
    }

    float[] realData() {
        return real;
    }

    float[] imagData() {
        return imag;
    }

    private int index(int frame, int bin) {
        Check.inRange("frame", frame, 0, numFrames - 1);
        Check.inRange("bin", bin, 0, numBins - 1);
        return frame * numBins + bin;
    }

    @Override
    public String toString() {
        return "ComplexSpectrogram[numFrames=" + numFrames + ", numBins=" + numBins + "]";
    }
}
