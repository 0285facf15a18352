package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;

/**
 * A model-free vocoder: natural-log mel spectrogram -> waveform, by {@code exp}, mel inversion
 * ({@link MelInverter}: pseudo-inverse + non-negative least squares) and fast Griffin-Lim ({@link GriffinLim}).
 * It is the reference baseline next to the HiFi-GAN vocoder: same input ({@code [T, 64]} AudioLDM2 log-mel), same
 * output length ({@code T * 160} samples at 16 kHz by default), no weights.
 *
 * <p>Compare AudioLDM2's {@code utilities/audio/tools.py} {@code inv_mel_spec} ({@code exp}, {@code mel_basis^T} times
 * 1000, 60 plain Griffin-Lim iterations from a random phase); this class uses a least-squares mel inversion and
 * torchaudio's fast Griffin-Lim instead. Deterministic for a configuration. Immutable and thread-safe.
 */
public final class GriffinLimVocoder {
    private final MelInverter inverter;
    private final GriffinLim griffinLim;

    private GriffinLimVocoder(Builder b) {
        if (b.melBank.numBins() != b.stft.numBins()) {
            throw new IllegalArgumentException("melBank.numBins must equal stft.numBins = " + b.stft.numBins()
                    + ", got " + b.melBank.numBins());
        }
        Stft stft = b.parallelism > 0 ? b.stft.withParallelism(b.parallelism) : b.stft;
        this.inverter = MelInverter.builder(b.melBank).nnlsIterations(b.nnlsIterations).parallelism(
                stft.parallelism()).build();
        this.griffinLim = GriffinLim.builder(stft).iterations(b.iterations).momentum(b.momentum)
                .phaseInit(b.phaseInit).build();
    }

    /**
     * A builder preset for AudioLDM2's front end ({@link AudioLdm2MelExtractor}: 16 kHz, n_fft 1024, hop 160,
     * 64 Slaney mels 0-8000 Hz), 60 iterations (as AudioLDM2's {@code inv_mel_spec}), momentum 0.99, zero initial
     * phase, 200 NNLS iterations.
     *
     * @return a builder
     */
    public static Builder audioLdm2() {
        AudioLdm2MelExtractor e = new AudioLdm2MelExtractor();
        return new Builder(e.stft(), e.melBasis());
    }

    /**
     * A builder for another front end.
     *
     * @param stft    the STFT the mel was computed with (magnitude, power 1)
     * @param melBank its mel filter bank
     * @return a builder
     */
    public static Builder builder(Stft stft, MelFilterBank melBank) {
        return new Builder(stft, melBank);
    }

    /** The Griffin-Lim stage. */
    public GriffinLim griffinLim() {
        return griffinLim;
    }

    /** The mel inversion stage. */
    public MelInverter melInverter() {
        return inverter;
    }

