package io.github.audioldm4j.dsp;

import io.github.audioldm4j.util.Check;

/**
 * The AudioLDM2 log-mel front end: the spectrogram the AudioLDM2 VAE encodes and its HiFi-GAN vocoder inverts.
 *
 * <p>Port of haoheliu/AudioLDM2 {@code audioldm2/utilities/audio/stft.py} {@code TacotronSTFT(1024, 160, 1024, 64,
 * 16000, 0, 8000).mel_spectrogram} and {@code audio_processing.py} {@code dynamic_range_compression}:
 * <ol>
 *   <li>reflect-pad 512 samples at both ends; frames of 1024 samples every 160 samples ({@code 1 + N/160} frames);
 *   <li>periodic Hann window ({@code scipy.signal.get_window("hann", 1024, fftbins=True)});
 *   <li>one-sided DFT, <b>magnitude</b> {@code sqrt(re^2 + im^2)} (not power);
 *   <li>{@code librosa.filters.mel(sr=16000, n_fft=1024, n_mels=64, fmin=0, fmax=8000)} of librosa 0.9.2 (Slaney mel
 *       scale, Slaney norm, float32 weights);
 *   <li>{@code log(clamp(mel, min=1e-5))}.
 * </ol>
 * Upstream runs the transform as a float32 conv1d; this class computes in float64 and rounds the result to float32,
 * which is closer to the exact value (see the golden-vector tests for the measured differences).
 *
 * <p>{@link #wavToFbank(float[], int)} reproduces the original repository's file-to-spectrogram path
 * ({@code audioldm2/utilities/audio/tools.py} {@code wav_to_fbank}) for a waveform that is already mono 16 kHz.
 *
 * <p>Output layout: {@link Spectrogram} with {@code numFrames} rows of 64 mel bins (AudioLDM2's {@code [T, 64]}
 * VAE input layout); {@link Spectrogram#toBinMajor()} gives the {@code [64, T]} layout of {@code mel_spectrogram}.
 * Immutable and thread-safe.
 */
public final class AudioLdm2MelExtractor {
    /** Sample rate the model expects (Hz). */
    public static final int SAMPLE_RATE = 16000;
    /** FFT size ({@code filter_length}). */
    public static final int N_FFT = 1024;
    /** Hop between frames ({@code hop_length}); 100 frames per second. */
    public static final int HOP_LENGTH = 160;
    /** Window length ({@code win_length}). */
    public static final int WIN_LENGTH = 1024;
    /** Number of mel channels ({@code n_mel_channels}). */
    public static final int N_MELS = 64;
    /** Lowest mel edge ({@code mel_fmin}, Hz). */
    public static final double F_MIN = 0.0;
    /** Highest mel edge ({@code mel_fmax}, Hz). */
    public static final double F_MAX = 8000.0;
    /** Floor applied before the logarithm ({@code clip_val}). */
    public static final double LOG_FLOOR = 1e-5;
    /** Value of a floored bin, {@code ln(1e-5)}. */
    public static final float LOG_FLOOR_VALUE = (float) Math.log(LOG_FLOOR);

    private final Stft stft;
    private final MelFilterBank melBasis;

    /** Creates the extractor; it computes on the calling thread only. */
    public AudioLdm2MelExtractor() {
        this(Stft.builder(N_FFT).hopLength(HOP_LENGTH).winLength(WIN_LENGTH).window(WindowFunction.HANN, true)
                .center(true).padMode(PadMode.REFLECT).build());
    }

    /**
     * Creates the extractor with at most {@code parallelism} threads per call (frames are split between the calling
     * thread and common fork-join pool helpers; the result is identical for any value).
     *
     * @param parallelism {@code >= 1}
     */
    public AudioLdm2MelExtractor(int parallelism) {
        this(Stft.builder(N_FFT).hopLength(HOP_LENGTH).winLength(WIN_LENGTH).window(WindowFunction.HANN, true)
                .center(true).padMode(PadMode.REFLECT).parallelism(parallelism).build());
    }

    private AudioLdm2MelExtractor(Stft stft) {
        this.stft = stft;
        this.melBasis = melFilterBank();
    }

    /** The AudioLDM2 mel basis: librosa 0.9.2 {@code filters.mel(16000, 1024, 64, 0, 8000)}, Slaney scale and norm. */
    public static MelFilterBank melFilterBank() {
        return MelFilterBank.librosa(SAMPLE_RATE, N_FFT, N_MELS, F_MIN, F_MAX, MelScale.SLANEY,
                MelFilterBank.Norm.SLANEY);
    }

    /** The STFT this extractor uses (n_fft 1024, hop 160, periodic Hann, centred, reflect). */
    public Stft stft() {
        return stft;
    }

