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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Streaming decode ({@link AudioReader}) and encode ({@link AudioWriter}) against the whole-file
 * calls: the same samples and the same bytes for any block size, the same errors, bounded state.
 */
class AudioStreamingTest {
    private static final String STEREO = "0.5*sin(2*PI*440*t)+0.05*(random(0)-0.5)|0.4*sin(2*PI*660*t)";

    @TempDir
    Path dir;

    static Stream<Arguments> files() {
        return Stream.of(
                Arguments.of("a.wav", 44100, new String[] {"-c:a", "pcm_s16le"}),
                Arguments.of("b.flac", 22050, new String[] {"-c:a", "flac"}),
                Arguments.of("c.mp3", 44100, new String[] {"-c:a", "libmp3lame"}),
                Arguments.of("d.ogg", 44100, new String[] {"-c:a", "vorbis", "-strict", "-2"}),
                Arguments.of("e.opus", 48000, new String[] {"-c:a", "libopus"}),
                Arguments.of("f.m4a", 48000, new String[] {"-c:a", "aac"}),
                Arguments.of("g.wav", 16000, new String[] {"-c:a", "pcm_f32le"}));
    }

    private Path generated(String name, int rate, double seconds, String... codec) {
        Path p = dir.resolve(name);
        FfmpegCli.bundled().generate(STEREO, rate, seconds, p, codec);
        return p;
    }

    private static float[] stream(Path file, DecodeOptions options, int block) throws IOException {
        try (AudioReader r = AudioReader.open(file, options)) {
            float[] out = new float[1 << 12];
            int size = 0;
            float[] buf = new float[block];
            for (int n; (n = r.read(buf, 0, block)) >= 0; ) {
                assertTrue(n > 0 && n <= block, "a read returns 1.." + block + " samples, got " + n);
                if (size + n > out.length) {
                    out = Arrays.copyOf(out, Math.max(2 * out.length, size + n));
                }
                System.arraycopy(buf, 0, out, size, n);
                size += n;
            }
            assertEquals(size, r.position());
            assertEquals(-1, r.read(buf, 0, block), "the end stays the end");
            return Arrays.copyOf(out, size);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void streamingDecodeEqualsTheWholeFileDecodeForAnyReadSize(String name, int rate, String[] codec) throws IOException {
        Path f = generated(name, rate, 3.0, codec);
        for (DecodeOptions o : List.of(DecodeOptions.of(16000), DecodeOptions.of(22050).withDownmix(Downmix.FFMPEG_CLI),
                DecodeOptions.of(16000).withOffset(0.37).withMaxDuration(1.1))) {
            float[] whole = AudioDecoder.decode(f, o).samples();
            assertTrue(whole.length > 1000);
            for (int block : new int[] {1, 997, 65536}) {
                float[] streamed = stream(f, o, block);
                assertTrue(TestAudio.bitIdentical(whole, streamed), name + " " + o + " read " + block + ": "
                        + streamed.length + " vs " + whole.length + " samples, max diff "
                        + (streamed.length == whole.length ? TestAudio.maxAbsDiff(whole, streamed) : Double.NaN));
            }
        }
    }

    @Test
    void theDurationComesFromTheContainerBeforeAnyAudioIsDecoded() throws IOException {
        Path f = generated("long.flac", 44100, 30.0, "-c:a", "flac");
        try (AudioReader r = AudioReader.open(f, DecodeOptions.of(16000).withOffset(5.0))) {
            assertEquals(0, r.position());
            assertEquals(30.0, r.info().durationSeconds(), 1e-3);
            assertEquals(25 * 16000, r.lengthHint(), 2);
            float[] b = new float[4096];
            long n = 0;
            for (int k; (k = r.read(b, 0, b.length)) >= 0; ) {
                n += k;
            }
            assertEquals(r.lengthHint(), n, 2, "the hint matches the decoded length");
        }
        try (AudioReader r = AudioReader.open(f, DecodeOptions.of(16000).withMaxDuration(2.0))) {
            assertEquals(32000, r.lengthHint());
        }
    }

    @Test
    void aTruncatedFileFailsAtTheEndOfTheStreamWithTheWholeFileDecodesReason() throws IOException {
        Path f = generated("t.flac", 44100, 3.0, "-c:a", "flac");
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.flac");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        AudioIOException whole = assertThrows(AudioIOException.class, () -> AudioDecoder.decode(cut, 16000));
        assertEquals(Reason.TRUNCATED, whole.reason());
        AudioIOException streamed = assertThrows(AudioIOException.class,
                () -> stream(cut, DecodeOptions.of(16000), 4096));
        assertEquals(Reason.TRUNCATED, streamed.reason());
        assertEquals(whole.getMessage(), streamed.getMessage());
        // lenient: the same samples as the lenient whole-file decode
        DecodeOptions lenient = DecodeOptions.of(16000).withStrict(false);
        assertTrue(TestAudio.bitIdentical(AudioDecoder.decode(cut, lenient).samples(), stream(cut, lenient, 333)));
    }

    @Test
    void fileLevelErrorsFailAtOpenAndBadArgumentsAreNamed() throws IOException {
        AudioIOException missing = assertThrows(AudioIOException.class,
                () -> AudioReader.open(dir.resolve("nope.wav"), DecodeOptions.of(16000)));
        assertEquals(Reason.FILE_NOT_FOUND, missing.reason());
        Path text = Files.writeString(dir.resolve("x.txt"), "not audio\n");
        assertEquals(Reason.UNRECOGNIZED_FORMAT, assertThrows(AudioIOException.class,
                () -> AudioReader.open(text, DecodeOptions.of(16000))).reason());
        Path zero = TestAudio.writeWav16(dir.resolve("zero.wav"), 16000, new short[0]);
        AudioIOException none = assertThrows(AudioIOException.class, () -> stream(zero, DecodeOptions.of(16000), 64));
        assertEquals(Reason.NO_AUDIO_DATA, none.reason());
        assertEquals("file", assertThrows(NullPointerException.class,
                () -> AudioReader.open(null, DecodeOptions.of(16000))).getMessage().split(" ")[0]);
        Path f = generated("ok.wav", 16000, 0.5, "-c:a", "pcm_s16le");
        try (AudioReader r = AudioReader.open(f, DecodeOptions.of(16000))) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> r.read(new float[4], 2, 3));
            assertTrue(e.getMessage().contains("offset 2 and length 3"), e.getMessage());
            assertEquals(0, r.read(new float[4], 0, 0));
            r.close();
            assertThrows(IllegalStateException.class, () -> r.read(new float[4], 0, 4));
        }
    }