    /**
     * Linear magnitudes estimated from a log-mel ({@code exp}, then {@link MelInverter#invert}).
     *
     * @param logMel {@code numFrames x numMels} natural-log mel, finite
     * @return {@code numFrames x (nFft/2 + 1)} magnitudes
     */
    public Spectrogram magnitudes(Spectrogram logMel) {
        Check.notNull("logMel", logMel);
        int mels = inverter.bank().numMels();
        if (logMel.numBins() != mels) {
            throw new IllegalArgumentException("logMel.numBins must be numMels = " + mels + ", got "
                    + logMel.numBins());
        }
        float[] d = logMel.data();
        double[] mel = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                throw new IllegalArgumentException("logMel must contain only finite values, got " + d[i]
                        + " at frame " + i / mels + ", mel bin " + i % mels);
            }
            mel[i] = Math.exp(d[i]); // dynamic_range_decompression: exp(x) / C, C = 1
        }
        return Spectrogram.wrap(logMel.numFrames(), inverter.bank().numBins(),
                Stft.toFloat(inverter.invertCore(mel, logMel.numFrames())));
    }

    /**
     * Vocodes to {@code numFrames * hop} samples (HiFi-GAN's output length).
     *
     * @param logMel {@code numFrames x numMels} natural-log mel, finite, at least 2 frames
     * @return the waveform
     */
    public float[] vocode(Spectrogram logMel) {
        Check.notNull("logMel", logMel);
        return vocode(logMel, logMel.numFrames() * griffinLim.stft().hopLength());
    }

    /**
     * Vocodes to {@code length} samples. Griffin-Lim runs on the nearest length whose STFT has {@code numFrames}
     * frames; the result is then zero-padded or cut at the end.
     *
     * @param logMel {@code numFrames x numMels} natural-log mel, finite, at least 2 frames
     * @param length output samples, {@code >= 1}
     * @return the waveform
     */
    public float[] vocode(Spectrogram logMel, int length) {
        return vocodeWithDiagnostics(logMel, length).waveform();
    }

    /**
     * As {@link #vocode(Spectrogram, int)}, with Griffin-Lim's convergence history (against the estimated linear
     * magnitudes).
     *
     * @param logMel {@code numFrames x numMels} natural-log mel, finite, at least 2 frames
     * @param length output samples, {@code >= 1}
     * @return waveform and convergence history
     */
    public GriffinLim.Result vocodeWithDiagnostics(Spectrogram logMel, int length) {
        Check.notNull("logMel", logMel);
        Check.positive("length", length);
        int frames = logMel.numFrames();
        if (frames < 2) {
            throw new IllegalArgumentException("logMel.numFrames must be >= 2, got " + frames);
        }
        Stft stft = griffinLim.stft();
        int min = stft.center() ? stft.hopLength() * (frames - 1) : stft.nFft() + stft.hopLength() * (frames - 1);
        if (stft.center() && stft.padMode() == PadMode.REFLECT) {
            min = Math.max(min, stft.nFft() / 2 + 1);
        }
        int max = (stft.center() ? stft.hopLength() * frames : stft.nFft() + stft.hopLength() * frames) - 1;
        int inner = Math.max(min, Math.min(max, length));
        Spectrogram mags = magnitudes(logMel);
        double[] s = Stft.toDouble(mags.data());
        GriffinLim.Result r = griffinLim.run(s, frames, inner);
        if (inner == length) {
            return r;
        }
        float[] out = new float[length];
        System.arraycopy(r.waveform(), 0, out, 0, Math.min(length, inner));
        return new GriffinLim.Result(out, r.spectralConvergence());
    }

    @Override
    public String toString() {
        return "GriffinLimVocoder[" + inverter + ", " + griffinLim + "]";
    }

    /** Configuration of a {@link GriffinLimVocoder}. */
    public static final class Builder {
        private final Stft stft;
        private final MelFilterBank melBank;
        private int iterations = 60;
        private double momentum = 0.99;
        private GriffinLim.PhaseInit phaseInit = GriffinLim.zeroPhase();
        private int nnlsIterations = 200;
        private int parallelism; // 0: keep the STFT's

        private Builder(Stft stft, MelFilterBank melBank) {
            this.stft = Check.notNull("stft", stft);
            this.melBank = Check.notNull("melBank", melBank);
        }

        /**
         * Griffin-Lim iterations.
         *
         * @param iterations {@code >= 0}
         * @return this builder
         */
        public Builder iterations(int iterations) {
            this.iterations = Check.nonNegative("iterations", iterations);
            return this;
        }

        /**
         * Fast Griffin-Lim momentum.
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
         * @param phaseInit {@link GriffinLim#zeroPhase()} or {@link GriffinLim#randomPhase(long)}
         * @return this builder
         */
        public Builder phaseInit(GriffinLim.PhaseInit phaseInit) {
            this.phaseInit = Check.notNull("phaseInit", phaseInit);
            return this;
        }

        /**
         * NNLS refinement steps of the mel inversion.
         *
         * @param nnlsIterations {@code >= 0}
         * @return this builder
         */
        public Builder nnlsIterations(int nnlsIterations) {
            this.nnlsIterations = Check.nonNegative("nnlsIterations", nnlsIterations);
            return this;
        }

        /**
         * Maximum threads per call for the STFTs and the mel inversion (default: the given STFT's setting, 1 for
         * {@link #audioLdm2()}). Results do not depend on it.
         *
         * @param parallelism {@code >= 1}
         * @return this builder
         */
        public Builder parallelism(int parallelism) {
            this.parallelism = Check.positive("parallelism", parallelism);
            return this;
        }

        /** Builds the vocoder. */
        public GriffinLimVocoder build() {
            return new GriffinLimVocoder(this);
        }
    }
}
