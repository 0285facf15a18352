package io.github.audioldm4j.analysis;

import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.PadMode;
import io.github.audioldm4j.dsp.SincResampler;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.dsp.Stft;
import io.github.audioldm4j.dsp.WindowFunction;
import io.github.audioldm4j.util.Check;
import java.util.Arrays;
import java.util.List;

/**
 * Distances between a reference waveform and a candidate waveform (mono, same sample rate, time-aligned, equally
 * long). Every method validates its inputs (non-null, non-empty, finite samples, equal lengths, a minimum length per
 * metric, {@code sampleRate > 0}); a length mismatch is an error naming both lengths, and
 * {@link #cropToCommonLength(float[], float[])} is the explicit way to compare signals of different lengths.
 * Arithmetic is float64; the spectrograms come from {@link Stft} (float32 output).
 *
 * <p>The metrics, their formulas and sources ({@code R} = reference, {@code E} = candidate/estimate):
 * <ul>
 *   <li>{@link #logSpectralDistance LSD}: AudioSR / NVSR log-spectral distance on the power STFT,
 *       {@code mean_t sqrt(mean_k (log10(|R|^2 / (|E| + eps)^2 + eps))^2)} with {@code eps = 1e-8}, STFT
 *       {@code n_fft 2048, hop 512}, periodic Hann, centred with zero padding (librosa's {@code stft} defaults). Lower
 *       is better; 0 for identical non-silent signals.
 *   <li>{@link #multiResolutionStftDistance multi-resolution STFT}: {@code auraloss.freq.MultiResolutionSTFTLoss()}
 *       with its defaults: resolutions {@code (n_fft, hop, win) = (1024, 120, 600), (2048, 240, 1200),
 *       (512, 50, 240)}, Hann windows; per resolution spectral convergence + mean {@code |ln|E| - ln|R||}, magnitudes
 *       {@code sqrt(max(|X|^2, 1e-8))}; averaged over resolutions. Lower is better.
 *   <li>{@link #spectralConvergence spectral convergence}: {@code ||R| - |E||_F / ||R||_F} on STFT magnitudes, the
 *       {@code auraloss.freq.SpectralConvergenceLoss} term of {@code STFTLoss()} with its defaults
 *       ({@code n_fft 1024, hop 256, win 1024}, Hann, magnitudes {@code sqrt(max(|X|^2, 1e-8))}). Lower is better.
 *   <li>{@link #siSdr SI-SDR}: scale-invariant signal-to-distortion ratio in dB of the zero-mean signals (Le Roux et
 *       al. 2019). Higher is better; {@code +Infinity} for a candidate that is an exact positive multiple of the
 *       reference.
 *   <li>{@link #logMelL1 log-mel L1}: mean absolute difference of the AudioLDM2 log-mel spectrograms
 *       ({@link AudioLdm2MelExtractor}: 16 kHz, n_fft 1024, hop 160, 64 Slaney mels 0-8 kHz, {@code ln(max(mel,
 *       1e-5))}). Lower is better.
 *   <li>{@link #melCepstralDistortion MCD}: mel cepstral distortion in dB on cepstra of the AudioLDM2 log-mel,
 *       coefficients 1..24 (c0, the level, excluded), frame-aligned (no DTW). Lower is better.
 * </ul>
 * Band energies and spectral centroid/rolloff are in {@link BandEnergies} and {@link SpectralShape};
 * {@link MetricSet#compute} computes everything at once.
 *
 * <p>Thread-safe (stateless; the STFT plans are shared immutable instances).
 */
public final class Metrics {
    /** LSD: {@code EPS} of AudioSR's {@code example/lsd_calculation_pitfall/demo_comparison.py}. */
    public static final double LSD_EPS = 1e-8;
    /** LSD STFT size (AudioSR's {@code N_FFT}). */
    public static final int LSD_N_FFT = 2048;
    /** LSD STFT hop (AudioSR's {@code HOP_LENGTH}). */
    public static final int LSD_HOP = 512;