    static Stream<Arguments> formats() {
        return Arrays.stream(AudioFormat.values()).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void streamingEncodeWritesTheBytesOfTheWholeArrayEncodeForAnyBlockSize(AudioFormat format) throws IOException {
        float[] x = TestAudio.signal(17000, 2.3, 440, 1250, 5); // 17 kHz: MP3 and Opus resample
        Path whole = dir.resolve("whole." + format.muxer());
        AudioInfo w = AudioEncoder.encode(x, 17000, whole, format);
        byte[] expected = Files.readAllBytes(whole);
        for (int block : new int[] {1, 4097, 100_000}) {
            Path out = dir.resolve("s" + block + "." + format.muxer());
            AudioInfo info;
            try (AudioWriter wr = AudioWriter.open(out, 17000, EncodeOptions.of(format))) {
                for (int off = 0; off < x.length; off += block) {
                    wr.write(x, off, Math.min(block, x.length - off));
                }
                assertEquals(x.length, wr.samplesWritten());
                assertTrue(wr.writtenSampleRate() >= 17000, "the codec's rate at or above the input's");
                info = wr.finish();
            }
            assertArrayEquals(expected, Files.readAllBytes(out), format + " in blocks of " + block);
            assertEquals(w.sampleRate(), info.sampleRate());
        }
    }

    @Test
    void aWriterClosedWithoutFinishLeavesNoFileAndKeepsTheOldOne() throws IOException {
        Path out = dir.resolve("keep.flac");
        Files.writeString(out, "old");
        float[] x = TestAudio.signal(16000, 1.0, 300, 900, 1);
        try (AudioWriter w = AudioWriter.open(out, 16000)) {
            w.write(x, 0, x.length);
        }
        assertEquals("old", Files.readString(out));
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        assertEquals(List.of("keep.flac"), names, "no temporary file is left");
    }

    @Test
    void writerErrorsNameTheArgument() throws IOException {
        Path out = dir.resolve("w.wav");
        assertEquals(Reason.WRITE_FAILED, assertThrows(AudioIOException.class,
                () -> AudioWriter.open(dir.resolve("no/such/dir.wav"), 16000)).reason());
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class, () -> AudioWriter.open(out, 10));
        assertTrue(rate.getMessage().contains("sampleRate") && rate.getMessage().contains("10"), rate.getMessage());
        try (AudioWriter w = AudioWriter.open(out, 16000)) {
            w.write(new float[] {0.1f, 0.2f}, 0, 2);
            IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                    () -> w.write(new float[] {0f, Float.NaN}, 0, 2));
            assertTrue(nan.getMessage().contains("at index 3"), nan.getMessage());
            w.finish();
            assertThrows(IllegalStateException.class, () -> w.write(new float[1], 0, 1));
            assertThrows(IllegalStateException.class, w::finish);
        }
        try (AudioWriter w = AudioWriter.open(dir.resolve("empty.wav"), 16000)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, w::finish);
            assertTrue(e.getMessage().contains("no samples"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("empty.wav")));
    }
}
