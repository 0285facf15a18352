package io.github.audioldm4j.io;

import java.nio.file.Path;

/**
 * What a file's headers say about its audio stream, as read by {@link AudioDecoder#probe(Path)}.
 *
 * @param file the file
 * @param container FFmpeg's demuxer name, e.g. {@code "wav"}, {@code "ogg"},
 *     {@code "mov,mp4,m4a,3gp,3g2,mj2"}
 * @param codec FFmpeg's codec name, e.g. {@code "pcm_s16le"}, {@code "flac"}, {@code "mp3"},
 *     {@code "aac"}, {@code "vorbis"}, {@code "opus"}
 * @param sampleRate the stream's sample rate in Hz
 * @param channels the number of channels
 * @param channelLayout FFmpeg's layout description, e.g. {@code "mono"}, {@code "stereo"},
 *     {@code "5.1"}, or {@code "2 channels"} when the file names no layout
 * @param sampleFormat the decoder's sample format, e.g. {@code "s16"}, {@code "fltp"}, or
 *     {@code "unknown"}
 * @param bitsPerSample bits per sample for PCM-like codecs (16, 24, 32), 0 when not meaningful
 * @param bitRate the stream's (or the container's) bit rate in bit/s, 0 when unknown
 * @param durationSeconds the duration the headers declare or FFmpeg estimates, NaN when unknown
 * @param durationEstimated true when FFmpeg estimated the duration (from the bit rate or the last
 *     timestamps) rather than reading it from a header
 */
public record AudioInfo(Path file, String container, String codec, int sampleRate, int channels,
        String channelLayout, String sampleFormat, int bitsPerSample, long bitRate,
        double durationSeconds, boolean durationEstimated) {}
