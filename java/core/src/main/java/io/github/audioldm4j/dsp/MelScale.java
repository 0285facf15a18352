package io.github.audioldm4j.dsp;

/**
 * Hz/mel conversions, with the exact float64 operation order of librosa 0.9.2
 * ({@code librosa/core/convert.py} {@code hz_to_mel}, {@code mel_to_hz}).
 */
public enum MelScale {
    /**
     * Slaney's Auditory Toolbox scale (librosa's default, {@code htk=False}): linear below 1 kHz
     * ({@code 200/3} Hz per mel), logarithmic above (step {@code ln(6.4)/27} per mel).
     */
    SLANEY,
    /** HTK scale: {@code mel = 2595 log10(1 + f/700)}. */
    HTK;

    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = (MIN_LOG_HZ - 0.0) / F_SP;
    private static final double LOGSTEP = Math.log(6.4) / 27.0;

    /**
     * Converts a frequency to mels.
     *
     * @param hz frequency in Hz
     * @return mels
     */
    public double hzToMel(double hz) {
        if (this == HTK) {
            return 2595.0 * Math.log10(1.0 + hz / 700.0);
        }
        // librosa hz_to_mel: mels = (f - f_min) / f_sp; log region: min_log_mel + log(f / min_log_hz) / logstep
        if (hz >= MIN_LOG_HZ) {
            return MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOGSTEP;
        }
        return (hz - 0.0) / F_SP;
    }

    /**
     * Converts mels to a frequency.
     *
     * @param mel mels
     * @return frequency in Hz
     */
    public double melToHz(double mel) {
        if (this == HTK) {
            return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
        }
        // librosa mel_to_hz: f_min + f_sp * mels; log region: min_log_hz * exp(logstep * (mels - min_log_mel))
        if (mel >= MIN_LOG_MEL) {
            return MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL));
        }
        return 0.0 + F_SP * mel;
    }

    /**
     * The transformers variant of the same scale ({@code audio_utils.hertz_to_mel}), which orders the float64
     * operations differently ({@code 3 f / 200}, {@code * 27 / ln 6.4}); used for bit-faithful CLAP filters.
     */
    double hzToMelTransformers(double hz) {
        if (this == HTK) {
            return 2595.0 * Math.log10(1.0 + (hz / 700.0));
        }
        double logstep = 27.0 / Math.log(6.4);
        if (hz >= 1000.0) {
            return 15.0 + Math.log(hz / 1000.0) * logstep;
        }
        return 3.0 * hz / 200.0;
    }

    /** transformers {@code audio_utils.mel_to_hertz}. */
    double melToHzTransformers(double mel) {
        if (this == HTK) {
            return 700.0 * (Math.pow(10, mel / 2595.0) - 1.0);
        }
        double logstep = Math.log(6.4) / 27.0;
        if (mel >= 15.0) {
            return 1000.0 * Math.exp(logstep * (mel - 15.0));
        }
        return 200.0 * mel / 3.0;
    }
}