    /** One STFT resolution of the multi-resolution distance. */
    public record Resolution(int nFft, int hopLength, int winLength) {}

    /**
     * auraloss {@code MultiResolutionSTFTLoss} defaults: {@code fft_sizes=[1024, 2048, 512]},
     * {@code hop_sizes=[120, 240, 50]}, {@code win_lengths=[600, 1200, 240]}.
     */
    public static final List<Resolution> MRSTFT_RESOLUTIONS = List.of(
            new Resolution(1024, 120, 600), new Resolution(2048, 240, 1200), new Resolution(512, 50, 240));
    /** auraloss {@code STFTLoss} {@code eps}: the floor of {@code |X|^2} before the square root. */
    public static final double AURALOSS_EPS = 1e-8;

    /** Spectral convergence STFT size (auraloss {@code STFTLoss} default {@code fft_size}). */
    public static final int SC_N_FFT = 1024;
    /** Spectral convergence hop (auraloss {@code STFTLoss} default {@code hop_size}). */
    public static final int SC_HOP = 256;

    /** Number of cepstral coefficients in the MCD ({@code c1..c24}; {@code c0} is excluded). */
    public static final int MCD_COEFFICIENTS = 24;
    /** The MCD constant {@code 10 sqrt(2) / ln(10)} (Kubichek 1993), about 6.1418 dB per cepstral unit. */
    public static final double MCD_CONSTANT = 10.0 * Math.sqrt(2.0) / Math.log(10.0);

    /**
     * Fewest samples {@link #multiResolutionStftDistance} accepts: its 2048-point resolution pads 1024 samples by
     * reflection, which needs 1025 samples.
     */
    public static final int MIN_STFT_LENGTH = 1025;

    private static final Stft LSD_STFT = Stft.builder(LSD_N_FFT).hopLength(LSD_HOP).winLength(LSD_N_FFT)
            .window(WindowFunction.HANN, true).center(true).padMode(PadMode.CONSTANT).build();
    private static final List<Stft> MRSTFT = MRSTFT_RESOLUTIONS.stream()
            .map(r -> auralossStft(r.nFft(), r.hopLength(), r.winLength())).toList();
    private static final Stft SC_STFT = auralossStft(SC_N_FFT, SC_HOP, SC_N_FFT);
    private static final AudioLdm2MelExtractor MEL = new AudioLdm2MelExtractor();

    private Metrics() {}

    /** auraloss calls {@code torch.stft(x, n_fft, hop, win, hann_window(win))}: centred, reflect, periodic Hann. */
    private static Stft auralossStft(int nFft, int hop, int win) {
        return Stft.builder(nFft).hopLength(hop).winLength(win).window(WindowFunction.HANN, true).center(true)
                .padMode(PadMode.REFLECT).build();
    }

    /** The STFT of the LSD, also used for band energies and spectral shape (librosa defaults, n_fft 2048). */
    static Stft analysisStft() {
        return LSD_STFT;
    }

    // ------------------------------------------------------------------------------------------------ lengths

    /** A reference and a candidate cut to the same length. */
    public record AlignedPair(float[] reference, float[] candidate) {
        /** Validates that both are present and equally long. */
        public AlignedPair {
            Check.notNull("reference", reference);
            Check.notNull("candidate", candidate);
            Signals.sameLength(reference, candidate);
        }

        /** The common length in samples. */
        public int length() {
            return reference.length;
        }
    }

    /**
     * Cuts the longer of two signals at the end so both have {@code min(reference.length, candidate.length)} samples
     * (signals are assumed to start together; nothing is shifted). Returns copies.
     *
     * @param reference non-empty samples
     * @param candidate non-empty samples
     * @return the pair, both of the common length
     */
    public static AlignedPair cropToCommonLength(float[] reference, float[] candidate) {
        Check.notEmpty("reference", reference);
        Check.notEmpty("candidate", candidate);
        int n = Math.min(reference.length, candidate.length);
        return new AlignedPair(Arrays.copyOf(reference, n), Arrays.copyOf(candidate, n));
    }

