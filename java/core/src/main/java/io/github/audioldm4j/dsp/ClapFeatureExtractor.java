package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;
import java.util.random.RandomGenerator;

/**
 * The CLAP audio feature extractor that AudioLDM2 uses to rank candidate waveforms
 * ({@code AudioLDM2Pipeline.score_waveforms}): a port of transformers
 * {@code models/clap/feature_extraction_clap.py} {@code ClapFeatureExtractor} ({@code _get_input_mel},
 * {@code _np_extract_fbank_features}) and {@code audio_utils.py} {@code spectrogram}/{@code power_to_db}, for the
 * {@code truncation="rand_trunc"} mode of the cvssp/audioldm2 {@code feature_extractor/preprocessor_config.json}.
 *
 * <p>Per waveform (48 kHz mono, float64 internally):
 * <ol>
 *   <li>longer than {@code maxLengthSamples}: a random crop of {@code maxLengthSamples} samples,
 *       {@code isLonger = true}; otherwise {@code isLonger = false} and the audio is extended by the padding mode
 *       ({@code repeatpad}: tiled {@code int(max/len)} times, then zero-padded; {@code repeat}: tiled and cut;
 *       {@code pad}: zero-padded);
 *   <li>STFT: centred with reflect padding of {@code nFft/2}, periodic Hann {@code np.hanning(nFft+1)[:-1]}, float64
 *       FFT whose real and imaginary parts are <b>rounded to float32</b> (upstream stores them in a complex64
 *       array), then {@code |X|^2} in float64;
 *   <li>{@code mel = max(1e-10, filters^T P)} with the Slaney-scale, Slaney-normalised float64 filters of
 *       {@code audio_utils.mel_filter_bank};
 *   <li>{@code 10 log10(max(mel, 1e-10))} (reference 1.0, no {@code top_db}), rounded to float32.
 * </ol>
 * Result: {@code input_features} of shape {@code [1, frames, numMels]} ({@code [1, 1001, 64]} for the AudioLDM2
 * config) and {@code is_longer}.
 *
 * <p>Randomness: upstream draws the crop offset with numpy's <em>global</em> RNG
 * ({@code np.random.randint(0, overflow + 1)}), which cannot be reproduced from Java. Here the caller supplies a
 * {@link RandomGenerator} and the offset is {@code random.nextInt(overflow + 1)}, so results are deterministic for a
 * seeded generator (e.g. {@code new java.util.SplittableRandom(seed)}) but differ from any particular Python run.
 * Inputs no longer than {@code maxLengthSamples} never touch the generator. The {@code fusion} truncation of other
 * CLAP checkpoints is not supported.
 *
 * <p>Immutable and thread-safe (the generator is only used by the calling thread).
 */
public final class ClapFeatureExtractor {
    /** How audio shorter than {@code maxLengthSamples} is extended. */
    public enum Padding {
        /** Tile the audio {@code int(max/len)} times, then zero-pad ({@code "repeatpad"}). */
        REPEATPAD,
        /** Tile the audio {@code int(max/len) + 1} times and cut to the maximum ({@code "repeat"}). */
        REPEAT,
        /** Zero-pad at the end only ({@code "max_length"} / {@code "pad"}). */
        PAD
    }

    /**
     * Feature-extractor settings, named after the {@code preprocessor_config.json} fields.
     *
     * @param samplingRate     {@code sampling_rate}, Hz
     * @param featureSize      {@code feature_size}: number of mel filters
     * @param fftWindowSize    {@code fft_window_size}: FFT size (power of two)
     * @param hopLength        {@code hop_length}
     * @param frequencyMin     {@code frequency_min}, Hz
     * @param frequencyMax     {@code frequency_max}, Hz
     * @param maxLengthSamples {@code nb_max_samples} ({@code max_length_s * sampling_rate})
     * @param padding          {@code padding}
     */
    public record Config(int samplingRate, int featureSize, int fftWindowSize, int hopLength, double frequencyMin,
            double frequencyMax, int maxLengthSamples, Padding padding) {
        /** Validates the settings. */
        public Config {
            Check.positive("samplingRate", samplingRate);
            Check.positive("featureSize", featureSize);
            if (fftWindowSize < 2 || Integer.bitCount(fftWindowSize) != 1) {
                throw new IllegalArgumentException(
                        "fftWindowSize must be a power of two >= 2, got " + fftWindowSize);
            }
            Check.positive("hopLength", hopLength);
            Check.positive("maxLengthSamples", maxLengthSamples);
            if (maxLengthSamples <= fftWindowSize / 2) {
                throw new IllegalArgumentException("maxLengthSamples must be > fftWindowSize/2 = "
                        + fftWindowSize / 2 + " (reflect padding), got " + maxLengthSamples);
            }
            Check.notNull("padding", padding);
        }

        /**
         * The cvssp/audioldm2 {@code feature_extractor/preprocessor_config.json}: 48 kHz, 64 mels, 50-14000 Hz,
         * hop 480, FFT 1024, 10 s (480000 samples), {@code repeatpad}, {@code rand_trunc}.
         */
        public static Config audioLdm2() {
            return new Config(48000, 64, 1024, 480, 50, 14000, 480000, Padding.REPEATPAD);
        }
    }

    /**
     * Features of one waveform.
     *
     * @param inputFeatures flat {@code [1, numFrames, numMels]} log-mel in dB, time-major
     * @param numFrames     frames ({@code 1 + maxLengthSamples / hopLength})
     * @param numMels       mel filters
     * @param isLonger      whether the input was longer than {@code maxLengthSamples} (and was randomly cropped)
     */
    public record Features(float[] inputFeatures, int numFrames, int numMels, boolean isLonger) {
        /** Validates the array length. */
        public Features {
            Check.length("inputFeatures", inputFeatures, Math.multiplyExact(numFrames, numMels));
        }

