package io.github.audioldm4j.io;

/**
 * How {@link AudioDecoder} turns a multichannel stream into mono.
 *
 * <p>Both matrix modes use swresample's standard downmix matrix (for stereo, centre = L/√2 + R/√2;
 * for 5.1 the centre, surround and LFE levels of {@code swr_build_matrix}). They differ only in
 * whether the matrix is normalised.
 */
public enum Downmix {
    /**
     * The default. The downmix matrix is scaled so that its row sums to at most 1
     * ({@code rematrix_maxval = 1.0}), so a full-scale input cannot exceed full scale after the
     * downmix. For stereo this is exactly {@code (L + R) / 2}. Matches
     * {@code ffmpeg -i in -ar R -ac 1 -rematrix_maxval 1.0 -f f32le -}.
     */
    NORMALIZED,
    /**
     * swresample's unnormalised matrix, which the ffmpeg command line uses for float output:
     * stereo becomes {@code (L + R) / √2}, so the result can exceed [-1, 1] (by up to 3 dB for
     * correlated stereo). Matches {@code ffmpeg -i in -ar R -ac 1 -f f32le -}.
     */
    FFMPEG_CLI,
    /**
     * Keep only the first channel (the left channel of stereo) and drop the rest. This is what
     * AudioLDM2's original {@code read_wav_file} does ({@code waveform[0, ...]}).
     */
    FIRST_CHANNEL
}
