package io.github.audioldm4j.io;

import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S32;

import io.github.audioldm4j.util.Check;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The file formats {@link AudioEncoder} writes. Each constant fixes the container, the encoder
 * and, for PCM and FLAC, the bit depth.
 *
 * <p>For Ogg this FFmpeg build ships libopus but not libvorbis (its built-in Vorbis encoder is
 * experimental and stereo-only), so {@code .ogg} files are written as Ogg Opus.
 */
public enum AudioFormat {
    /** WAV, 16-bit signed PCM (clamped to [-1, 1], rounded to nearest). */
    WAV_PCM16("wav", "pcm_s16le", AV_SAMPLE_FMT_S16, 16, false, DecodeOptions.MAX_SAMPLE_RATE),
    /** WAV, 24-bit signed PCM (clamped to [-1, 1], rounded to nearest). */
    WAV_PCM24("wav", "pcm_s24le", AV_SAMPLE_FMT_S32, 24, false, DecodeOptions.MAX_SAMPLE_RATE),
    /** WAV, 32-bit IEEE float; samples are stored exactly, without clamping. */
    WAV_FLOAT32("wav", "pcm_f32le", AV_SAMPLE_FMT_FLT, 32, false, DecodeOptions.MAX_SAMPLE_RATE),
    /** FLAC, 16 bits per sample (clamped, rounded to nearest); lossless at that depth. */
    FLAC_16("flac", "flac", AV_SAMPLE_FMT_S16, 16, false, 655_350),
    /** FLAC, 24 bits per sample (clamped, rounded to nearest); lossless at that depth. */
    FLAC_24("flac", "flac", AV_SAMPLE_FMT_S32, 24, false, 655_350),
    /**
     * MP3 via libmp3lame (CBR, default 192 kbit/s). Rates other than 8, 11.025, 12, 16, 22.05,
     * 24, 32, 44.1 and 48 kHz are resampled to the next higher supported rate (48 kHz at most).
     */
    MP3("mp3", "libmp3lame", AV_SAMPLE_FMT_FLTP, 0, true, DecodeOptions.MAX_SAMPLE_RATE),
    /**
     * Opus in an Ogg container via libopus (default 128 kbit/s). Rates other than 8, 12, 16, 24
     * and 48 kHz are resampled to the next higher supported rate (48 kHz at most).
     */
    OGG_OPUS("ogg", "libopus", AV_SAMPLE_FMT_FLT, 0, true, DecodeOptions.MAX_SAMPLE_RATE);

    private final String muxer;
    private final String encoder;
    private final int sampleFormat;
    private final int bitsPerSample;
    private final boolean lossy;
    private final int maxSampleRate;

    AudioFormat(String muxer, String encoder, int sampleFormat, int bitsPerSample, boolean lossy, int maxSampleRate) {
        this.muxer = muxer;
        this.encoder = encoder;
        this.sampleFormat = sampleFormat;
        this.bitsPerSample = bitsPerSample;
        this.lossy = lossy;
        this.maxSampleRate = maxSampleRate;
    }

    /**
     * The format for a file name's extension: {@code .wav} → {@link #WAV_PCM16}, {@code .flac} →
     * {@link #FLAC_16}, {@code .mp3} → {@link #MP3}, {@code .ogg}/{@code .oga}/{@code .opus} →
     * {@link #OGG_OPUS} (case-insensitive).
     *
     * @throws IllegalArgumentException for any other extension
     */
    public static AudioFormat forFile(Path file) {
        Check.notNull("file", file);
        Path name = file.getFileName();
        String s = name == null ? "" : name.toString();
        int dot = s.lastIndexOf('.');
        String ext = dot < 0 ? "" : s.substring(dot).toLowerCase(Locale.ROOT);
        switch (ext) {
            case ".wav":
                return WAV_PCM16;
            case ".flac":
                return FLAC_16;
            case ".mp3":
                return MP3;
            case ".ogg":
            case ".oga":
            case ".opus":
                return OGG_OPUS;
            default:
                throw new IllegalArgumentException("file extension must be one of .wav, .flac, .mp3, .ogg, .oga, .opus, got \""
                        + ext + "\" in " + file);
        }
    }

    /** FFmpeg's muxer name. */
    String muxer() {
        return muxer;
    }

    /** FFmpeg's encoder name. */
    String encoder() {
        return encoder;
    }

    /** The sample format handed to the encoder. */
    int sampleFormat() {
        return sampleFormat;
    }

    /** Bits per stored sample for PCM and FLAC, 0 for lossy formats. */
    public int bitsPerSample() {
        return bitsPerSample;
    }

    /** True for MP3 and Opus. */
    public boolean isLossy() {
        return lossy;
    }

    /** The highest sample rate the format accepts. */
    public int maxSampleRate() {
        return maxSampleRate;
    }
}
