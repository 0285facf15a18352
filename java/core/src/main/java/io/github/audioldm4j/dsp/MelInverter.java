package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;

/**
 * Estimates a linear-frequency magnitude spectrogram from a mel spectrogram: for each frame, a non-negative
 * {@code x} with {@code W x ~ mel} ({@code W} the mel filter bank).
 *
 * <p>Method (the idea of librosa {@code feature/inverse.py} {@code mel_to_stft}, which solves the same non-negative
 * least-squares problem with scipy's L-BFGS-B, and of torchaudio's {@code InverseMelScale}):
 * <ol>
 *   <li>minimum-norm least squares {@code x0 = W^T (W W^T + eps I)^{-1} mel} (the Moore-Penrose pseudo-inverse;
 *       {@code eps = 1e-10 * max diag(W W^T)} keeps empty filters harmless), clamped to {@code >= 0};
 *   <li>{@link Builder#nnlsIterations(int)} steps of accelerated projected gradient (FISTA with gradient restart) on
 *       {@code 0.5 ||W x - mel||^2} subject to {@code x >= 0}, step {@code 1 / L} with {@code L} the largest
 *       eigenvalue of {@code W W^T}. The best iterate seen (checked every 10 steps) is returned, so the result is
 *       never worse than the clamped pseudo-inverse.
 * </ol>
 * AudioLDM2's own {@code tools.inv_mel_spec} instead multiplies by {@code W^T} and a constant 1000, which does not
 * reproduce the mel; this class is the better-posed replacement. Frames are solved independently, on up to
 * {@link Builder#parallelism(int)} threads. Immutable and thread-safe.
 */
public final class MelInverter {
    private final MelFilterBank bank;
    private final int nnlsIterations;
    private final int parallelism;
    private final double[] choleskyL; // lower-triangular factor of W W^T + eps I, [numMels * numMels]
    private final double lipschitz;

    private MelInverter(Builder b) {
        this.bank = b.bank;
        this.nnlsIterations = b.nnlsIterations;
        this.parallelism = b.parallelism;
        int m = bank.numMels();
        double[] gram = gram(bank);
        double maxDiag = 0;
        for (int i = 0; i < m; i++) {
            maxDiag = Math.max(maxDiag, gram[i * m + i]);
        }
        double[] ridged = gram.clone();
        double eps = 1e-10 * Math.max(maxDiag, Double.MIN_NORMAL);
        for (int i = 0; i < m; i++) {
            ridged[i * m + i] += eps;
        }
        this.choleskyL = cholesky(ridged, m);
        this.lipschitz = largestEigenvalue(gram, m);
    }

    /**
     * Starts a configuration (200 NNLS iterations).
     *
     * @param bank the filter bank the mel spectrogram was made with
     * @return a builder
     */
    public static Builder builder(MelFilterBank bank) {
        return new Builder(bank);
    }

    /** The filter bank. */
    public MelFilterBank bank() {
        return bank;
    }

    /** Projected-gradient iterations after the pseudo-inverse. */
    public int nnlsIterations() {
        return nnlsIterations;
    }

