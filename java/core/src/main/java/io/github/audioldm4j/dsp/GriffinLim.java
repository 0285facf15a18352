package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;
import java.util.SplittableRandom;

/**
 * Phase reconstruction from a magnitude spectrogram with the (fast) Griffin-Lim algorithm, following
 * {@code torchaudio.functional.griffinlim} (pytorch/audio {@code src/torchaudio/functional/functional.py}; fast
 * Griffin-Lim of Perraudin, Balazs and Sondergaard, 2013):
 * <pre>
 *   alpha  = momentum / (1 + momentum)
 *   angles = initial phases; tprev = 0
 *   repeat iterations times:
 *     inverse = istft(S * angles, length)
 *     rebuilt = stft(inverse)
 *     angles  = rebuilt - alpha * tprev          (no momentum term when momentum = 0)
 *     angles  = angles / (|angles| + 1e-16)
 *     tprev   = rebuilt
 *   return istft(S * angles, length)
 * </pre>
 * The STFT is the {@link Stft} given to the builder (torch uses {@code center=True, pad_mode="reflect"}).
 *
 * <p>Initial phase: {@link #zeroPhase()} is torchaudio's {@code rand_init=False} (all angles {@code 1 + 0i});
 * {@link #randomPhase(long)} draws phases uniformly from {@code [0, 2 pi)} with a {@link SplittableRandom} of the given
 * seed (the scheme of AudioLDM2's {@code audio_processing.griffin_lim}; torchaudio's {@code rand_init=True} uses
 * torch's global RNG, which is not reproduced). Results are deterministic for a given configuration, also with
 * parallel STFTs (frames are independent).
 *
 * <p>Immutable and thread-safe.
 */
public final class GriffinLim {
    private static final double EPS = 1e-16;

    /** Initial phase estimate. */
    public record PhaseInit(boolean random, long seed) {
        /** Human-readable form. */
        @Override
        public String toString() {
            return random ? "random(seed=" + seed + ")" : "zero";
        }
    }

    /** All initial phases 0 (angles {@code 1 + 0i}), torchaudio's {@code rand_init=False}. */
    public static PhaseInit zeroPhase() {
        return new PhaseInit(false, 0L);
    }

    /**
     * Initial phases uniform in {@code [0, 2 pi)}, drawn frame by frame, bin by bin from
     * {@code new SplittableRandom(seed)}.
     *
     * @param seed the seed
     * @return the initialisation
     */
    public static PhaseInit randomPhase(long seed) {
        return new PhaseInit(true, seed);
    }

    /**
     * Output of {@link #reconstructWithDiagnostics}.
     *
     * @param waveform            the reconstructed signal
     * @param spectralConvergence {@code ||S - |STFT(x_i)|||_F / ||S||_F} of the signal {@code x_i} synthesised at
     *                            the start of iteration {@code i}, followed by the value for the returned waveform
     *                            ({@code iterations + 1} entries)
     */
    public record Result(float[] waveform, double[] spectralConvergence) {
        /** The spectral convergence of the returned waveform. */
        public double finalSpectralConvergence() {
            return spectralConvergence[spectralConvergence.length - 1];
        }
    }

    private final Stft stft;
    private final int iterations;
    private final double momentum;
    private final PhaseInit phaseInit;

    private GriffinLim(Builder b) {
        this.stft = b.stft;
        this.iterations = b.iterations;
        this.momentum = b.momentum;
        this.phaseInit = b.phaseInit;
    }

    /**
     * Starts a configuration with torchaudio's defaults (32 iterations, momentum 0.99) and zero initial phase.
     *
     * @param stft the transform pair the magnitudes come from
     * @return a builder
     */
    public static Builder builder(Stft stft) {
        return new Builder(stft);
    }

    /** The STFT used. */
    public Stft stft() {
        return stft;
    }

    /** Number of iterations. */
    public int iterations() {
        return iterations;
    }

    /** Momentum as given (before the {@code m / (1 + m)} mapping). */
    public double momentum() {
        return momentum;
    }

    /** The initial phase. */
    public PhaseInit phaseInit() {
        return phaseInit;
    }

