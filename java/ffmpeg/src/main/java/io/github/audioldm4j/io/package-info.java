/**
 * Audio file input and output through FFmpeg (the bytedeco FFmpeg presets, FFmpeg 8).
 *
 * <ul>
 *   <li>{@link io.github.audioldm4j.io.AudioDecoder}: any file FFmpeg reads to mono float32 at a
 *       requested rate ({@link io.github.audioldm4j.io.DecodedAudio}), plus
 *       {@link io.github.audioldm4j.io.AudioDecoder#probe probe} for header information
 *       ({@link io.github.audioldm4j.io.AudioInfo});
 *   <li>{@link io.github.audioldm4j.io.AudioEncoder}: mono float32 to WAV, FLAC, MP3 or Ogg Opus
 *       ({@link io.github.audioldm4j.io.AudioFormat}, {@link io.github.audioldm4j.io.EncodeOptions});
 *   <li>{@link io.github.audioldm4j.io.AudioIOException}: every file failure, with a reason, the
 *       file and FFmpeg's error text;
 *   <li>{@link io.github.audioldm4j.io.FFmpegLog}: FFmpeg's console logging, silenced by default.
 * </ul>
 *
 * <h2>Equivalence with {@code ffmpeg -i in -ar 16000 -ac 1 -f f32le -}</h2>
 * The decoder reproduces what the command line does: it feeds every decoded frame, unchanged, into
 * one swresample context configured like the command line's automatically inserted
 * {@code aresample} filter (input and output layout, format and rate; every other option at its
 * default) and flushes it at the end of the stream (swresample pads the tail by mirroring the last
 * input samples). Measured on 109 generated files (source rates 8, 16, 22.05, 44.1 and 48 kHz, mono
 * and stereo, WAV s16/s24/s32/f32, FLAC 16/24, MP3, Vorbis, Opus, AAC; targets 8, 16, 22.05 and
 * 48 kHz):
 * <ul>
 *   <li>against the ffmpeg 8.0.1 binary that ships with the presets (same libraries): identical
 *       lengths and bit-identical samples in every case;
 *   <li>against Debian's ffmpeg 5.1: identical lengths; bit-identical for PCM, FLAC and MP3; max
 *       |diff| 3.0e-7 for AAC, Vorbis and Opus, whose decoders moved to FFmpeg's new MDCT code in
 *       FFmpeg 6 and 7.
 * </ul>
 * swresample's defaults are the same in both versions ({@code ffmpeg -h full}: filter_size 32,
 * phase_shift 10, linear_interp 1, exact_rational 1, cutoff 0 which the resampler reads as 0.97,
 * Kaiser window with beta 9, no dither for float output); only the deprecated channel-count
 * options were removed in between.
 *
 * <h2>Downmix and {@code rematrix_maxval}</h2>
 * For float output swresample does <em>not</em> normalise its downmix matrix unless
 * {@code rematrix_maxval} is set: the command line turns stereo into {@code (L + R) / √2}, which
 * can exceed full scale. This package defaults to {@link io.github.audioldm4j.io.Downmix#NORMALIZED}
 * ({@code rematrix_maxval = 1.0}, stereo becomes exactly {@code (L + R) / 2}), which equals the
 * command line with {@code -rematrix_maxval 1.0} added; {@link io.github.audioldm4j.io.Downmix#FFMPEG_CLI}
 * reproduces the plain command line. Mono sources decode identically in both modes.
 *
 * <h2>Threads and native memory</h2>
 * All entry points are static and thread-safe; concurrent decodes and encodes, of different files
 * or the same file, are independent. Every call allocates its FFmpeg contexts, frames and packets
 * itself and frees them before it returns, on success and on every error path (JavaCPP
 * allocations in a {@code PointerScope}, FFmpeg objects with their own free functions in
 * {@code finally}).
 */
package io.github.audioldm4j.io;
