package io.github.audioldm4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.io.AudioIOException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Round trips, clipping, rate handling, determinism and argument checks of {@link AudioEncoder}. */
class AudioEncoderTest {
    @TempDir
    Path dir;

    private static String extension(AudioFormat f) {
        return switch (f) {
            case MP3 -> ".mp3";
            case OGG_OPUS -> ".ogg";
            case FLAC_16, FLAC_24 -> ".flac";
            default -> ".wav";
        };
    }

    // ---- lossless: exact at the bit depth's quantisation ----

    @ParameterizedTest
    @EnumSource(value = AudioFormat.class, names = {"WAV_PCM16", "WAV_PCM24", "FLAC_16", "FLAC_24"})
    void integerPcmRoundTripIsExactQuantisation(AudioFormat format) throws IOException {
        for (int rate : new int[] {8000, 16000, 44100, 48000}) {
            float[] x = TestAudio.signal(rate, 0.7, 440, 3000, rate);
            Path file = dir.resolve("rt" + rate + extension(format));
            AudioInfo info = AudioEncoder.encode(x, rate, file, format);
            assertEquals(rate, info.sampleRate());
            assertEquals(1, info.channels());
            assertEquals(format.bitsPerSample(), info.bitsPerSample());
            float[] y = AudioDecoder.decode(file, rate).samples();
            assertEquals(x.length, y.length);
            int bits = format.bitsPerSample();
            float step = (float) Math.scalb(1.0, -(bits - 1));
            for (int i = 0; i < x.length; i++) {
                float expected = AudioEncoder.quantize(x[i], bits) * step;
                assertEquals(expected, y[i], 0.0f, format + " sample " + i);
                assertTrue(Math.abs(y[i] - x[i]) <= step / 2, "error within half a step");
            }
        }
    }

    @Test
    void float32WavIsBitExactIncludingValuesOutsideTheUnitRange() throws IOException {
        float[] x = TestAudio.signal(22050, 0.5, 300, 5000, 9);
        x[10] = 1.5f;
        x[11] = -3.25f;
        x[12] = Float.MIN_VALUE;
        x[13] = -0.0f;
        Path file = dir.resolve("f.wav");
        AudioInfo info = AudioEncoder.encode(x, 22050, file, AudioFormat.WAV_FLOAT32);
        assertEquals("pcm_f32le", info.codec());
        assertTrue(TestAudio.bitIdentical(x, AudioDecoder.decode(file, 22050).samples()));
    }

    @ParameterizedTest
    @EnumSource(value = AudioFormat.class, names = {"WAV_PCM16", "FLAC_16", "WAV_PCM24", "FLAC_24"})
    void integerPcmClampsToTheUnitRange(AudioFormat format) throws IOException {
        float[] x = {1.5f, -2f, 1.0f, -1.0f, 0.25f, 100f, -100f, 0f};
        Path file = dir.resolve("clip" + extension(format));
        AudioEncoder.encode(x, 16000, file, format);
        float[] y = AudioDecoder.decode(file, 16000).samples();
        float max = 1.0f - (float) Math.scalb(1.0, -(format.bitsPerSample() - 1));
        assertArrayEquals(new float[] {max, -1f, max, -1f, 0.25f, max, -1f, 0f}, y);
    }

    @Test
    void quantisationRoundsToNearestWithTiesToEven() {
        float step = 1f / 32768;
        assertEquals(0, AudioEncoder.quantize(0.5f * step, 16));
        assertEquals(2, AudioEncoder.quantize(1.5f * step, 16));
        assertEquals(2, AudioEncoder.quantize(2.5f * step, 16));
        assertEquals(1, AudioEncoder.quantize(0.51f * step, 16));
        assertEquals(-1, AudioEncoder.quantize(-0.51f * step, 16));
        assertEquals(32767, AudioEncoder.quantize(1f, 16));
        assertEquals(-32768, AudioEncoder.quantize(-1f, 16));
        assertEquals(8388607, AudioEncoder.quantize(1f, 24));
        assertEquals(-8388608, AudioEncoder.quantize(-1f, 24));
    }

    @Test
    void pcm16MatchesFfmpegsOwnFloatToS16Conversion() throws IOException {
        // FFmpeg converts float to s16 as lrintf(x * 32768) with saturation: the same rule
        float[] x = TestAudio.signal(16000, 0.5, 440, 2000, 4);
        Path src = TestAudio.writeWavFloat(dir.resolve("src.wav"), 16000, x);
        Path viaCli = dir.resolve("cli.wav");
        FfmpegCli.bundled().check(List.of("-v", "error", "-y", "-i", src.toString(), "-c:a", "pcm_s16le", viaCli.toString()));
        Path ours = dir.resolve("ours.wav");
        AudioEncoder.encode(x, 16000, ours, AudioFormat.WAV_PCM16);
        assertTrue(TestAudio.bitIdentical(AudioDecoder.decode(viaCli, 16000).samples(),
                AudioDecoder.decode(ours, 16000).samples()));
    }