    /**
     * Fewest samples {@link MetricSet#compute} accepts at {@code sampleRate}: {@link #MIN_STFT_LENGTH}, and enough
     * that the signal resampled to 16 kHz is longer than 512 samples (the AudioLDM2 log-mel reflect padding).
     *
     * @param sampleRate Hz, {@code > 0}
     * @return the minimum length in samples
     */
    public static int minimumLength(int sampleRate) {
        Signals.sampleRate(sampleRate);
        return Math.max(MIN_STFT_LENGTH, minimumMelLength(sampleRate));
    }

    /** Smallest {@code n} with {@code ceil(n * 16000 / sampleRate) > 512}. */
    private static int minimumMelLength(int sampleRate) {
        long limit = (long) (AudioLdm2MelExtractor.N_FFT / 2) * sampleRate; // n * 16000 must exceed 512 * sr
        return (int) (limit / AudioLdm2MelExtractor.SAMPLE_RATE + 1);
    }

    // ------------------------------------------------------------------------------------------------ LSD

    /**
     * Log-spectral distance as AudioSR and NVSR compute it.
     *
     * <p>Source: haoheliu/versatile_audio_super_resolution {@code example/lsd_calculation_pitfall/demo_comparison.py}
     * ({@code lsd}, {@code EPS = 1e-8}, {@code N_FFT = 2048}, {@code HOP_LENGTH = 512}, {@code librosa.stft} magnitudes)
     * and haoheliu/ssr_eval {@code ssr_eval/metrics.py} ({@code AudioMetrics.lsd}, same formula, reference in the
     * numerator). With magnitudes {@code R[t,k]}, {@code E[t,k]} of {@code K = 1025} bins:
     * <pre>
     *   LSD = mean_t sqrt( mean_k ( log10( R^2 / (E + eps)^2 + eps ) )^2 ),   eps = 1e-8
     * </pre>
     * i.e. {@code (log10 P_ref - log10 P_est)^2} with the upstream epsilons. (ssr_eval's NVSR evaluation uses the
     * same expression with {@code EPS = 1e-12} and a rate-dependent STFT, {@code n_fft = 2048 rate / 44100},
     * {@code hop = rate / 100}; this method follows AudioSR's constants.) A gain {@code g} on the candidate gives
     * {@code 2 |log10 g|} ({@code |20 log10 g| / 10}). STFT: librosa defaults (periodic Hann, centred, zero padding).
     *
     * <p>Silence (eps behaviour kept from upstream): a bin where the reference is 0 contributes
     * {@code log10(eps) = -8} whatever the candidate, so two silent signals give exactly 8, not 0; a bin where only
     * the candidate is 0 contributes {@code log10(R^2 / eps^2)}. The result is always finite.
     *
     * @param reference finite samples, at least 1 ({@code reference.length} names it in errors)
     * @param candidate finite samples, as long as the reference
     * @return the LSD (dimensionless, log10 units)
     */
    public static double logSpectralDistance(float[] reference, float[] candidate) {
        Signals.pair(reference, candidate, 1);
        return lsd(LSD_STFT.magnitude(reference), LSD_STFT.magnitude(candidate));
    }

    /** LSD of two magnitude spectrograms of the same shape. */
    static double lsd(Spectrogram ref, Spectrogram est) {
        float[] r = ref.toArray();
        float[] e = est.toArray();
        int frames = ref.numFrames();
        int bins = ref.numBins();
        double sum = 0.0;
        for (int t = 0; t < frames; t++) {
            double acc = 0.0;
            for (int k = 0; k < bins; k++) {
                double rk = r[t * bins + k];
                double ek = e[t * bins + k] + LSD_EPS;
                // torch.log10(target**2 / ((est + EPS)**2) + EPS)**2
                double d = Math.log10(rk * rk / (ek * ek) + LSD_EPS);
                acc += d * d;
            }
            sum += Math.sqrt(acc / bins); // torch.mean(..., dim=freq) ** 0.5
        }
        return sum / frames; // mean over frames
    }

    // ------------------------------------------------------------------------------------------------ MR-STFT