    /**
     * Reconstructs a waveform of the default length {@code hop * (numFrames - 1)} (torch.istft's default when
     * centred).
     *
     * @param magnitude linear magnitudes (power 1), {@code numFrames x (nFft/2 + 1)}, finite and {@code >= 0}
     * @return the waveform
     */
    public float[] reconstruct(Spectrogram magnitude) {
        Check.notNull("magnitude", magnitude);
        return reconstructWithDiagnostics(magnitude, defaultLength(magnitude.numFrames())).waveform();
    }

    /**
     * Reconstructs a waveform of {@code length} samples ({@code torchaudio griffinlim(..., length=length)}).
     *
     * @param magnitude linear magnitudes (power 1), {@code numFrames x (nFft/2 + 1)}, finite and {@code >= 0}
     * @param length    output length; must produce {@code numFrames} frames again
     *                  ({@code stft.numFrames(length) == numFrames})
     * @return the waveform
     */
    public float[] reconstruct(Spectrogram magnitude, int length) {
        return reconstructWithDiagnostics(magnitude, length).waveform();
    }

    /**
     * As {@link #reconstruct(Spectrogram, int)}, also returning the spectral convergence per iteration.
     *
     * @param magnitude linear magnitudes (power 1), {@code numFrames x (nFft/2 + 1)}, finite and {@code >= 0}
     * @param length    output length; must produce {@code numFrames} frames again
     * @return waveform and convergence history
     */
    public Result reconstructWithDiagnostics(Spectrogram magnitude, int length) {
        Check.notNull("magnitude", magnitude);
        double[] s = checkedMagnitudes(magnitude);
        checkLength(magnitude.numFrames(), length);
        return run(s, magnitude.numFrames(), length);
    }

    /** Core on validated float64 magnitudes (time-major). */
    Result run(double[] s, int frames, int length) {
        int bins = stft.numBins();
        int n = frames * bins;
        double alpha = momentum / (1 + momentum);
        double[] angRe = new double[n];
        double[] angIm = new double[n];
        initialise(angRe, angIm);
        double[] rebuiltRe = new double[n];
        double[] rebuiltIm = new double[n];
        double[] prevRe = new double[n];
        double[] prevIm = new double[n];
        double[] specRe = new double[n];
        double[] specIm = new double[n];
        double[] frameError = new double[frames];
        double norm = 0;
        for (double v : s) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        double[] history = new double[iterations + 1];
        for (int it = 0; it < iterations; it++) {
            // inverse = istft(specgram * angles, length); rebuilt = stft(inverse)
            for (int i = 0; i < n; i++) {
                specRe[i] = s[i] * angRe[i];
                specIm[i] = s[i] * angIm[i];
            }
            double[] inverse = stft.inverseCore(specRe, specIm, frames, length);
            analyzeInto(inverse, s, rebuiltRe, rebuiltIm, frameError);
            history[it] = convergence(frameError, norm);
            // angles = rebuilt - alpha * tprev; angles /= |angles| + 1e-16; tprev = rebuilt
            for (int i = 0; i < n; i++) {
                double re = rebuiltRe[i];
                double im = rebuiltIm[i];
                if (alpha != 0.0) {
                    re -= alpha * prevRe[i];
                    im -= alpha * prevIm[i];
                }
                double abs = Math.sqrt(re * re + im * im) + EPS;
                angRe[i] = re / abs;
                angIm[i] = im / abs;
            }
            double[] t = prevRe;
            prevRe = rebuiltRe;
            rebuiltRe = t;
            t = prevIm;
            prevIm = rebuiltIm;
            rebuiltIm = t;
        }
        for (int i = 0; i < n; i++) {
            specRe[i] = s[i] * angRe[i];
            specIm[i] = s[i] * angIm[i];
        }
        double[] waveform = stft.inverseCore(specRe, specIm, frames, length);
        analyzeInto(waveform, s, rebuiltRe, rebuiltIm, frameError);
        history[iterations] = convergence(frameError, norm);
        return new Result(Stft.toFloat(waveform), history);
    }

    private void initialise(double[] re, double[] im) {
        if (!phaseInit.random()) {
            java.util.Arrays.fill(re, 1.0);
            return;
        }
        SplittableRandom rnd = new SplittableRandom(phaseInit.seed());
        for (int i = 0; i < re.length; i++) {
            double phi = 2 * Math.PI * rnd.nextDouble();
            re[i] = Math.cos(phi);
            im[i] = Math.sin(phi);
        }
    }

