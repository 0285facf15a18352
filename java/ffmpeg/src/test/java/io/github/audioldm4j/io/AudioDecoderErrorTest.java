package io.github.audioldm4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.io.AudioIOException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/** Every way a file can fail to decode, and every invalid argument. */
class AudioDecoderErrorTest {
    private static final String INVALID_DATA = "Invalid data found when processing input";

    @TempDir
    Path dir;

    private static AudioIOException decodeFails(Path file, Reason reason) {
        return decodeFails(file, DecodeOptions.of(16000), reason);
    }

    private static AudioIOException decodeFails(Path file, DecodeOptions options, Reason reason) {
        AudioIOException e = assertThrows(AudioIOException.class, () -> AudioDecoder.decode(file, options));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith("cannot decode " + file + ": " + reason.description()), e.getMessage());
        return e;
    }

    private static void assertFfmpegError(AudioIOException e, String function, String text) {
        assertEquals(function, e.ffmpegFunction(), e.getMessage());
        assertEquals(text, e.ffmpegError(), e.getMessage());
        assertTrue(e.ffmpegErrorCode() < 0);
        assertTrue(e.getMessage().contains("(" + function + ": " + text + ", error " + e.ffmpegErrorCode() + ")"),
                e.getMessage());
    }

    private Path generated(String name, String... codec) {
        Path p = dir.resolve(name);
        FfmpegCli.bundled().generate("0.5*sin(2*PI*440*t)+0.05*(random(0)-0.5)|0.4*sin(2*PI*660*t)", 44100, 2.0, p, codec);
        return p;
    }

    private static Path truncate(Path src, Path dst, long bytes) throws IOException {
        byte[] all = Files.readAllBytes(src);
        Files.write(dst, Arrays.copyOf(all, (int) bytes));
        return dst;
    }

    private static Path scramble(Path src, Path dst, double at, int length, long seed) throws IOException {
        byte[] all = Files.readAllBytes(src);
        Random rnd = new Random(seed);
        int start = (int) (all.length * at);
        for (int i = start; i < start + length; i++) {
            all[i] = (byte) rnd.nextInt(256);
        }
        Files.write(dst, all);
        return dst;
    }

    // ---- files that are not there or not files ----

    @Test
    void missingFile() {
        AudioIOException e = decodeFails(dir.resolve("nope.wav"), Reason.FILE_NOT_FOUND);
        assertNull(e.ffmpegFunction());
        assertEquals(0, e.ffmpegErrorCode());
        AudioIOException p = assertThrows(AudioIOException.class, () -> AudioDecoder.probe(dir.resolve("nope.wav")));
        assertEquals(Reason.FILE_NOT_FOUND, p.reason());
        assertTrue(p.getMessage().startsWith("cannot probe "), p.getMessage());
    }

    @Test
    void directory() throws IOException {
        Path d = Files.createDirectory(dir.resolve("folder.wav"));
        AudioIOException e = decodeFails(d, Reason.NOT_A_REGULAR_FILE);
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        decodeFails(Files.createFile(dir.resolve("empty.mp3")), Reason.EMPTY_FILE);
    }

    // ---- files that are not audio ----

    @Test
    void textFile() throws IOException {
        Path txt = Files.writeString(dir.resolve("notes.txt"), "this is plain text, not audio\n");
        assertFfmpegError(decodeFails(txt, Reason.UNRECOGNIZED_FORMAT), "avformat_open_input", INVALID_DATA);
    }

    @Test
    void textFileWhoseExtensionMakesFfmpegGuessAFormat() throws IOException {
        // FFmpeg's luodat demuxer claims *.dat files with probe score 1
        Path dat = Files.writeString(dir.resolve("notes.dat"), "this is plain text, not audio\n");
        AudioIOException e = decodeFails(dat, Reason.UNRECOGNIZED_FORMAT);
        assertTrue(e.getMessage().contains("low confidence"), e.getMessage());
        assertEquals("avformat_find_stream_info", e.ffmpegFunction());
    }

    @Test
    void randomBytes() throws IOException {
        byte[] junk = new byte[5000];
        new Random(3).nextBytes(junk);
        Path bin = Files.write(dir.resolve("junk.bin"), junk);
        assertFfmpegError(decodeFails(bin, Reason.UNRECOGNIZED_FORMAT), "avformat_open_input", INVALID_DATA);
    }

    @Test
    void pngImage() throws IOException {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
        Path png = dir.resolve("picture.png");
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        AudioIOException e = decodeFails(png, Reason.NO_AUDIO_STREAM);
        assertFfmpegError(e, "av_find_best_stream", "Stream not found");
        assertTrue(e.getMessage().contains("png"), e.getMessage());
        assertEquals(Reason.NO_AUDIO_STREAM,
                assertThrows(AudioIOException.class, () -> AudioDecoder.probe(png)).reason());
    }

    @Test
    void videoWithoutAudio() {
        Path mp4 = dir.resolve("silent-film.mp4");
        FfmpegCli.bundled().check(java.util.List.of("-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=0.3:s=64x64",
                "-c:v", "mpeg4", mp4.toString()));
        AudioIOException e = decodeFails(mp4, Reason.NO_AUDIO_STREAM);
        assertTrue(e.getMessage().contains("mpeg4"), e.getMessage());
    }

    // ---- valid containers without samples ----

    @Test
    void zeroLengthWav() throws IOException {
        Path wav = TestAudio.writeWav16(dir.resolve("zero.wav"), 16000, new short[0]);
        assertEquals(44, Files.size(wav));
        decodeFails(wav, Reason.NO_AUDIO_DATA);
        AudioInfo info = AudioDecoder.probe(wav); // the headers themselves are fine
        assertEquals(16000, info.sampleRate());
        assertEquals(1, info.channels());
    }

    @Test
    void zeroLengthFlac() {
        Path flac = dir.resolve("zero.flac");
        FfmpegCli.bundled().generate("0", 16000, 1.0, flac, "-t", "0", "-c:a", "flac");
        decodeFails(flac, Reason.NO_AUDIO_DATA);
    }

    // ---- truncated files ----

    @Test
    void truncatedWavMidSample() throws IOException {
        Path wav = generated("full.wav", "-c:a", "pcm_s16le");
        Path cut = truncate(wav, dir.resolve("cut.wav"), Files.size(wav) / 2 + 1);
        AudioIOException e = decodeFails(cut, Reason.TRUNCATED);
        assertTrue(e.getMessage().contains("data chunk"), e.getMessage());
    }

    @Test
    void truncatedWavAtASampleBoundaryIsStillDetected() throws IOException {
        Path wav = TestAudio.writeWav16(dir.resolve("full.wav"), 16000, new short[8000], new short[8000]);
        Path cut = truncate(wav, dir.resolve("cut.wav"), 44 + 4 * 4000);
        decodeFails(cut, Reason.TRUNCATED);
        // without strictness the available half decodes, as with the ffmpeg command line
        assertEquals(4000, AudioDecoder.decode(cut, DecodeOptions.of(16000).withStrict(false)).samples().length);
    }

    @Test
    void truncatedFlac() throws IOException {
        Path flac = generated("full.flac", "-c:a", "flac");
        Path cut = truncate(flac, dir.resolve("cut.flac"), Files.size(flac) / 2);
        AudioIOException e = decodeFails(cut, Reason.TRUNCATED);
        assertTrue(e.getMessage().contains("the header declares 88200 samples at 44100 Hz"), e.getMessage());
    }

    @Test
    void truncatedMp3WithXingHeader() throws IOException {
        Path mp3 = generated("full.mp3", "-c:a", "libmp3lame");
        Path cut = truncate(mp3, dir.resolve("cut.mp3"), Files.size(mp3) / 2);
        decodeFails(cut, Reason.TRUNCATED);
    }

    @Test
    void truncatedOgg() throws IOException {
        Path ogg = generated("full.opus", "-c:a", "libopus");
        Path cut = truncate(ogg, dir.resolve("cut.opus"), Files.size(ogg) / 2);
        // FFmpeg drops the partial last page silently; the missing end of the page shows the cut
        AudioIOException e = decodeFails(cut, Reason.TRUNCATED);
        assertTrue(e.getMessage().contains("the file ends inside an Ogg page"), e.getMessage());
    }

    @Test
    void oggCutAtAPageBoundaryLacksTheEndOfStreamPage() throws IOException {
        Path ogg = generated("full.ogg", "-c:a", "vorbis", "-strict", "-2");
        byte[] all = Files.readAllBytes(ogg);
        int lastPage = -1;
        for (int i = 0; i + 4 < all.length; i++) {
            if (all[i] == 'O' && all[i + 1] == 'g' && all[i + 2] == 'g' && all[i + 3] == 'S') {
                lastPage = i;
            }
        }
        assertTrue(lastPage > 0);
        assertEquals(OggTail.End.COMPLETE, OggTail.inspect(ogg));
        Path cut = truncate(ogg, dir.resolve("cut.ogg"), lastPage);
        assertEquals(OggTail.End.NO_END_OF_STREAM, OggTail.inspect(cut));
        AudioIOException e = decodeFails(cut, Reason.TRUNCATED);
        assertTrue(e.getMessage().contains("not flagged end-of-stream"), e.getMessage());
        float[] partial = AudioDecoder.decode(cut, DecodeOptions.of(16000).withStrict(false)).samples();
        assertTrue(partial.length > 0 && partial.length < 32000, "lenient decode returns the part: " + partial.length);
    }

    @Test
    void truncatedM4aLosesItsIndex() throws IOException {
        Path m4a = generated("full.m4a", "-c:a", "aac");
        Path cut = truncate(m4a, dir.resolve("cut.m4a"), Files.size(m4a) / 2);
        // FFmpeg's MP4 muxer writes the moov index last; without it nothing can be decoded
        AudioIOException e = decodeFails(cut, Reason.CORRUPT_DATA);
        assertTrue(e.getMessage().contains("recognises the content as mov,mp4"), e.getMessage());
        assertFfmpegError(e, "avformat_open_input", INVALID_DATA);
    }

    // ---- corrupt files ----

    @Test
    void corruptFlacFrames() throws IOException {
        Path flac = generated("good.flac", "-c:a", "flac");
        Path bad = scramble(flac, dir.resolve("bad.flac"), 0.4, 3000, 11);
        AudioIOException e = decodeFails(bad, Reason.CORRUPT_DATA);
        assertTrue(e.getMessage().contains("the decoder failed on"), e.getMessage());
        assertTrue(e.ffmpegFunction().startsWith("avcodec_"), e.getMessage());
        assertEquals(INVALID_DATA, e.ffmpegError());
    }

    @Test
    void corruptMp3Frames() throws IOException {
        Path mp3 = generated("good.mp3", "-c:a", "libmp3lame");
        Path bad = scramble(mp3, dir.resolve("bad.mp3"), 0.4, 3000, 5);
        AudioIOException e = assertThrows(AudioIOException.class, () -> AudioDecoder.decode(bad, 16000));
        // the scrambled frames fail to decode and are missing from the output
        assertTrue(e.reason() == Reason.CORRUPT_DATA || e.reason() == Reason.TRUNCATED, e.getMessage());
        assertTrue(e.getMessage().contains("the decoder failed on"), e.getMessage());
    }

    @Test
    void corruptHeader() throws IOException {
        Path flac = generated("good.flac", "-c:a", "flac");
        byte[] all = Files.readAllBytes(flac);
        System.arraycopy("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII), 0, all, 0, 32);
        Path bad = Files.write(dir.resolve("bad-header.flac"), all);
        AudioIOException e = assertThrows(AudioIOException.class, () -> AudioDecoder.decode(bad, 16000));
        assertTrue(e.reason() == Reason.UNRECOGNIZED_FORMAT || e.reason() == Reason.CORRUPT_DATA, e.getMessage());
        assertTrue(e.ffmpegError() != null, e.getMessage());
    }

    @Test
    void lenientModeDecodesWhatTheCommandLineDecodes() throws IOException {
        Path flac = generated("full.flac", "-c:a", "flac");
        Path cut = truncate(flac, dir.resolve("cut.flac"), Files.size(flac) / 2);
        float[] ours = AudioDecoder.decode(cut, DecodeOptions.of(16000).withStrict(false)).samples();
        float[] cli = FfmpegCli.bundled().decodeMono(cut, 16000, "-rematrix_maxval", "1.0");
        assertTrue(ours.length > 8000, "half of a 2 s file decodes: " + ours.length);
        assertTrue(TestAudio.bitIdentical(cli, ours), "lenient decode of a truncated file equals ffmpeg's output");
    }

    @Test
    void wavHeaderParserIgnoresStreamingPlaceholders() throws IOException {
        Path wav = TestAudio.writeWav16(dir.resolve("stream.wav"), 16000, new short[1000]);
        byte[] all = Files.readAllBytes(wav);
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 0xFFFFFFFF); // data size unknown
        Files.write(wav, all);
        assertEquals(-1, WavHeader.declaredDataEnd(wav));
        assertEquals(1000, AudioDecoder.decode(wav, 16000).samples().length);
    }

    // ---- invalid arguments ----

    private static void iae(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void invalidArguments() throws IOException {
        Path wav = TestAudio.writeWav16(dir.resolve("ok.wav"), 16000, new short[100]);
        NullPointerException npe = assertThrows(NullPointerException.class, () -> AudioDecoder.decode(null, 16000));
        assertEquals("file must not be null", npe.getMessage());
        npe = assertThrows(NullPointerException.class, () -> AudioDecoder.decode(null, DecodeOptions.of(16000)));
        assertEquals("file must not be null", npe.getMessage());
        npe = assertThrows(NullPointerException.class, () -> AudioDecoder.decode(wav, (DecodeOptions) null));
        assertEquals("options must not be null", npe.getMessage());
        npe = assertThrows(NullPointerException.class, () -> AudioDecoder.probe(null));
        assertEquals("file must not be null", npe.getMessage());

        iae("targetSampleRate must be in [1000, 768000], got 0", () -> AudioDecoder.decode(wav, 0));
        iae("targetSampleRate must be in [1000, 768000], got -16000", () -> AudioDecoder.decode(wav, -16000));
        iae("targetSampleRate must be in [1000, 768000], got 999", () -> AudioDecoder.decode(wav, 999));
        iae("targetSampleRate must be in [1000, 768000], got 768001", () -> AudioDecoder.decode(wav, 768001));
        iae("targetSampleRate must be in [1000, 768000], got 2147483647",
                () -> AudioDecoder.decode(wav, Integer.MAX_VALUE));
        iae("offsetSeconds must be finite and >= 0, got -0.5", () -> DecodeOptions.of(16000).withOffset(-0.5));
        iae("offsetSeconds must be finite and >= 0, got NaN", () -> DecodeOptions.of(16000).withOffset(Double.NaN));
        iae("offsetSeconds must be finite and >= 0, got Infinity",
                () -> DecodeOptions.of(16000).withOffset(Double.POSITIVE_INFINITY));
        iae("maxDurationSeconds must be > 0 (or +Infinity for no limit), got 0.0",
                () -> DecodeOptions.of(16000).withMaxDuration(0));
        iae("maxDurationSeconds must be > 0 (or +Infinity for no limit), got NaN",
                () -> DecodeOptions.of(16000).withMaxDuration(Double.NaN));
        iae("maxDurationSeconds must be > 0 (or +Infinity for no limit), got -1.0",
                () -> DecodeOptions.of(16000).withMaxDuration(-1));
        npe = assertThrows(NullPointerException.class, () -> DecodeOptions.of(16000).withDownmix(null));
        assertEquals("downmix must not be null", npe.getMessage());
    }
}
