package io.github.audioldm4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

class WavWriterTest {
    private static final float[] SAMPLES = {0f, 0.5f, -0.5f, 1f, -1f, 1.5f, -2f, 0.25f, 1e-6f};

    @Test
    void pcm16HeaderAndSamples() throws Exception {
        byte[] wav = WavWriter.toBytes(SAMPLES, 22050, WavWriter.Format.PCM_16);
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RIFF", new String(wav, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(wav.length - 8, b.getInt(4));
        assertEquals("WAVEfmt ", new String(wav, 8, 8, StandardCharsets.US_ASCII));
        assertEquals(16, b.getInt(16));
        assertEquals(1, b.getShort(20)); // PCM
        assertEquals(1, b.getShort(22)); // mono
        assertEquals(22050, b.getInt(24));
        assertEquals(44100, b.getInt(28));
        assertEquals(2, b.getShort(32));
        assertEquals(16, b.getShort(34));
        assertEquals("data", new String(wav, 36, 4, StandardCharsets.US_ASCII));
        assertEquals(SAMPLES.length * 2, b.getInt(40));
        short[] expected = {0, 16384, -16384, 32767, -32767, 32767, -32767, 8192, 0}; // clipped, round(x * 32767)
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], b.getShort(44 + 2 * i), "sample " + i);
        }
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
            assertEquals(AudioFormat.Encoding.PCM_SIGNED, in.getFormat().getEncoding());
            assertEquals(SAMPLES.length, in.getFrameLength());
        }
    }

    @Test
    void float32KeepsSamplesExactly() throws Exception {
        byte[] wav = WavWriter.toBytes(SAMPLES, 48000, WavWriter.Format.FLOAT_32);
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(18, b.getInt(16));
        assertEquals(3, b.getShort(20)); // IEEE float
        assertEquals(48000 * 4, b.getInt(28));
        assertEquals(32, b.getShort(34));
        assertEquals("fact", new String(wav, 38, 4, StandardCharsets.US_ASCII));
        assertEquals(SAMPLES.length, b.getInt(46));
        assertEquals("data", new String(wav, 50, 4, StandardCharsets.US_ASCII));
        assertEquals(SAMPLES.length * 4, b.getInt(54));
        for (int i = 0; i < SAMPLES.length; i++) {
            assertEquals(SAMPLES[i], b.getFloat(58 + 4 * i));
        }
        assertEquals(wav.length - 8, b.getInt(4));
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
            assertEquals(AudioFormat.Encoding.PCM_FLOAT, in.getFormat().getEncoding());
            assertEquals(SAMPLES.length, in.getFrameLength());
        }
    }

    @Test
    void invalidInputsAreRejected() {
        assertEquals("samples must not be null", assertThrows(NullPointerException.class,
                () -> WavWriter.toBytes(null, 16000, WavWriter.Format.PCM_16)).getMessage());
        assertEquals("samples must contain only finite values, got NaN at index 1", assertThrows(
                IllegalArgumentException.class,
                () -> WavWriter.toBytes(new float[] {0, Float.NaN}, 16000, WavWriter.Format.PCM_16)).getMessage());
        assertEquals("sampleRate must be > 0, got -1", assertThrows(IllegalArgumentException.class,
                () -> WavWriter.toBytes(new float[1], -1, WavWriter.Format.FLOAT_32)).getMessage());
        assertEquals("format must not be null", assertThrows(NullPointerException.class,
                () -> WavWriter.toBytes(new float[1], 16000, null)).getMessage());
        assertEquals("file must not be null", assertThrows(NullPointerException.class,
                () -> WavWriter.write(null, new float[1], 16000, WavWriter.Format.PCM_16)).getMessage());
    }
}