    // ---- lossy: quality and length ----

    static Stream<Arguments> lossyCases() {
        return Stream.of(
                Arguments.of(AudioFormat.MP3, 16000, 16000, 18.0),
                Arguments.of(AudioFormat.MP3, 44100, 44100, 18.0),
                Arguments.of(AudioFormat.MP3, 48000, 48000, 18.0),
                Arguments.of(AudioFormat.MP3, 17000, 22050, 18.0), // unsupported rate: resampled up
                Arguments.of(AudioFormat.OGG_OPUS, 16000, 48000, 30.0),
                Arguments.of(AudioFormat.OGG_OPUS, 48000, 48000, 30.0),
                Arguments.of(AudioFormat.OGG_OPUS, 22050, 48000, 30.0), // resampled to 24 kHz, decodes at 48
                Arguments.of(AudioFormat.OGG_OPUS, 44100, 48000, 30.0));
    }

    @ParameterizedTest(name = "{0} at {1} Hz")
    @MethodSource("lossyCases")
    void lossyRoundTripKeepsLengthAndWaveform(AudioFormat format, int rate, int fileRate, double minSnrDb)
            throws IOException {
        float[] x = TestAudio.signal(rate, 2.0, 440, 1234, 5);
        Path file = dir.resolve("lossy" + rate + extension(format));
        AudioInfo info = AudioEncoder.encode(x, rate, file, format);
        assertEquals(fileRate, info.sampleRate(), "rate stored in the file");
        assertEquals(format == AudioFormat.MP3 ? "mp3" : "opus", info.codec());
        float[] y = AudioDecoder.decode(file, rate).samples();
        // encoder delay and padding are trimmed on decode (LAME tag, Opus pre-skip and end trim)
        assertTrue(Math.abs(y.length - x.length) <= rate / 1000, "length " + y.length + " vs " + x.length);
        double snr = TestAudio.snrDb(x, y);
        double corr = TestAudio.correlation(x, y);
        System.out.printf("[AudioEncoderTest] %s %d Hz (file %d Hz): length %d -> %d, SNR %.1f dB, correlation %.5f%n",
                format, rate, fileRate, x.length, y.length, snr, corr);
        assertTrue(snr >= minSnrDb, format + " SNR " + snr + " dB");
        assertTrue(corr >= 0.99, format + " correlation " + corr);
    }

    @Test
    void lossyBitRateIsApplied() throws IOException {
        float[] x = TestAudio.signal(44100, 3.0, 440, 1234, 5);
        Path low = dir.resolve("low.mp3");
        Path high = dir.resolve("high.mp3");
        assertEquals(64000, AudioEncoder.encode(x, 44100, low, EncodeOptions.of(AudioFormat.MP3).withBitRate(64000)).bitRate());
        assertEquals(EncodeOptions.DEFAULT_MP3_BIT_RATE, AudioEncoder.encode(x, 44100, high, AudioFormat.MP3).bitRate());
        assertTrue(Files.size(low) < Files.size(high) / 2);
    }

    // ---- files ----

    @Test
    void formatFollowsTheExtension() throws IOException {
        float[] x = TestAudio.signal(16000, 0.3, 440, 1234, 2);
        assertEquals("pcm_s16le", AudioEncoder.encode(x, 16000, dir.resolve("a.wav")).codec());
        assertEquals("pcm_s16le", AudioEncoder.encode(x, 16000, dir.resolve("A.WAV")).codec());
        assertEquals("flac", AudioEncoder.encode(x, 16000, dir.resolve("a.flac")).codec());
        assertEquals("mp3", AudioEncoder.encode(x, 16000, dir.resolve("a.mp3")).codec());
        assertEquals("opus", AudioEncoder.encode(x, 16000, dir.resolve("a.ogg")).codec());
        assertEquals("opus", AudioEncoder.encode(x, 16000, dir.resolve("a.opus")).codec());
        assertEquals(AudioFormat.OGG_OPUS, AudioFormat.forFile(Path.of("x.oga")));
        // an explicit format wins over the extension
        assertEquals("flac", AudioEncoder.encode(x, 16000, dir.resolve("b.wav"), AudioFormat.FLAC_24).codec());
    }