    /**
     * Multi-resolution STFT distance with auraloss' defaults.
     *
     * <p>Source: csteinmetz1/auraloss {@code auraloss/freq.py} ({@code MultiResolutionSTFTLoss}, {@code STFTLoss},
     * {@code SpectralConvergenceLoss}, {@code STFTMagnitudeLoss}; @0853e9e). For each resolution
     * {@code (n_fft, hop, win)} in {@code (1024, 120, 600), (2048, 240, 1200), (512, 50, 240)}:
     * {@code torch.stft(x, n_fft, hop, win, hann_window(win))} (centred, reflect padding), magnitudes
     * {@code |X| = sqrt(clamp(re^2 + im^2, min=1e-8))}, then
     * <pre>
     *   L_r = ||R| - |E||_F / ||R||_F  +  mean |ln|E| - ln|R||       (w_sc = w_log_mag = 1, w_lin_mag = w_phs = 0)
     *   MRSTFT = (L_1 + L_2 + L_3) / 3
     * </pre>
     * A gain {@code g} gives about {@code |1 - g| + |ln g|}. Silent signals are fine: the clamp makes every magnitude
     * at least {@code 1e-4}, so two silent signals give 0.
     *
     * @param reference finite samples, at least {@link #MIN_STFT_LENGTH} (reflect padding of the 2048-point STFT)
     * @param candidate finite samples, as long as the reference
     * @return the distance (dimensionless)
     */
    public static double multiResolutionStftDistance(float[] reference, float[] candidate) {
        Signals.pair(reference, candidate, MIN_STFT_LENGTH);
        double total = 0.0;
        for (Stft stft : MRSTFT) {
            double[] r = clampedMagnitudes(stft, reference);
            double[] e = clampedMagnitudes(stft, candidate);
            total += spectralConvergence(r, e) + logMagnitudeL1(r, e);
        }
        return total / MRSTFT.size(); // mrstft_loss /= len(self.stft_losses)
    }

