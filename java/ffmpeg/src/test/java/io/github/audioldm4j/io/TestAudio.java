package io.github.audioldm4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Deterministic test signals and a minimal WAV writer (no FFmpeg involved). */
final class TestAudio {
    private TestAudio() {}

    /** Two sines plus a little seeded noise, peak about 0.75. */
    static float[] signal(int sampleRate, double seconds, double f1, double f2, long seed) {
        int n = (int) Math.round(sampleRate * seconds);
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double t = i / (double) sampleRate;
            x[i] = (float) (0.5 * Math.sin(2 * Math.PI * f1 * t) + 0.2 * Math.sin(2 * Math.PI * f2 * t)
                    + 0.05 * (rnd.nextDouble() - 0.5));
        }
        return x;
    }

    /** Writes interleaved 16-bit PCM; {@code channels[c][i]} are already-quantised values. */
    static Path writeWav16(Path file, int sampleRate, short[]... channels) throws IOException {
        int nch = channels.length;
        int n = channels[0].length;
        ByteBuffer b = header(sampleRate, nch, 16, 1, n);
        for (int i = 0; i < n; i++) {
            for (short[] ch : channels) {
                b.putShort(ch[i]);
            }
        }
        Files.write(file, b.array());
        return file;
    }

    /** Writes interleaved 32-bit float PCM. */
    static Path writeWavFloat(Path file, int sampleRate, float[]... channels) throws IOException {
        int nch = channels.length;
        int n = channels[0].length;
        ByteBuffer b = header(sampleRate, nch, 32, 3, n);
        for (int i = 0; i < n; i++) {
            for (float[] ch : channels) {
                b.putFloat(ch[i]);
            }
        }
        Files.write(file, b.array());
        return file;
    }

    private static ByteBuffer header(int rate, int channels, int bits, int formatTag, int frames) {
        int blockAlign = channels * bits / 8;
        int dataBytes = frames * blockAlign;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + dataBytes);
        b.put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
        b.putShort((short) formatTag).putShort((short) channels).putInt(rate).putInt(rate * blockAlign);
        b.putShort((short) blockAlign).putShort((short) bits);
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(dataBytes);
        return b;
    }

    /** Max |a[i] - b[i]| over the common length. */
    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /** True if both arrays hold the same float bit patterns. */
    static boolean bitIdentical(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** Signal-to-noise ratio of {@code test} against {@code ref} in dB over the common length. */
    static double snrDb(float[] ref, float[] test) {
        double s = 0;
        double e = 0;
        for (int i = 0; i < Math.min(ref.length, test.length); i++) {
            s += (double) ref[i] * ref[i];
            double d = (double) test[i] - ref[i];
            e += d * d;
        }
        return 10 * Math.log10(s / e);
    }

    /** Pearson correlation over the common length. */
    static double correlation(float[] a, float[] b) {
        int n = Math.min(a.length, b.length);
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = a[i] - ma;
            double db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