    @ParameterizedTest
    @EnumSource(AudioFormat.class)
    void outputIsDeterministic(AudioFormat format) throws IOException {
        float[] x = TestAudio.signal(24000, 0.5, 440, 1234, 8);
        Path a = dir.resolve("a" + extension(format));
        Path b = dir.resolve("b" + extension(format));
        AudioEncoder.encode(x, 24000, a, format);
        AudioEncoder.encode(x, 24000, b, format);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), format + " bytes differ between runs");
    }

    @Test
    void replacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = Files.writeString(dir.resolve("out.wav"), "old content");
        float[] x = TestAudio.signal(16000, 0.2, 440, 1234, 2);
        AudioEncoder.encode(x, 16000, file);
        assertEquals(x.length, AudioDecoder.decode(file, 16000).samples().length);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "only the output remains");
        }
    }

    @Test
    void writeErrors() throws IOException {
        float[] x = {0.1f, 0.2f};
        Path folder = Files.createDirectory(dir.resolve("folder.wav"));
        AudioIOException e = assertThrows(AudioIOException.class, () -> AudioEncoder.encode(x, 16000, folder));
        assertEquals(Reason.NOT_A_REGULAR_FILE, e.reason());
        assertTrue(e.getMessage().startsWith("cannot encode " + folder), e.getMessage());

        Path orphan = dir.resolve("no/such/dir/out.wav");
        e = assertThrows(AudioIOException.class, () -> AudioEncoder.encode(x, 16000, orphan));
        assertEquals(Reason.WRITE_FAILED, e.reason());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(orphan));
    }

    // ---- invalid arguments ----

    private static void iae(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void invalidArguments() {
        Path wav = dir.resolve("x.wav");
        float[] ok = {0.1f, 0.2f};
        assertEquals("samples must not be null",
                assertThrows(NullPointerException.class, () -> AudioEncoder.encode(null, 16000, wav)).getMessage());
        assertEquals("file must not be null",
                assertThrows(NullPointerException.class, () -> AudioEncoder.encode(ok, 16000, null)).getMessage());
        assertEquals("format must not be null", assertThrows(NullPointerException.class,
                () -> AudioEncoder.encode(ok, 16000, wav, (AudioFormat) null)).getMessage());
        assertEquals("options must not be null", assertThrows(NullPointerException.class,
                () -> AudioEncoder.encode(ok, 16000, wav, (EncodeOptions) null)).getMessage());
        iae("samples must not be empty, got length 0", () -> AudioEncoder.encode(new float[0], 16000, wav));
        iae("samples must contain only finite values, got NaN at index 1",
                () -> AudioEncoder.encode(new float[] {0f, Float.NaN}, 16000, wav));
        iae("samples must contain only finite values, got Infinity at index 0",
                () -> AudioEncoder.encode(new float[] {Float.POSITIVE_INFINITY}, 16000, wav));
        iae("sampleRate must be in [1000, 768000], got 0", () -> AudioEncoder.encode(ok, 0, wav));
        iae("sampleRate must be in [1000, 768000], got -44100", () -> AudioEncoder.encode(ok, -44100, wav));
        iae("sampleRate must be in [1000, 768000], got 768001", () -> AudioEncoder.encode(ok, 768001, wav));
        iae("sampleRate must be in [1000, 655350], got 700000",
                () -> AudioEncoder.encode(ok, 700000, dir.resolve("x.flac")));
        iae("file extension must be one of .wav, .flac, .mp3, .ogg, .oga, .opus, got \".aiff\" in " + dir.resolve("x.aiff"),
                () -> AudioEncoder.encode(ok, 16000, dir.resolve("x.aiff")));
        iae("file extension must be one of .wav, .flac, .mp3, .ogg, .oga, .opus, got \"\" in " + dir.resolve("noext"),
                () -> AudioEncoder.encode(ok, 16000, dir.resolve("noext")));
        iae("bitRate must be 0 for lossless format WAV_PCM16, got 128000",
                () -> EncodeOptions.of(AudioFormat.WAV_PCM16).withBitRate(128000));
        iae("bitRate must be in [8000, 320000], got 1000", () -> EncodeOptions.of(AudioFormat.MP3).withBitRate(1000));
        iae("bitRate must be in [8000, 320000], got -5", () -> new EncodeOptions(AudioFormat.OGG_OPUS, -5));
        assertFalse(Files.exists(wav), "no file is created for invalid arguments");
    }

    @Test
    void rateChoiceForCodecsWithFixedRates() {
        int[] mp3 = {44100, 48000, 32000, 22050, 24000, 16000, 11025, 12000, 8000};
        assertEquals(16000, AudioEncoder.chooseRate(16000, mp3));
        assertEquals(22050, AudioEncoder.chooseRate(17000, mp3));
        assertEquals(48000, AudioEncoder.chooseRate(96000, mp3));
        assertEquals(8000, AudioEncoder.chooseRate(1000, mp3));
        assertEquals(96000, AudioEncoder.chooseRate(96000, null));
    }
}