    /** {@code sqrt(clamp(re^2 + im^2, min=eps))}, auraloss {@code STFTLoss.stft}. */
    private static double[] clampedMagnitudes(Stft stft, float[] x) {
        float[] p = stft.power(x).toArray();
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Math.sqrt(Math.max(p[i], AURALOSS_EPS));
        }
        return out;
    }

    /** {@code torch.norm(y_mag - x_mag, p="fro") / torch.norm(y_mag, p="fro")} with y the reference. */
    private static double spectralConvergence(double[] ref, double[] est) {
        double num = 0.0;
        double den = 0.0;
        for (int i = 0; i < ref.length; i++) {
            double d = ref[i] - est[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num) / Math.sqrt(den); // den > 0: every magnitude is >= sqrt(eps)
    }

    /** {@code L1Loss(mean)(log(x_mag), log(y_mag))}: {@code log_fac = 1}, {@code log_eps = 0}. */
    private static double logMagnitudeL1(double[] ref, double[] est) {
        double sum = 0.0;
        for (int i = 0; i < ref.length; i++) {
            sum += Math.abs(Math.log(est[i]) - Math.log(ref[i]));
        }
        return sum / ref.length;
    }

    // ------------------------------------------------------------------------------------------------ SC

    /**
     * Spectral convergence {@code ||R| - |E||_F / ||R||_F} (Arik et al. 2018), computed as auraloss'
     * {@code SpectralConvergenceLoss} inside {@code STFTLoss()} with its defaults: {@code n_fft 1024, hop 256,
     * win 1024}, periodic Hann, centred with reflect padding, magnitudes {@code sqrt(max(|X|^2, 1e-8))}
     * (csteinmetz1/auraloss {@code auraloss/freq.py}). A gain {@code g} gives {@code |1 - g|} (up to the clamp); two
     * silent signals give 0.
     *
     * @param reference finite samples, at least 513 (reflect padding of 512)
     * @param candidate finite samples, as long as the reference
     * @return the spectral convergence (dimensionless; 0 is identical, 1 is a silent candidate)
     */
    public static double spectralConvergence(float[] reference, float[] candidate) {
        Signals.pair(reference, candidate, SC_N_FFT / 2 + 1);
        return spectralConvergence(clampedMagnitudes(SC_STFT, reference), clampedMagnitudes(SC_STFT, candidate));
    }

    // ------------------------------------------------------------------------------------------------ SI-SDR

    /**
     * Scale-invariant signal-to-distortion ratio in dB (Le Roux, Wisdom, Erdogan, Hershey, "SDR - half-baked or well
     * done?", ICASSP 2019, eqs. 5-6; zero-mean as asteroid's {@code SingleSrcNegSDR(zero_mean=True)}):
     * <pre>
     *   r = R - mean(R),  e = E - mean(E),  alpha = &lt;e, r&gt; / ||r||^2,
     *   SI-SDR = 10 log10( ||alpha r||^2 / ||e - alpha r||^2 )
     * </pre>
     * No epsilon is added. Invariant to any non-zero gain on the candidate and to DC offsets. Defined edge cases
     * (never NaN): a constant signal (silence, after removing the mean) has no energy; when both signals are constant
     * the result is {@code +Infinity} (they are identical up to scale), when only one is, {@code -Infinity} (nothing in
     * common). Otherwise a residual {@code e - alpha r} of exactly zero (identical signals, or an exact multiple)
     * gives {@code +Infinity} and a zero projection (a candidate exactly orthogonal to the reference) gives
     * {@code -Infinity}.
     *
     * @param reference finite samples, at least 1
     * @param candidate finite samples, as long as the reference
     * @return SI-SDR in dB, possibly infinite as described
     */
    public static double siSdr(float[] reference, float[] candidate) {
        Signals.pair(reference, candidate, 1);
        int n = reference.length;
        double meanR = 0.0;
        double meanE = 0.0;
        for (int i = 0; i < n; i++) {
            meanR += reference[i];
            meanE += candidate[i];
        }
        meanR /= n;
        meanE /= n;
        double dot = 0.0;
        double refEnergy = 0.0;
        for (int i = 0; i < n; i++) {
            double r = reference[i] - meanR;
            dot += (candidate[i] - meanE) * r;
            refEnergy += r * r;
        }
        double candEnergy = 0.0;
        for (int i = 0; i < n; i++) {
            double e = candidate[i] - meanE;
            candEnergy += e * e;
        }
        if (refEnergy == 0.0 || candEnergy == 0.0) {
            // both constant: identical up to scale -> +inf; only one constant: nothing in common -> -inf
            return refEnergy == candEnergy ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        double alpha = dot / refEnergy;
        double targetEnergy = 0.0;
        double noiseEnergy = 0.0;
        for (int i = 0; i < n; i++) {
            double target = alpha * (reference[i] - meanR);
            double noise = (candidate[i] - meanE) - target;
            targetEnergy += target * target;
            noiseEnergy += noise * noise;
        }
        if (noiseEnergy == 0.0) {
            return Double.POSITIVE_INFINITY;
        }
        if (targetEnergy == 0.0) {
            return Double.NEGATIVE_INFINITY;
        }
        return 10.0 * Math.log10(targetEnergy / noiseEnergy);
    }

    // ------------------------------------------------------------------------------------------------ log-mel

    /**
     * The AudioLDM2 log-mel spectrogram of a waveform at any sample rate: resampled to 16 kHz with
     * {@link SincResampler} when needed, then {@link AudioLdm2MelExtractor}'s STFT (n_fft 1024, hop 160, reflect),
     * mel basis and {@code ln(max(mel, 1e-5))}. Unlike {@link AudioLdm2MelExtractor#logMel}, samples outside
     * {@code [-1, 1]} are accepted as they are (no clipping), so louder candidates are measured, not rejected.
     *
     * @param waveform   finite samples; at 16 kHz more than 512 of them
     * @param sampleRate Hz, {@code > 0}
     * @return {@code frames x 64} natural-log mel magnitudes
     */
    public static Spectrogram audioLdm2LogMel(float[] waveform, int sampleRate) {
        Signals.sampleRate(sampleRate);
        Signals.waveform("waveform", waveform, minimumMelLength(sampleRate));
        return logMel16k(SincResampler.resample(waveform, sampleRate, AudioLdm2MelExtractor.SAMPLE_RATE));
    }

    private static Spectrogram logMel16k(float[] x16k) {
        Spectrogram mel = MEL.melBasis().apply(MEL.stft().magnitude(x16k));
        float[] v = mel.toArray();
        for (int i = 0; i < v.length; i++) {
            // audio_processing.py dynamic_range_compression: log(clamp(x, min=1e-5))
            v[i] = (float) Math.log(Math.max(v[i], AudioLdm2MelExtractor.LOG_FLOOR));
        }
        return new Spectrogram(mel.numFrames(), mel.numBins(), v);
    }

    /**
     * Mean absolute difference of the AudioLDM2 log-mel spectrograms ({@link #audioLdm2LogMel}), in natural-log
     * units: {@code mean_{t,m} |L_ref[t,m] - L_est[t,m]|}. A gain {@code g} gives {@code |ln g|} (where no bin is at
     * the {@code 1e-5} floor); two silent signals give 0 (both at the floor).
     *
     * @param reference  finite samples (enough for the log-mel: more than 512 once at 16 kHz)
     * @param candidate  finite samples, as long as the reference
     * @param sampleRate Hz, {@code > 0}
     * @return the L1 distance (nepers)
     */
    public static double logMelL1(float[] reference, float[] candidate, int sampleRate) {
        Signals.sampleRate(sampleRate);
        Signals.pair(reference, candidate, minimumMelLength(sampleRate));
        return logMelL1(audioLdm2LogMel(reference, sampleRate), audioLdm2LogMel(candidate, sampleRate));
    }

    /**
     * Mean absolute difference of two log-mel spectrograms of the same shape.
     *
     * @param reference log-mel, {@code frames x mels}
     * @param candidate log-mel of the same shape
     * @return {@code mean |reference - candidate|}
     */
    public static double logMelL1(Spectrogram reference, Spectrogram candidate) {
        checkSameShape(reference, candidate);
        float[] r = reference.toArray();
        float[] e = candidate.toArray();
        double sum = 0.0;
        for (int i = 0; i < r.length; i++) {
            sum += Math.abs((double) r[i] - e[i]);
        }
        return sum / r.length;
    }

    // ------------------------------------------------------------------------------------------------ MCD

    /**
     * Mel cepstral distortion in dB between two aligned waveforms, on cepstra of their AudioLDM2 log-mel
     * ({@link #audioLdm2LogMel}; see {@link #melCepstralDistortion(Spectrogram, Spectrogram)} for the formula).
     * Frames are paired one to one (inputs are aligned, so no dynamic time warping). Invariant to a gain on the
     * candidate (a gain only moves {@code c0}), up to bins at the log floor; two silent signals give 0.
     *
     * @param reference  finite samples (enough for the log-mel)
     * @param candidate  finite samples, as long as the reference
     * @param sampleRate Hz, {@code > 0}
     * @return MCD in dB
     */
    public static double melCepstralDistortion(float[] reference, float[] candidate, int sampleRate) {
        Signals.sampleRate(sampleRate);
        Signals.pair(reference, candidate, minimumMelLength(sampleRate));
        return melCepstralDistortion(audioLdm2LogMel(reference, sampleRate), audioLdm2LogMel(candidate, sampleRate));
    }

    /**
     * Mel cepstral distortion between two log-mel spectrograms of the same shape (natural-log mel magnitudes,
     * {@code M} mel bins, {@code M > 24}):
     * <pre>
     *   c_d[t] = (1/M) sum_{m=0}^{M-1} L[t,m] cos(pi d (2m + 1) / (2M)),   d = 1..24   (DCT-II, c0 excluded)
     *   MCD    = mean_t (10 sqrt(2) / ln 10) sqrt( sum_{d=1}^{24} (c_d[t] - c^_d[t])^2 )
     * </pre>
     * The {@code 1/M} scaling makes {@code L[m] = c_0 + 2 sum_d c_d cos(pi d (2m+1) / (2M))}, the cepstrum convention
     * (log spectrum = {@code c0 + 2 sum c_d cos(d w)}) under which the constant {@code 10 sqrt(2) / ln 10} of
     * Kubichek, "Mel-cepstral distance measure for objective speech quality assessment" (1993) applies. A log-mel
     * difference of {@code a cos(pi d (2m+1) / (2M))} therefore gives {@code MCD = (10 sqrt 2 / ln 10) a / 2}; a
     * constant difference gives 0.
     *
     * @param reference log-mel, {@code frames x M}
     * @param candidate log-mel of the same shape
     * @return MCD in dB
     */
    public static double melCepstralDistortion(Spectrogram reference, Spectrogram candidate) {
        checkSameShape(reference, candidate);
        int mels = reference.numBins();
        if (mels <= MCD_COEFFICIENTS) {
            throw new IllegalArgumentException(
                    "reference.numBins must be > " + MCD_COEFFICIENTS + " mel bins for the MCD, got " + mels);
        }
        double[][] basis = dctBasis(mels);
        float[] r = reference.toArray();
        float[] e = candidate.toArray();
        int frames = reference.numFrames();
        double sum = 0.0;
        for (int t = 0; t < frames; t++) {
            double acc = 0.0;
            for (int d = 1; d <= MCD_COEFFICIENTS; d++) {
                double[] b = basis[d];
                double diff = 0.0;
                for (int m = 0; m < mels; m++) {
                    diff += b[m] * ((double) r[t * mels + m] - e[t * mels + m]);
                }
                acc += diff * diff;
            }
            sum += MCD_CONSTANT * Math.sqrt(acc);
        }
        return sum / frames;
    }

    /**
     * Mel cepstrum of a log-mel spectrogram: {@code c_d[t] = (1/M) sum_m L[t,m] cos(pi d (2m+1) / (2M))} for
     * {@code d = 0..numCoefficients-1}.
     *
     * @param logMel          log-mel, {@code frames x M}
     * @param numCoefficients in {@code [1, M]}
     * @return cepstra, {@code frames x numCoefficients}
     */
    public static Spectrogram melCepstrum(Spectrogram logMel, int numCoefficients) {
        Check.notNull("logMel", logMel);
        int mels = logMel.numBins();
        Check.inRange("numCoefficients", numCoefficients, 1, mels);
        double[][] basis = dctBasis(mels);
        float[] l = logMel.toArray();
        float[] out = new float[logMel.numFrames() * numCoefficients];
        for (int t = 0; t < logMel.numFrames(); t++) {
            for (int d = 0; d < numCoefficients; d++) {
                double acc = 0.0;
                for (int m = 0; m < mels; m++) {
                    acc += basis[d][m] * l[t * mels + m];
                }
                out[t * numCoefficients + d] = (float) acc;
            }
        }
        return new Spectrogram(logMel.numFrames(), numCoefficients, out);
    }

    /** {@code basis[d][m] = cos(pi d (2m+1) / (2M)) / M}. */
    private static double[][] dctBasis(int mels) {
        double[][] basis = new double[mels][mels];
        for (int d = 0; d < mels; d++) {
            for (int m = 0; m < mels; m++) {
                basis[d][m] = Math.cos(Math.PI * d * (2 * m + 1) / (2.0 * mels)) / mels;
            }
        }
        return basis;
    }

    private static void checkSameShape(Spectrogram reference, Spectrogram candidate) {
        Check.notNull("reference", reference);
        Check.notNull("candidate", candidate);
        if (reference.numFrames() != candidate.numFrames() || reference.numBins() != candidate.numBins()) {
            throw new IllegalArgumentException("candidate shape must equal reference shape [" + reference.numFrames()
                    + " x " + reference.numBins() + "], got [" + candidate.numFrames() + " x " + candidate.numBins()
                    + "]");
        }
    }
}
