package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Short-time Fourier transform and its inverse with {@code torch.stft} / {@code torch.istft} semantics
 * (PyTorch {@code aten/src/ATen/native/SpectralOps.cpp}, {@code stft} and {@code istft}), computed in float64 with
 * JTransforms.
 *
 * <p>Forward: with {@code center} the signal is padded by {@code nFft/2} samples at both ends ({@link PadMode}); frame
 * {@code t} covers padded samples {@code [t*hop, t*hop + nFft)}, is multiplied by the window (zero-padded to
 * {@code nFft} and centred) and transformed with an unnormalised one-sided DFT
 * ({@code X[k] = sum_n x[n] exp(-2 pi i k n / nFft)}), giving {@code nFft/2 + 1} bins. Frame count:
 * {@code 1 + (numSamples + 2*(nFft/2) - nFft) / hop} ({@code 1 + numSamples/hop} when centred).
 *
 * <p>Inverse ({@code torch.istft}): each frame is inverted with an inverse real DFT ({@code 1/nFft} scaling, the
 * imaginary parts of the DC and Nyquist bins are ignored), multiplied by the window and overlap-added; the sum is
 * divided by the overlap-added squared window and, when centred, {@code nFft/2} samples are dropped at the start.
 * The default output length is {@code hop * (numFrames - 1)} (centred) or {@code nFft + hop * (numFrames - 1)};
 * an explicit length cuts or zero-pads the end. Like torch, it fails when the squared-window envelope falls below
 * {@code 1e-11} inside the output (a window/hop pair that violates NOLA).
 *
 * <p>FFT plans and work buffers are created once per instance and reused; long inputs are split over up to
 * {@link Builder#parallelism(int)} threads (calling thread included). Instances are immutable and thread-safe.
 */
public final class Stft {
    /** Smallest squared-window envelope torch.istft accepts. */
    static final double ENVELOPE_MIN = 1e-11;
    private static final int FRAMES_PER_CHUNK = 32;

    private final int nFft;
    private final int hopLength;
    private final int winLength;
    private final boolean center;
    private final PadMode padMode;
    private final int parallelism;
    private final double[] unpaddedWindow; // length winLength
    private final double[] window; // length nFft, zero-padded and centred
    private final int windowStart; // first index of the non-zero-padded part
    private final int windowEnd;
    private final double[] windowSquared;
    private final ConcurrentLinkedQueue<Workspace> workspaces = new ConcurrentLinkedQueue<>();
    private final FrameParallel.StatePool<Workspace> pool = new FrameParallel.StatePool<>() {
        @Override
        public Workspace acquire() {
            Workspace ws = workspaces.poll();
            return ws != null ? ws : new Workspace(nFft);
        }

        @Override
        public void release(Workspace state) {
            workspaces.offer(state);
        }
    };
    private volatile Envelope cachedEnvelope; // squared-window overlap-add of the last frame count used

    private record Envelope(int frames, double[] values) {}

    private Stft(Builder b) {
        this.nFft = b.nFft;
        this.hopLength = b.hopLength;
        this.winLength = b.winLength;
        this.center = b.center;
        this.padMode = b.padMode;
        this.parallelism = b.parallelism;
        double[] w = b.customWindow != null ? b.customWindow.clone() : b.windowFunction.create(winLength, b.periodic);
        this.unpaddedWindow = w;
        this.window = WindowFunction.padCenter(w, nFft);
        this.windowStart = (nFft - winLength) / 2;
        this.windowEnd = windowStart + winLength;
        this.windowSquared = new double[nFft];
        for (int i = 0; i < nFft; i++) {
            windowSquared[i] = window[i] * window[i];
        }
    }

    /**
     * Starts a configuration with torch's defaults: {@code hopLength = nFft/4}, {@code winLength = nFft}, periodic
     * Hann window, {@code center = true}, reflect padding.
     *
     * @param nFft FFT size, a power of two in {@code [2, 2^20]}
     * @return a builder
     */
    public static Builder builder(int nFft) {
        return new Builder(nFft);
    }

    /** Per-thread FFT plan and buffers. */
    static final class Workspace {
        final DoubleFFT_1D fft;
        final double[] frame;
        /** Scratch for callers, {@code nFft/2 + 1} values each. */
        final double[] scratchA;
        final double[] scratchB;

        Workspace(int nFft) {
            this.fft = new DoubleFFT_1D(nFft);
            this.frame = new double[nFft];
            this.scratchA = new double[nFft / 2 + 1];
            this.scratchB = new double[nFft / 2 + 1];
        }
    }

    /**
     * Receives one analysed frame in JTransforms' packed real-FFT layout: {@code packed[0] = Re X[0]},
     * {@code packed[1] = Re X[nFft/2]}, {@code packed[2k] = Re X[k]}, {@code packed[2k+1] = Im X[k]} for
     * {@code 0 < k < nFft/2}. Called concurrently from several threads for different frames.
     */
    @FunctionalInterface
    interface FrameVisitor {
        void visit(int frame, double[] packed, Workspace ws);
    }

    /** FFT size. */
    public int nFft() {
        return nFft;
    }

    /** Hop between frames in samples. */
    public int hopLength() {
        return hopLength;
    }

    /** Window length before zero-padding to {@code nFft}. */
    public int winLength() {
        return winLength;
    }

    /** Whether frames are centred (signal padded by {@code nFft/2}). */
    public boolean center() {
        return center;
    }

    /** Padding mode used when centred. */
    public PadMode padMode() {
        return padMode;
    }

    /** Maximum number of threads used per call. */
    public int parallelism() {
        return parallelism;
    }

    /**
     * The same transform with another thread limit (see {@link Builder#parallelism(int)}).
     *
     * @param parallelism {@code >= 1}
     * @return a new instance, or this one if the limit is unchanged
     */
    public Stft withParallelism(int parallelism) {
        Check.positive("parallelism", parallelism);
        if (parallelism == this.parallelism) {
            return this;
        }
        return builder(nFft).hopLength(hopLength).window(unpaddedWindow).center(center).padMode(padMode)
                .parallelism(parallelism).build();
    }

    /** Number of bins per frame, {@code nFft/2 + 1}. */
    public int numBins() {
        return nFft / 2 + 1;
    }

    /** A copy of the window, zero-padded and centred to {@code nFft} samples. */
    public double[] window() {
        return window.clone();
    }

    /**
     * Number of frames produced for a signal of {@code numSamples} samples.
     *
     * @param numSamples signal length; must satisfy the same limits as {@link #complex(float[])}
     * @return the frame count
     */
    public int numFrames(int numSamples) {
        checkLength("numSamples", numSamples);
        return framesFor(numSamples);
    }

    private int framesFor(int numSamples) {
        long padded = center ? (long) numSamples + 2L * (nFft / 2) : numSamples;
        return (int) (1 + (padded - nFft) / hopLength);
    }

    /**
     * Complex one-sided STFT ({@code torch.stft(..., return_complex=True, onesided=True, normalized=False)}).
     *
     * @param signal finite samples; with reflect padding longer than {@code nFft/2}, without centring at least
     *               {@code nFft}
     * @return the spectrogram, {@code numFrames(signal.length) x (nFft/2 + 1)}
     */
    public ComplexSpectrogram complex(float[] signal) {
        double[] padded = padded(signal, "signal");
        int frames = framesFor(signal.length);
        int bins = numBins();
        float[] re = new float[frames * bins];
        float[] im = new float[frames * bins];
        analyze(padded, frames, (t, p, ws) -> {
            int base = t * bins;
            re[base] = (float) p[0];
            re[base + bins - 1] = (float) p[1];
            for (int k = 1; k < bins - 1; k++) {
                re[base + k] = (float) p[2 * k];
                im[base + k] = (float) p[2 * k + 1];
            }
        });
        return ComplexSpectrogram.wrap(frames, bins, re, im);
    }

    /**
     * Magnitude spectrogram {@code |X|} (power 1).
     *
     * @param signal as for {@link #complex(float[])}
     * @return {@code numFrames x (nFft/2 + 1)} magnitudes
     */
    public Spectrogram magnitude(float[] signal) {
        return realSpectrogram(signal, false);
    }

    /**
     * Power spectrogram {@code |X|^2} (power 2).
     *
     * @param signal as for {@link #complex(float[])}
     * @return {@code numFrames x (nFft/2 + 1)} powers
     */
    public Spectrogram power(float[] signal) {
        return realSpectrogram(signal, true);
    }

    private Spectrogram realSpectrogram(float[] signal, boolean power) {
        double[] padded = padded(signal, "signal");
        int frames = framesFor(signal.length);
        int bins = numBins();
        float[] out = new float[frames * bins];
        analyze(padded, frames, (t, p, ws) -> {
            double[] mag = ws.scratchA;
            if (power) {
                powerSpectrum(p, mag);
            } else {
                magnitudeSpectrum(p, mag);
            }
            int base = t * bins;
            for (int k = 0; k < bins; k++) {
                out[base + k] = (float) mag[k];
            }
        });
        return Spectrogram.wrap(frames, bins, out);
    }

    /**
     * Inverse STFT with {@code torch.istft} semantics and the default output length ({@code hop * (frames - 1)} when
     * centred, {@code nFft + hop * (frames - 1)} otherwise).
     *
     * @param spectrogram one-sided spectrogram with {@code nFft/2 + 1} bins
     * @return the signal
     */
    public float[] inverse(ComplexSpectrogram spectrogram) {
        Check.notNull("spectrogram", spectrogram);
        checkBins(spectrogram);
        return toFloat(inverseCore(toDouble(spectrogram.realData()), toDouble(spectrogram.imagData()),
                spectrogram.numFrames(), -1));
    }

    /**
     * Inverse STFT with an explicit output length ({@code torch.istft(..., length=length)}): the result is cut or
     * zero-padded at the end to {@code length} samples.
     *
     * @param spectrogram one-sided spectrogram with {@code nFft/2 + 1} bins
     * @param length      output length, {@code >= 1}
     * @return the signal
     */
    public float[] inverse(ComplexSpectrogram spectrogram, int length) {
        Check.notNull("spectrogram", spectrogram);
        Check.positive("length", length);
        checkBins(spectrogram);
        return toFloat(inverseCore(toDouble(spectrogram.realData()), toDouble(spectrogram.imagData()),
                spectrogram.numFrames(), length));
    }

    private void checkBins(ComplexSpectrogram s) {
        if (s.numBins() != numBins()) {
            throw new IllegalArgumentException("spectrogram.numBins must be nFft/2 + 1 = " + numBins()
                    + ", got " + s.numBins());
        }
    }

    // ------------------------------------------------------------------------------------------------ internals

    /** Validates {@code signal} and returns it padded (centred) as float64. */
    double[] padded(float[] signal, String name) {
        Check.notNull(name, signal);
        checkLength(name + ".length", signal.length);
        Check.allFinite(name, signal);
        return padCore(toDouble(signal));
    }

    /** Pads an already validated float64 signal. */
    double[] padCore(double[] x) {
        if (!center) {
            return x;
        }
        int pad = nFft / 2;
        int n = x.length;
        double[] out = new double[n + 2 * pad];
        System.arraycopy(x, 0, out, pad, n);
        if (padMode == PadMode.REFLECT) {
            // torch.nn.functional.pad(mode="reflect"): out[pad - i] = x[i], out[pad + n - 1 + i] = x[n - 1 - i]
            for (int i = 1; i <= pad; i++) {
                out[pad - i] = x[i];
                out[pad + n - 1 + i] = x[n - 1 - i];
            }
        }
        return out;
    }

    private void checkLength(String name, int numSamples) {
        if (center && padMode == PadMode.REFLECT) {
            if (numSamples <= nFft / 2) {
                throw new IllegalArgumentException(name + " must be > nFft/2 = " + nFft / 2
                        + " for reflect padding, got " + numSamples);
            }
        } else if (center) {
            Check.positive(name, numSamples);
        } else if (numSamples < nFft) {
            throw new IllegalArgumentException(name + " must be >= nFft = " + nFft
                    + " without centring, got " + numSamples);
        }
    }

    /** Frame count for an already padded float64 signal. */
    int framesForPadded(int paddedLength) {
        return 1 + (paddedLength - nFft) / hopLength;
    }

    /** Runs the windowed forward FFT over {@code frames} frames of {@code padded}, possibly in parallel. */
    void analyze(double[] padded, int frames, FrameVisitor visitor) {
        FrameParallel.run(frames, FRAMES_PER_CHUNK, parallelism, pool, (from, to, ws) -> {
            double[] buf = ws.frame;
            for (int t = from; t < to; t++) {
                int start = t * hopLength;
                for (int j = windowStart; j < windowEnd; j++) {
                    buf[j] = padded[start + j] * window[j];
                }
                if (windowStart > 0 || windowEnd < nFft) {
                    Arrays.fill(buf, 0, windowStart, 0.0);
                    Arrays.fill(buf, windowEnd, nFft, 0.0);
                }
                ws.fft.realForward(buf);
                visitor.visit(t, buf, ws);
            }
        });
    }

    /** Writes {@code |X[k]|} of a packed spectrum into {@code out[0..nFft/2]}. */
    void magnitudeSpectrum(double[] p, double[] out) {
        int half = nFft / 2;
        out[0] = Math.abs(p[0]);
        out[half] = Math.abs(p[1]);
        for (int k = 1; k < half; k++) {
            double re = p[2 * k];
            double im = p[2 * k + 1];
            out[k] = Math.sqrt(re * re + im * im);
        }
    }

    /** Writes {@code |X[k]|^2} of a packed spectrum into {@code out[0..nFft/2]}. */
    void powerSpectrum(double[] p, double[] out) {
        int half = nFft / 2;
        out[0] = p[0] * p[0];
        out[half] = p[1] * p[1];
        for (int k = 1; k < half; k++) {
            double re = p[2 * k];
            double im = p[2 * k + 1];
            out[k] = re * re + im * im;
        }
    }

    /** Inverse STFT of flat time-major float64 parts; {@code length < 0} selects the default length. */
    double[] inverseCore(double[] re, double[] im, int frames, int length) {
        int bins = numBins();
        int half = nFft / 2;
        int expectedLen = nFft + hopLength * (frames - 1);
        int start = center ? half : 0;
        int end = length >= 0 ? start + length : (center ? expectedLen - half : expectedLen);
        int outLen = end - start;
        int avail = Math.max(0, Math.min(end, expectedLen) - start);
        double[] envelope = envelope(frames, expectedLen);
        for (int i = start; i < start + avail; i++) {
            if (!(Math.abs(envelope[i]) >= ENVELOPE_MIN)) {
                throw new IllegalArgumentException("window/hop violate NOLA: the overlap-added squared window is "
                        + envelope[i] + " (< " + ENVELOPE_MIN + ") at sample " + (i - start)
                        + " of the inverse STFT (nFft=" + nFft + ", hopLength=" + hopLength + ", winLength="
                        + winLength + ")");
            }
        }
        double[] ola = new double[expectedLen];
        FrameParallel.run(frames, FRAMES_PER_CHUNK, parallelism, pool, (from, to, ws) -> {
            double[] buf = ws.frame;
            int localStart = from * hopLength;
            int localLen = (to - 1 - from) * hopLength + nFft;
            double[] local = new double[localLen];
            for (int t = from; t < to; t++) {
                int base = t * bins;
                buf[0] = re[base];
                buf[1] = re[base + half];
                for (int k = 1; k < half; k++) {
                    buf[2 * k] = re[base + k];
                    buf[2 * k + 1] = im[base + k];
                }
                ws.fft.realInverse(buf, true);
                int off = t * hopLength - localStart;
                for (int j = windowStart; j < windowEnd; j++) {
                    local[off + j] += buf[j] * window[j];
                }
            }
            synchronized (ola) {
                for (int i = 0; i < localLen; i++) {
                    ola[localStart + i] += local[i];
                }
            }
        });
        double[] y = new double[outLen];
        for (int i = 0; i < avail; i++) {
            y[i] = ola[start + i] / envelope[start + i];
        }
        return y;
    }

    private double[] envelope(int frames, int expectedLen) {
        Envelope cached = cachedEnvelope;
        if (cached != null && cached.frames() == frames) {
            return cached.values();
        }
        double[] env = new double[expectedLen];
        for (int t = 0; t < frames; t++) {
            int off = t * hopLength;
            for (int j = windowStart; j < windowEnd; j++) {
                env[off + j] += windowSquared[j];
            }
        }
        cachedEnvelope = new Envelope(frames, env);
        return env;
    }

    static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return "Stft[nFft=" + nFft + ", hopLength=" + hopLength + ", winLength=" + winLength + ", center=" + center
                + ", padMode=" + padMode + ", parallelism=" + parallelism + "]";
    }

    /** Configuration of an {@link Stft}. */
    public static final class Builder {
        private final int nFft;
        private int hopLength;
        private int winLength;
        private WindowFunction windowFunction = WindowFunction.HANN;
        private boolean periodic = true;
        private double[] customWindow;
        private boolean center = true;
        private PadMode padMode = PadMode.REFLECT;
        private int parallelism = 1;

        private Builder(int nFft) {
            if (nFft < 2 || nFft > (1 << 20) || Integer.bitCount(nFft) != 1) {
                throw new IllegalArgumentException("nFft must be a power of two in [2, 1048576], got " + nFft);
            }
            this.nFft = nFft;
            this.hopLength = Math.max(1, nFft / 4);
            this.winLength = nFft;
        }

        /**
         * Hop between frames.
         *
         * @param hopLength samples, {@code >= 1}
         * @return this builder
         */
        public Builder hopLength(int hopLength) {
            this.hopLength = Check.positive("hopLength", hopLength);
            return this;
        }

        /**
         * Window length; the window is zero-padded (centred) to {@code nFft}.
         *
         * @param winLength samples, in {@code [1, nFft]}
         * @return this builder
         */
        public Builder winLength(int winLength) {
            this.winLength = Check.inRange("winLength", winLength, 1, nFft);
            if (customWindow != null && customWindow.length != winLength) {
                throw new IllegalArgumentException("winLength must equal the custom window length "
                        + customWindow.length + ", got " + winLength);
            }
            return this;
        }

        /**
         * A named window of length {@code winLength}.
         *
         * @param function the window shape
         * @param periodic {@code true} for the DFT-even (periodic) variant, as STFTs use
         * @return this builder
         */
        public Builder window(WindowFunction function, boolean periodic) {
            this.windowFunction = Check.notNull("function", function);
            this.periodic = periodic;
            this.customWindow = null;
            return this;
        }

        /**
         * An explicit window; also sets {@code winLength} to its length.
         *
         * @param window finite samples, length in {@code [1, nFft]}
         * @return this builder
         */
        public Builder window(double[] window) {
            Check.notNull("window", window);
            Check.inRange("window.length", window.length, 1, nFft);
            for (int i = 0; i < window.length; i++) {
                if (!Double.isFinite(window[i])) {
                    throw new IllegalArgumentException(
                            "window must contain only finite values, got " + window[i] + " at index " + i);
                }
            }
            this.customWindow = window.clone();
            this.winLength = window.length;
            return this;
        }

        /**
         * Centre frames on {@code t * hop} by padding {@code nFft/2} samples at both ends.
         *
         * @param center whether to centre
         * @return this builder
         */
        public Builder center(boolean center) {
            this.center = center;
            return this;
        }

        /**
         * Padding used when centred.
         *
         * @param padMode reflect or constant (zeros)
         * @return this builder
         */
        public Builder padMode(PadMode padMode) {
            this.padMode = Check.notNull("padMode", padMode);
            return this;
        }

        /**
         * Maximum threads per call (the calling thread plus helpers from the common fork-join pool); default 1.
         * Inputs of at most 32 frames always run on the calling thread. Results do not depend on this setting.
         * On the 2-core reference machine, shared with other jobs, a second thread did not raise the median
         * throughput (BENCHMARKS.md), hence the default; it helps when cores are idle.
         *
         * @param parallelism {@code >= 1}; 1 disables threading
         * @return this builder
         */
        public Builder parallelism(int parallelism) {
            this.parallelism = Check.positive("parallelism", parallelism);
            return this;
        }

        /** Builds the transform (computes the window and prepares FFT plans lazily per thread). */
        public Stft build() {
            return new Stft(this);
        }
    }
}