    /** The mel basis this extractor uses. */
    public MelFilterBank melBasis() {
        return melBasis;
    }

    /**
     * Number of frames for {@code numSamples} samples: {@code 1 + numSamples / 160}.
     *
     * @param numSamples {@code > 512}
     * @return frame count
     */
    public int numFrames(int numSamples) {
        return stft.numFrames(numSamples);
    }

    /**
     * The log-mel spectrogram of a 16 kHz mono waveform ({@code TacotronSTFT.mel_spectrogram}).
     *
     * @param waveform finite samples in {@code [-1, 1]} (upstream asserts this range), more than 512 of them
     * @return {@code (1 + N/160) x 64} natural-log mel magnitudes
     */
    public Spectrogram logMel(float[] waveform) {
        Check.notNull("waveform", waveform);
        checkUnitRange(waveform);
        double[] padded = stft.padded(waveform, "waveform");
        int frames = stft.framesForPadded(padded.length);
        float[] out = new float[frames * N_MELS];
        analyzeLogMel(padded, frames, out);
        return Spectrogram.wrap(frames, N_MELS, out);
    }

    /**
     * As {@link #logMel(float[])}, first checking that the waveform is at AudioLDM2's 16 kHz.
     *
     * @param waveform   finite samples in {@code [-1, 1]}, more than 512 of them
     * @param sampleRate the waveform's sample rate; must be 16000 (resample other rates first)
     * @return {@code (1 + N/160) x 64} natural-log mel magnitudes
     */
    public Spectrogram logMel(float[] waveform, int sampleRate) {
        checkSampleRate(sampleRate);
        return logMel(waveform);
    }

    /**
     * As {@link #wavToFbank(float[], int)}, first checking that the waveform is at AudioLDM2's 16 kHz.
     *
     * @param waveform16k  finite mono samples, more than 100 of them and not all equal
     * @param sampleRate   the waveform's sample rate; must be 16000 (resample other rates first)
     * @param targetLength number of output frames, {@code >= 1}
     * @return the normalised waveform and the fbank
     */
    public Fbank wavToFbank(float[] waveform16k, int sampleRate, int targetLength) {
        checkSampleRate(sampleRate);
        return wavToFbank(waveform16k, targetLength);
    }

    private static void checkSampleRate(int sampleRate) {
        if (sampleRate != SAMPLE_RATE) {
            throw new IllegalArgumentException("sampleRate must be " + SAMPLE_RATE
                    + " (AudioLDM2's rate; resample the audio first), got " + sampleRate);
        }
    }

    /** Fused STFT magnitude -> mel -> log, frame by frame. */
    private void analyzeLogMel(double[] padded, int frames, float[] out) {
        stft.analyze(padded, frames, (t, p, ws) -> {
            double[] mag = ws.scratchA;
            double[] mel = ws.scratchB;
            stft.magnitudeSpectrum(p, mag);
            melBasis.applyFrame(mag, mel);
            int base = t * N_MELS;
            for (int m = 0; m < N_MELS; m++) {
                // dynamic_range_compression: log(clamp(x, min=1e-5) * C), C = 1
                out[base + m] = (float) Math.log(Math.max(mel[m], LOG_FLOOR));
            }
        });
    }

    /**
     * The linear magnitude spectrogram {@code |STFT|} this extractor's mel is computed from ({@code 513} bins).
     *
     * @param waveform finite samples in {@code [-1, 1]}, more than 512 of them
     * @return {@code (1 + N/160) x 513} magnitudes
     */
    public Spectrogram magnitudes(float[] waveform) {
        Check.notNull("waveform", waveform);
        checkUnitRange(waveform);
        return stft.magnitude(waveform);
    }

    /** Number of spectrogram frames for a duration, as the original repository computes it: {@code int(d * 102.4)}. */
    public static int targetLength(double durationSeconds) {
        Check.positive("durationSeconds", durationSeconds);
        return Check.positive("targetLength", (int) (durationSeconds * 102.4));
    }

    /**
     * The result of {@link #wavToFbank}: the normalised waveform that was analysed and the log-mel, cut or zero-padded
     * to the target length.
     *
     * @param waveform the normalised float32 waveform (peak 0.5), as {@code wav_to_fbank} returns it
     * @param fbank    {@code targetLength x 64} log-mel (padded frames are 0, as upstream's {@code ZeroPad2d})
     */
    public record Fbank(float[] waveform, Spectrogram fbank) {
        /** Validates and keeps the arrays as given. */
        public Fbank {
            Check.notNull("waveform", waveform);
            Check.notNull("fbank", fbank);
        }
    }