    /**
     * Inverts a (linear-amplitude) mel spectrogram.
     *
     * @param mel {@code numFrames x numMels}, finite and {@code >= 0}
     * @return {@code numFrames x numBins} non-negative linear magnitudes
     */
    public Spectrogram invert(Spectrogram mel) {
        Check.notNull("mel", mel);
        if (mel.numBins() != bank.numMels()) {
            throw new IllegalArgumentException("mel.numBins must be numMels = " + bank.numMels() + ", got "
                    + mel.numBins());
        }
        float[] d = mel.data();
        double[] m = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            float v = d[i];
            if (!(v >= 0f) || v == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("mel must contain only finite values >= 0, got " + v
                        + " at frame " + i / mel.numBins() + ", mel bin " + i % mel.numBins());
            }
            m[i] = v;
        }
        double[] x = invertCore(m, mel.numFrames());
        return Spectrogram.wrap(mel.numFrames(), bank.numBins(), Stft.toFloat(x));
    }

    /** Validated float64 core: {@code mel} time-major {@code [frames * numMels]} -> {@code [frames * numBins]}. */
    double[] invertCore(double[] mel, int frames) {
        int bins = bank.numBins();
        double[] out = new double[frames * bins];
        FrameParallel.StatePool<Scratch> pool = new FrameParallel.StatePool<>() {
            @Override
            public Scratch acquire() {
                return new Scratch(bank.numMels(), bins);
            }

            @Override
            public void release(Scratch state) {
                // garbage collected
            }
        };
        FrameParallel.run(frames, 16, parallelism, pool, (from, to, sc) -> {
            for (int t = from; t < to; t++) {
                solveFrame(mel, t, out, sc);
            }
        });
        return out;
    }

    /** Per-thread buffers. */
    private static final class Scratch {
        final double[] z;
        final double[] y;
        final double[] r;
        final double[] x;
        final double[] best;
        final double[] prev;
        final double[] v;
        final double[] g;

        Scratch(int mels, int bins) {
            z = new double[mels];
            y = new double[mels];
            r = new double[mels];
            x = new double[bins];
            best = new double[bins];
            prev = new double[bins];
            v = new double[bins];
            g = new double[bins];
        }
    }

    private void solveFrame(double[] mel, int t, double[] out, Scratch sc) {
        int mels = bank.numMels();
        int bins = bank.numBins();
        double[] y = sc.y;
        double[] x = sc.x;
        double[] r = sc.r;
        double[] g = sc.g;
        double[] v = sc.v;
        double[] prev = sc.prev;
        double[] best = sc.best;
        System.arraycopy(mel, t * mels, y, 0, mels);
        // 1. x0 = max(0, W^T (W W^T)^-1 y)
        choleskySolve(choleskyL, mels, y, sc.z);
        bank.applyTransposeFrame(sc.z, x);
        for (int k = 0; k < bins; k++) {
            x[k] = Math.max(0.0, x[k]);
        }
        double bestObj = objective(x, y, r);
        System.arraycopy(x, 0, best, 0, bins);
        // 2. FISTA on 0.5 ||W x - y||^2, x >= 0, with gradient-based restart (O'Donoghue & Candes 2015)
        System.arraycopy(x, 0, prev, 0, bins);
        System.arraycopy(x, 0, v, 0, bins);
        double theta = 1.0;
        double step = 1.0 / lipschitz;
        for (int it = 0; it < nnlsIterations; it++) {
            bank.applyFrame(v, r);
            for (int i = 0; i < mels; i++) {
                r[i] -= y[i];
            }
            bank.applyTransposeFrame(r, g);
            double restart = 0;
            for (int k = 0; k < bins; k++) {
                double nx = Math.max(0.0, v[k] - step * g[k]);
                restart += g[k] * (nx - prev[k]);
                x[k] = nx;
            }
            double thetaNext = 0.5 * (1 + Math.sqrt(1 + 4 * theta * theta));
            double beta = (theta - 1) / thetaNext;
            if (restart > 0) { // the momentum step points uphill: restart from x
                thetaNext = 1.0;
                beta = 0.0;
            }
            for (int k = 0; k < bins; k++) {
                v[k] = x[k] + beta * (x[k] - prev[k]);
                prev[k] = x[k];
            }
            theta = thetaNext;
            if (it % 10 == 9 || it == nnlsIterations - 1) {
                double obj = objective(x, y, r);
                if (obj < bestObj) {
                    bestObj = obj;
                    System.arraycopy(x, 0, best, 0, bins);
                }
            }
        }
        System.arraycopy(best, 0, out, t * bins, bins);
    }

    private double objective(double[] x, double[] y, double[] scratch) {
        bank.applyFrame(x, scratch);
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            double d = scratch[i] - y[i];
            s += d * d;
        }
        return 0.5 * s;
    }

    private static double[] gram(MelFilterBank bank) {
        int m = bank.numMels();
        int n = bank.numBins();
        double[] w = bank.weightsView();
        double[] g = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = i; j < m; j++) {
                int lo = Math.max(bank.firstBin(i), bank.firstBin(j));
                int hi = Math.min(bank.endBin(i), bank.endBin(j));
                double s = 0;
                for (int k = lo; k < hi; k++) {
                    s += w[i * n + k] * w[j * n + k];
                }
                g[i * m + j] = s;
                g[j * m + i] = s;
            }
        }
        return g;
    }

    private static double[] cholesky(double[] a, int m) {
        double[] l = new double[m * m];
        for (int j = 0; j < m; j++) {
            double d = a[j * m + j];
            for (int k = 0; k < j; k++) {
                d -= l[j * m + k] * l[j * m + k];
            }
            if (!(d > 0)) {
                throw new IllegalStateException("mel filter Gram matrix is not positive definite at row " + j);
            }
            double ljj = Math.sqrt(d);
            l[j * m + j] = ljj;
            for (int i = j + 1; i < m; i++) {
                double s = a[i * m + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * m + k] * l[j * m + k];
                }
                l[i * m + j] = s / ljj;
            }
        }
        return l;
    }

    private static void choleskySolve(double[] l, int m, double[] b, double[] out) {
        for (int i = 0; i < m; i++) { // L u = b
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i * m + k] * out[k];
            }
            out[i] = s / l[i * m + i];
        }
        for (int i = m - 1; i >= 0; i--) { // L^T z = u
            double s = out[i];
            for (int k = i + 1; k < m; k++) {
                s -= l[k * m + i] * out[k];
            }
            out[i] = s / l[i * m + i];
        }
    }

    /** Power iteration on the symmetric PSD Gram matrix (deterministic start), with a 1% safety margin. */
    private static double largestEigenvalue(double[] g, int m) {
        double[] v = new double[m];
        double[] w = new double[m];
        java.util.Arrays.fill(v, 1.0 / Math.sqrt(m));
        double lambda = 0;
        for (int it = 0; it < 500; it++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int j = 0; j < m; j++) {
                    s += g[i * m + j] * v[j];
                }
                w[i] = s;
            }
            double norm = 0;
            for (double x : w) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                return 1.0;
            }
            for (int i = 0; i < m; i++) {
                v[i] = w[i] / norm;
            }
            if (Math.abs(norm - lambda) <= 1e-12 * norm) {
                lambda = norm;
                break;
            }
            lambda = norm;
        }
        return lambda * 1.01;
    }

    @Override
    public String toString() {
        return "MelInverter[" + bank + ", nnlsIterations=" + nnlsIterations + "]";
    }

    /** Configuration of a {@link MelInverter}. */
    public static final class Builder {
        private final MelFilterBank bank;
        private int nnlsIterations = 200;
        private int parallelism = 1;

        private Builder(MelFilterBank bank) {
            this.bank = Check.notNull("bank", bank);
        }

        /**
         * Projected-gradient refinement steps after the clamped pseudo-inverse (0 returns the clamped
         * pseudo-inverse).
         *
         * @param nnlsIterations {@code >= 0}
         * @return this builder
         */
        public Builder nnlsIterations(int nnlsIterations) {
            this.nnlsIterations = Check.nonNegative("nnlsIterations", nnlsIterations);
            return this;
        }

        /**
         * Maximum threads per call (the calling thread plus common-pool helpers); default 1.
         *
         * @param parallelism {@code >= 1}
         * @return this builder
         */
        public Builder parallelism(int parallelism) {
            this.parallelism = Check.positive("parallelism", parallelism);
            return this;
        }

        /** Builds the inverter (factorises {@code W W^T}). */
        public MelInverter build() {
            return new MelInverter(this);
        }
    }
}