        /** The tensor shape {@code [1, numFrames, numMels]} (add a batch dimension for the model). */
        public long[] shape() {
            return new long[] {1, numFrames, numMels};
        }

        /** The features as a {@link Spectrogram} ({@code numFrames x numMels}). */
        public Spectrogram toSpectrogram() {
            return new Spectrogram(numFrames, numMels, inputFeatures);
        }
    }

    private static final double MEL_FLOOR = 1e-10;
    private static final double MIN_VALUE = 1e-10;

    private final Config config;
    private final Stft stft;
    private final MelFilterBank melFilters;

    /** The extractor with the AudioLDM2 configuration ({@link Config#audioLdm2()}). */
    public ClapFeatureExtractor() {
        this(Config.audioLdm2());
    }

    /**
     * Creates an extractor.
     *
     * @param config the settings
     */
    public ClapFeatureExtractor(Config config) {
        this.config = Check.notNull("config", config);
        this.stft = Stft.builder(config.fftWindowSize()).hopLength(config.hopLength())
                .winLength(config.fftWindowSize()).window(WindowFunction.HANN, true).center(true)
                .padMode(PadMode.REFLECT).build();
        // self.mel_filters_slaney = mel_filter_bank(..., norm="slaney", mel_scale="slaney")
        this.melFilters = MelFilterBank.transformers(config.fftWindowSize() / 2 + 1, config.featureSize(),
                config.frequencyMin(), config.frequencyMax(), config.samplingRate(), MelScale.SLANEY,
                MelFilterBank.Norm.SLANEY);
    }

    /** The settings. */
    public Config config() {
        return config;
    }

    /** The Slaney filter bank ({@code mel_filters_slaney}, stored upstream as {@code [numBins][numMels]}). */
    public MelFilterBank melFilters() {
        return melFilters;
    }

    /** Frames per feature map: {@code 1 + maxLengthSamples / hopLength}. */
    public int numFrames() {
        return 1 + config.maxLengthSamples() / config.hopLength();
    }

    /**
     * Extracts the features of one waveform ({@code fe([waveform], sampling_rate=...)} for a batch of one).
     *
     * @param waveform     finite mono samples at {@code samplingRate}, at least one
     * @param samplingRate the waveform's sample rate; must equal the config's (upstream raises otherwise)
     * @param random       source for the crop offset of inputs longer than {@code maxLengthSamples}
     * @return the features
     */
    public Features extract(float[] waveform, int samplingRate, RandomGenerator random) {
        Check.notEmpty("waveform", waveform);
        Check.allFinite("waveform", waveform);
        Check.notNull("random", random);
        if (samplingRate != config.samplingRate()) {
            throw new IllegalArgumentException("samplingRate must be " + config.samplingRate()
                    + " (the rate this extractor was configured for), got " + samplingRate);
        }
        int max = config.maxLengthSamples();
        int n = waveform.length;
        double[] audio = new double[max];
        boolean longer = n > max;
        if (longer) {
            // rand_trunc: overflow = len - max_length; idx = np.random.randint(0, overflow + 1)
            int overflow = n - max;
            int idx = random.nextInt(overflow + 1);
            for (int i = 0; i < max; i++) {
                audio[i] = waveform[idx + i];
            }
        } else {
            int copies = switch (config.padding()) {
                case REPEATPAD -> max / n; // np.tile(waveform, int(max_length / len)), then zero-pad
                case REPEAT -> max / n + 1; // np.tile(waveform, n_repeat + 1)[:max_length]
                case PAD -> 1;
            };
            int filled = (int) Math.min((long) copies * n, max);
            for (int i = 0; i < filled; i++) {
                audio[i] = waveform[i % n];
            }
        }
        float[] features = logMelDb(audio);
        return new Features(features, numFrames(), config.featureSize(), longer);
    }

    /** {@code _np_extract_fbank_features(waveform, mel_filters_slaney)}: {@code [frames * numMels]} dB values. */
    private float[] logMelDb(double[] audio) {
        double[] padded = stft.padCore(audio);
        int frames = stft.framesForPadded(padded.length);
        int mels = config.featureSize();
        int half = config.fftWindowSize() / 2;
        float[] out = new float[frames * mels];
        stft.analyze(padded, frames, (t, p, ws) -> {
            double[] power = ws.scratchA;
            double[] mel = ws.scratchB;
            // spectrogram[frame_idx] = rfft(buffer) stored into complex64; np.abs(..., dtype=float64) ** 2
            power[0] = square((float) p[0]);
            power[half] = square((float) p[1]);
            for (int k = 1; k < half; k++) {
                double re = (float) p[2 * k];
                double im = (float) p[2 * k + 1];
                double abs = Math.sqrt(re * re + im * im);
                power[k] = abs * abs;
            }
            melFilters.applyFrame(power, mel);
            int base = t * mels;
            for (int m = 0; m < mels; m++) {
                // np.maximum(mel_floor, filters.T @ P); power_to_db: 10 * (log10(clip(x, min_value)) - log10(1.0))
                double v = Math.max(MEL_FLOOR, mel[m]);
                out[base + m] = (float) (10.0 * Math.log10(Math.max(v, MIN_VALUE)));
            }
        });
        return out;
    }

    private static double square(float v) {
        double d = Math.abs((double) v);
        return d * d;
    }

    @Override
    public String toString() {
        return "ClapFeatureExtractor[" + config + "]";
    }
}