    /**
     * The original repository's {@code wav_to_fbank(filename, target_length, fn_STFT)} for a waveform that is already
     * mono at 16 kHz ({@code audioldm2/utilities/audio/tools.py}):
     * <ol>
     *   <li>{@code normalize_wav}: subtract the mean, divide by {@code max|x| + 1e-8}, multiply by 0.5 (float32);
     *   <li>{@code pad_wav} to {@code targetLength * 160} samples: zero-pad at the end when shorter. When the input is
     *       longer, upstream slices the wrong axis of a {@code (1, N)} array, so <b>nothing is cut</b>: all samples are
     *       kept (the spectrogram is cut later). This quirk is reproduced;
     *   <li>{@code x / max|x| * 0.5} again;
     *   <li>clip to {@code [-1, 1]}, {@link #logMel}, then {@code _pad_spec}: zero-pad or cut to {@code targetLength}
     *       frames.
     * </ol>
     *
     * @param waveform16k  finite mono samples at 16 kHz, more than 100 of them (upstream asserts this) and not all
     *                     equal (upstream divides by zero)
     * @param targetLength number of output frames, {@code >= 1}; {@link #targetLength(double)} converts a duration
     * @return the normalised waveform and the fbank
     */
    public Fbank wavToFbank(float[] waveform16k, int targetLength) {
        Check.notNull("waveform16k", waveform16k);
        Check.positive("targetLength", targetLength);
        if (waveform16k.length <= 100) {
            throw new IllegalArgumentException(
                    "waveform16k length must be > 100 samples (pad_wav), got " + waveform16k.length);
        }
        Check.allFinite("waveform16k", waveform16k);
        int n = waveform16k.length;
        // normalize_wav: waveform - np.mean(waveform) (float32 result)
        double sum = 0.0;
        for (float v : waveform16k) {
            sum += v;
        }
        float mean = (float) (sum / n);
        float[] x = new float[n];
        float peak = 0f;
        for (int i = 0; i < n; i++) {
            x[i] = waveform16k[i] - mean;
            peak = Math.max(peak, Math.abs(x[i]));
        }
        if (peak == 0f) {
            throw new IllegalArgumentException(
                    "waveform16k must not be constant (normalisation divides by its peak), got all samples = "
                            + waveform16k[0]);
        }
        // / (np.max(np.abs(waveform)) + 1e-8): float32 array / float64 scalar -> the scalar is rounded to float32
        float denom = (float) ((double) peak + 1e-8);
        for (int i = 0; i < n; i++) {
            x[i] = (x[i] / denom) * 0.5f;
        }
        int segmentLength = Math.multiplyExact(targetLength, HOP_LENGTH);
        float[] wav;
        if (n < segmentLength) {
            // pad_wav: zero-pad into a float64 buffer, then waveform / max|waveform| * 0.5 in float64
            double max = maxAbs(x);
            wav = new float[segmentLength];
            for (int i = 0; i < n; i++) {
                wav[i] = (float) (x[i] / max * 0.5);
            }
        } else {
            // equal length: no-op; longer: upstream's waveform[:segment_length] on a (1, N) array keeps everything.
            // Then float32 waveform / max|waveform| * 0.5.
            float max = (float) maxAbs(x);
            wav = new float[n];
            for (int i = 0; i < n; i++) {
                wav[i] = (x[i] / max) * 0.5f;
            }
        }
        // get_mel_from_wav: torch.clip(audio, -1, 1)
        float[] clipped = new float[wav.length];
        for (int i = 0; i < wav.length; i++) {
            clipped[i] = Math.max(-1f, Math.min(1f, wav[i]));
        }
        Spectrogram mel = logMel(clipped);
        // _pad_spec: ZeroPad2d rows at the end, or cut to target_length (64 mel bins: the odd-column drop is a no-op)
        float[] fbank = new float[targetLength * N_MELS];
        System.arraycopy(mel.data(), 0, fbank, 0, Math.min(mel.numFrames(), targetLength) * N_MELS);
        return new Fbank(wav, Spectrogram.wrap(targetLength, N_MELS, fbank));
    }

    private static double maxAbs(float[] x) {
        float m = 0f;
        for (float v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static void checkUnitRange(float[] waveform) {
        for (int i = 0; i < waveform.length; i++) {
            float v = waveform[i];
            if (!(v >= -1f && v <= 1f)) {
                if (Float.isNaN(v) || Float.isInfinite(v)) {
                    throw new IllegalArgumentException(
                            "waveform must contain only finite values, got " + v + " at index " + i);
                }
                throw new IllegalArgumentException(
                        "waveform samples must be in [-1.0, 1.0], got " + v + " at index " + i);
            }
        }
    }

    @Override
    public String toString() {
        return "AudioLdm2MelExtractor[" + stft + ", " + melBasis + "]";
    }
}