    /** STFT of {@code signal} into flat parts, with the per-frame squared error of |X| against {@code s}. */
    private void analyzeInto(double[] signal, double[] s, double[] re, double[] im, double[] frameError) {
        int bins = stft.numBins();
        int half = bins - 1;
        double[] padded = stft.padCore(signal);
        int frames = stft.framesForPadded(padded.length);
        stft.analyze(padded, frames, (t, p, ws) -> {
            int base = t * bins;
            re[base] = p[0];
            im[base] = 0.0;
            re[base + half] = p[1];
            im[base + half] = 0.0;
            for (int k = 1; k < half; k++) {
                re[base + k] = p[2 * k];
                im[base + k] = p[2 * k + 1];
            }
            double err = 0;
            for (int k = 0; k < bins; k++) {
                double d = s[base + k] - Math.sqrt(re[base + k] * re[base + k] + im[base + k] * im[base + k]);
                err += d * d;
            }
            frameError[t] = err;
        });
    }

    private static double convergence(double[] frameError, double norm) {
        double e = 0;
        for (double v : frameError) {
            e += v;
        }
        return norm > 0 ? Math.sqrt(e) / norm : Math.sqrt(e);
    }

    int defaultLength(int frames) {
        if (frames < 2) {
            throw new IllegalArgumentException("magnitude.numFrames must be >= 2 for the default length "
                    + "hop * (numFrames - 1), got " + frames + "; pass an explicit length");
        }
        return stft.hopLength() * (frames - 1);
    }

    double[] checkedMagnitudes(Spectrogram magnitude) {
        if (magnitude.numBins() != stft.numBins()) {
            throw new IllegalArgumentException("magnitude.numBins must be nFft/2 + 1 = " + stft.numBins()
                    + ", got " + magnitude.numBins());
        }
        float[] d = magnitude.data();
        double[] s = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            float v = d[i];
            if (!(v >= 0f) || v == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("magnitude must contain only finite values >= 0, got " + v
                        + " at frame " + i / magnitude.numBins() + ", bin " + i % magnitude.numBins());
            }
            s[i] = v;
        }
        return s;
    }

    void checkLength(int frames, int length) {
        Check.positive("length", length);
        int min = stft.center() ? stft.hopLength() * (frames - 1) : stft.nFft() + stft.hopLength() * (frames - 1);
        int max = min + stft.hopLength() - 1;
        if (stft.center() && stft.padMode() == PadMode.REFLECT) {
            min = Math.max(min, stft.nFft() / 2 + 1);
        }
        if (length < min || length > max) {
            throw new IllegalArgumentException("length must be in [" + min + ", " + max + "] so that the STFT of the "
                    + "result has " + frames + " frames again, got " + length);
        }
    }

    @Override
    public String toString() {
        return "GriffinLim[iterations=" + iterations + ", momentum=" + momentum + ", phaseInit=" + phaseInit + ", "
                + stft + "]";
    }

    /** Configuration of a {@link GriffinLim}. */
    public static final class Builder {
        private final Stft stft;
        private int iterations = 32;
        private double momentum = 0.99;
        private PhaseInit phaseInit = zeroPhase();

        private Builder(Stft stft) {
            this.stft = Check.notNull("stft", stft);
        }

        /**
         * Number of iterations (torchaudio default 32; AudioLDM2's {@code inv_mel_spec} uses 60).
         *
         * @param iterations {@code >= 0}
         * @return this builder
         */
        public Builder iterations(int iterations) {
            this.iterations = Check.nonNegative("iterations", iterations);
            return this;
        }

        /**
         * Fast Griffin-Lim momentum (0 gives the original algorithm).
         *
         * @param momentum in {@code [0, 1)}
         * @return this builder
         */
        public Builder momentum(double momentum) {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0.0, 1.0), got " + momentum);
            }
            this.momentum = momentum;
            return this;
        }

        /**
         * Initial phase.
         *
         * @param phaseInit {@link #zeroPhase()} or {@link #randomPhase(long)}
         * @return this builder
         */
        public Builder phaseInit(PhaseInit phaseInit) {
            this.phaseInit = Check.notNull("phaseInit", phaseInit);
            return this;
        }

        /** Builds the reconstructor. */
        public GriffinLim build() {
            return new GriffinLim(this);
        }
    }
}
