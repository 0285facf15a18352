package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;
import java.util.Arrays;

/**
 * A real-valued, time-major spectrogram: {@code numFrames} rows of {@code numBins} values (linear or mel bins), stored
 * flat as {@code data[frame * numBins + bin]}. Immutable: the constructor and {@link #toArray()} copy.
 */
public final class Spectrogram {
    private final int numFrames;
    private final int numBins;
    private final float[] data;

    /**
     * Creates a spectrogram from a flat time-major array (copied).
     *
     * @param numFrames number of frames, {@code >= 1}
     * @param numBins   values per frame, {@code >= 1}
     * @param data      {@code numFrames * numBins} values, {@code data[frame * numBins + bin]}
     */
    public Spectrogram(int numFrames, int numBins, float[] data) {
        this(numFrames, numBins, checkedCopy(numFrames, numBins, data), true);
    }

    private Spectrogram(int numFrames, int numBins, float[] data, boolean owned) {
        this.numFrames = numFrames;
        this.numBins = numBins;
        this.data = data;
    }

    /** Wraps an array without copying; for this package's producers, which hand over ownership. */
    static Spectrogram wrap(int numFrames, int numBins, float[] data) {
        return new Spectrogram(numFrames, numBins, data, true);
    }

    /**
     * Creates a spectrogram from a {@code [frame][bin]} matrix.
     *
     * @param timeMajor rows of equal length, at least one row and one column
     * @return the spectrogram
     */
    public static Spectrogram fromTimeMajor(float[][] timeMajor) {
        Check.notNull("timeMajor", timeMajor);
        if (timeMajor.length == 0) {
            throw new IllegalArgumentException("timeMajor must have >= 1 frames, got 0");
        }
        int bins = Check.notNull("timeMajor[0]", timeMajor[0]).length;
        Check.positive("timeMajor[0].length", bins);
        float[] flat = new float[timeMajor.length * bins];
        for (int t = 0; t < timeMajor.length; t++) {
            float[] row = Check.requireNonNullElement("timeMajor", timeMajor[t], t);
            if (row.length != bins) {
                throw new IllegalArgumentException("timeMajor[" + t + "] must have length " + bins
                        + " (like timeMajor[0]), got " + row.length);
            }
            System.arraycopy(row, 0, flat, t * bins, bins);
        }
        return wrap(timeMajor.length, bins, flat);
    }

    /**
     * Creates a spectrogram from a {@code [bin][frame]} matrix (e.g. a {@code [64][frames]} mel).
     *
     * @param binMajor rows of equal length, at least one row and one column
     * @return the spectrogram
     */
    public static Spectrogram fromBinMajor(float[][] binMajor) {
        Check.notNull("binMajor", binMajor);
        if (binMajor.length == 0) {
            throw new IllegalArgumentException("binMajor must have >= 1 bins, got 0");
        }
        int frames = Check.notNull("binMajor[0]", binMajor[0]).length;
        Check.positive("binMajor[0].length", frames);
        int bins = binMajor.length;
        float[] flat = new float[frames * bins];
        for (int b = 0; b < bins; b++) {
            float[] row = Check.requireNonNullElement("binMajor", binMajor[b], b);
            if (row.length != frames) {
                throw new IllegalArgumentException("binMajor[" + b + "] must have length " + frames
                        + " (like binMajor[0]), got " + row.length);
            }
            for (int t = 0; t < frames; t++) {
                flat[t * bins + b] = row[t];
            }
        }
        return wrap(frames, bins, flat);
    }

    private static float[] checkedCopy(int numFrames, int numBins, float[] data) {
        Check.positive("numFrames", numFrames);
        Check.positive("numBins", numBins);
        Check.length("data", data, Math.multiplyExact(numFrames, numBins));
        return data.clone();
    }

    /** Number of frames (time steps). */
    public int numFrames() {
        return numFrames;
    }

    /** Number of bins per frame (frequency or mel channels). */
    public int numBins() {
        return numBins;
    }

    /** The value at {@code (frame, bin)}. */
    public float get(int frame, int bin) {
        Check.inRange("frame", frame, 0, numFrames - 1);
        Check.inRange("bin", bin, 0, numBins - 1);
        return data[frame * numBins + bin];
    }

    /** A copy of the flat time-major data ({@code [frame * numBins + bin]}), e.g. for a {@code [1, 1, T, F]} tensor. */
    public float[] toArray() {
        return data.clone();
    }

    /** A copy as a {@code [numFrames][numBins]} matrix (AudioLDM2's {@code [T, 64]} layout). */
    public float[][] toTimeMajor() {
        float[][] out = new float[numFrames][];
        for (int t = 0; t < numFrames; t++) {
            out[t] = Arrays.copyOfRange(data, t * numBins, (t + 1) * numBins);
        }
        return out;
    }

    /** A copy as a {@code [numBins][numFrames]} matrix (the {@code [64, T]} layout of {@code mel_spectrogram}). */
    public float[][] toBinMajor() {
        float[][] out = new float[numBins][numFrames];
        for (int t = 0; t < numFrames; t++) {
            int base = t * numBins;
            for (int b = 0; b < numBins; b++) {
                out[b][t] = data[base + b];
            }
        }
        return out;
    }

    /** Package access to the backing array (never modified after construction). */
    float[] data() {
        return data;
    }

    @Override
    public String toString() {
        return "Spectrogram[numFrames=" + numFrames + ", numBins=" + numBins + "]";
    }
}
