package io.github.audioldm4j.io;

import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal RIFF/WAVE writer for mono float audio, so reports need no native encoder: 16-bit PCM
 * ({@code WAVE_FORMAT_PCM}) or 32-bit float ({@code WAVE_FORMAT_IEEE_FLOAT}, with the {@code fact} chunk the format
 * requires). Little-endian, canonical chunk layout; the output is a pure function of the input. Thread-safe.
 */
public final class WavWriter {
    private static final int PCM = 1;
    private static final int IEEE_FLOAT = 3;
    /** The file is built in one byte array. */
    private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 128;

    private WavWriter() {}

    /** Sample encoding. */
    public enum Format {
        /**
         * Signed 16-bit PCM: samples are clipped to {@code [-1, 1]} and written as {@code x * 32767} rounded half away
         * from zero (symmetric: -1 maps to -32767, and -x to minus the code of x). Plays everywhere.
         */
        PCM_16,
        /** 32-bit IEEE float, the samples unchanged (values outside {@code [-1, 1]} are kept). */
        FLOAT_32
    }

    /**
     * Encodes a mono WAV file in memory.
     *
     * @param samples    finite samples
     * @param sampleRate Hz, {@code > 0}
     * @param format     sample encoding
     * @return the file's bytes
     */
    public static byte[] toBytes(float[] samples, int sampleRate, Format format) {
        Check.allFinite("samples", samples);
        Check.positive("sampleRate", sampleRate);
        Check.notNull("format", format);
        int bytesPerSample = format == Format.PCM_16 ? 2 : 4;
        long dataBytes = (long) samples.length * bytesPerSample;
        if (dataBytes > MAX_DATA_BYTES) {
            throw new IllegalArgumentException("samples.length must be <= " + MAX_DATA_BYTES / bytesPerSample
                    + " for " + format + ", got " + samples.length);
        }
        boolean isFloat = format == Format.FLOAT_32;
        int fmtSize = isFloat ? 18 : 16;
        int factSize = isFloat ? 12 : 0;
        long riffSize = 4 + (8 + fmtSize) + factSize + (8 + dataBytes); // data is 2- or 4-byte aligned: no pad byte
        ByteBuffer b = ByteBuffer.allocate((int) (8 + riffSize)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("RIFF")).putInt((int) riffSize).put(ascii("WAVE"));
        b.put(ascii("fmt ")).putInt(fmtSize);
        b.putShort((short) (isFloat ? IEEE_FLOAT : PCM)); // wFormatTag
        b.putShort((short) 1); // nChannels
        b.putInt(sampleRate); // nSamplesPerSec
        b.putInt(sampleRate * bytesPerSample); // nAvgBytesPerSec
        b.putShort((short) bytesPerSample); // nBlockAlign
        b.putShort((short) (bytesPerSample * 8)); // wBitsPerSample
        if (isFloat) {
            b.putShort((short) 0); // cbSize
            b.put(ascii("fact")).putInt(4).putInt(samples.length); // dwSampleLength
        }
        b.put(ascii("data")).putInt((int) dataBytes);
        for (float v : samples) {
            if (isFloat) {
                b.putFloat(v);
            } else {
                double c = Math.max(-1.0, Math.min(1.0, v)) * 32767.0;
                // round half away from zero, so x and -x give opposite codes
                b.putShort((short) (c >= 0 ? Math.floor(c + 0.5) : -Math.floor(-c + 0.5)));
            }
        }
        return b.array();
    }

    /**
     * Writes a mono WAV file, creating parent directories.
     *
     * @param file       destination
     * @param samples    finite samples
     * @param sampleRate Hz, {@code > 0}
     * @param format     sample encoding
     * @throws IOException when writing fails
     */
    public static void write(Path file, float[] samples, int sampleRate, Format format) throws IOException {
        Check.notNull("file", file);
        byte[] bytes = toBytes(samples, sampleRate, format);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, bytes);
    }

    private static byte[] ascii(String tag) {
        return tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
