package io.github.audioldm4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Functional tests of {@link AudioDecoder}: downmix modes, offset/length, probe, threads, paths. */
class AudioDecoderTest {
    @TempDir
    Path dir;

    /** A 16 kHz stereo 16-bit WAV with known integer samples (no resampling needed at 16 kHz). */
    private Path stereoWav(short[] left, short[] right) throws Exception {
        return TestAudio.writeWav16(dir.resolve("stereo.wav"), 16000, left, right);
    }

    private static short[][] stereoSamples(int n) {
        short[] l = new short[n];
        short[] r = new short[n];
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < n; i++) {
            l[i] = (short) (rnd.nextInt(65536) - 32768);
            r[i] = (short) (rnd.nextInt(65536) - 32768);
        }
        l[0] = Short.MAX_VALUE;
        r[0] = Short.MAX_VALUE; // both channels at full scale
        l[1] = Short.MIN_VALUE;
        r[1] = Short.MIN_VALUE;
        return new short[][] {l, r};
    }

    @Test
    void normalizedDownmixIsTheExactChannelMean() throws Exception {
        short[][] s = stereoSamples(5000);
        float[] y = AudioDecoder.decode(stereoWav(s[0], s[1]), 16000).samples();
        assertEquals(5000, y.length);
        for (int i = 0; i < y.length; i++) {
            float expected = (s[0][i] / 32768f + s[1][i] / 32768f) * 0.5f;
            assertEquals(expected, y[i], 0.0f, "sample " + i);
        }
        assertEquals(-1.0f, y[1], 0.0f);
        assertTrue(y[0] <= 1.0f);
    }

    @Test
    void ffmpegCliDownmixIsUnnormalized() throws Exception {
        short[][] s = stereoSamples(5000);
        float[] y = AudioDecoder.decode(stereoWav(s[0], s[1]),
                DecodeOptions.of(16000).withDownmix(Downmix.FFMPEG_CLI)).samples();
        for (int i = 0; i < y.length; i++) {
            double expected = (s[0][i] / 32768.0 + s[1][i] / 32768.0) * Math.sqrt(0.5);
            assertEquals(expected, y[i], 2.5e-7, "sample " + i);
        }
        // two full-scale negative channels give -sqrt(2): outside [-1, 1], as the CLI writes it
        assertEquals(-Math.sqrt(2), y[1], 1e-6);
    }

    @Test
    void firstChannelDownmixKeepsTheLeftChannelExactly() throws Exception {
        short[][] s = stereoSamples(5000);
        float[] y = AudioDecoder.decode(stereoWav(s[0], s[1]),
                DecodeOptions.of(16000).withDownmix(Downmix.FIRST_CHANNEL)).samples();
        for (int i = 0; i < y.length; i++) {
            assertEquals(s[0][i] / 32768f, y[i], 0.0f, "sample " + i);
        }
    }

    @Test
    void surroundDownmixMatchesBundledCliInBothModes() throws Exception {
        Path file = dir.resolve("surround.wav");
        FfmpegCli.bundled().generate(
                "0.9*sin(2*PI*300*t)|0.9*sin(2*PI*500*t)|0.9|0.9*sin(2*PI*50*t)|0.9*sin(2*PI*700*t)|0.9*sin(2*PI*900*t)",
                48000, 0.5, file, "-c:a", "pcm_f32le", "-channel_layout", "5.1");
        AudioInfo info = AudioDecoder.probe(file);
        assertEquals(6, info.channels());

        float[] cli = FfmpegCli.bundled().decodeMono(file, 16000);
        float[] ours = AudioDecoder.decode(file, DecodeOptions.of(16000).withDownmix(Downmix.FFMPEG_CLI)).samples();
        assertTrue(TestAudio.bitIdentical(cli, ours), "5.1 FFMPEG_CLI downmix vs ffmpeg -ac 1");

        float[] cliNorm = FfmpegCli.bundled().decodeMono(file, 16000, "-rematrix_maxval", "1.0");
        float[] norm = AudioDecoder.decode(file, 16000).samples();
        assertTrue(TestAudio.bitIdentical(cliNorm, norm), "5.1 NORMALIZED downmix vs ffmpeg -rematrix_maxval 1.0");
        double peak = 0;
        for (float v : norm) {
            peak = Math.max(peak, Math.abs(v));
        }
        double peakCli = 0;
        for (float v : ours) {
            peakCli = Math.max(peakCli, Math.abs(v));
        }
        assertTrue(peak <= 0.9 * 1.0001, "normalised 5.1 downmix peak " + peak);
        assertTrue(peakCli > 1.0, "unnormalised 5.1 downmix of 0.9-amplitude channels exceeds 1: " + peakCli);
    }

    @Test
    void offsetAndMaxDurationSliceTheFullDecode() throws Exception {
        Path mp3 = dir.resolve("x.mp3");
        FfmpegCli.bundled().generate("0.5*sin(2*PI*440*t)+0.1*sin(2*PI*2500*t)", 44100, 2.0, mp3,
                "-c:a", "libmp3lame", "-b:a", "128k");
        float[] full = AudioDecoder.decode(mp3, 16000).samples();
        assertEquals(32000, full.length);

        float[] part = AudioDecoder.decode(mp3, DecodeOptions.of(16000).withOffset(0.25).withMaxDuration(0.5)).samples();
        assertArrayEquals(Arrays.copyOfRange(full, 4000, 12000), part);

        float[] tail = AudioDecoder.decode(mp3, DecodeOptions.of(16000).withOffset(1.5).withMaxDuration(10)).samples();
        assertArrayEquals(Arrays.copyOfRange(full, 24000, 32000), tail);

        float[] head = AudioDecoder.decode(mp3, DecodeOptions.of(16000).withMaxDuration(0.1)).samples();
        assertArrayEquals(Arrays.copyOfRange(full, 0, 1600), head);

        DecodedAudio beyond = AudioDecoder.decode(mp3, DecodeOptions.of(16000).withOffset(5.0));
        assertEquals(0, beyond.samples().length, "an offset past the end gives no samples");
        assertEquals(44100, beyond.source().sampleRate());
    }

    @Test
    void probeReportsContainerCodecRateChannelsAndDuration() throws Exception {
        FfmpegCli cli = FfmpegCli.bundled();
        Path wav = dir.resolve("a.wav");
        cli.generate("0.5*sin(2*PI*440*t)|0.5*sin(2*PI*440*t)", 44100, 1.5, wav, "-c:a", "pcm_s24le");
        AudioInfo w = AudioDecoder.probe(wav);
        assertEquals("wav", w.container());
        assertEquals("pcm_s24le", w.codec());
        assertEquals(44100, w.sampleRate());
        assertEquals(2, w.channels());
        assertEquals("stereo", w.channelLayout());
        assertEquals(24, w.bitsPerSample());
        assertEquals(1.5, w.durationSeconds(), 1e-9);
        assertFalse(w.durationEstimated());
        assertEquals(wav, w.file());

        Path flac = dir.resolve("a.flac");
        cli.generate("0.5*sin(2*PI*440*t)", 22050, 0.8, flac, "-c:a", "flac");
        AudioInfo f = AudioDecoder.probe(flac);
        assertEquals("flac", f.container());
        assertEquals("flac", f.codec());
        assertEquals(22050, f.sampleRate());
        assertEquals(1, f.channels());
        assertEquals(0.8, f.durationSeconds(), 1e-9);

        Path opus = dir.resolve("a.opus");
        cli.generate("0.5*sin(2*PI*440*t)", 16000, 1.0, opus, "-c:a", "libopus");
        AudioInfo o = AudioDecoder.probe(opus);
        assertEquals("ogg", o.container());
        assertEquals("opus", o.codec());
        assertEquals(48000, o.sampleRate(), "Opus always decodes at 48 kHz");
        assertEquals(1.0, o.durationSeconds(), 0.01);

        Path m4a = dir.resolve("a.m4a");
        cli.generate("0.5*sin(2*PI*440*t)", 48000, 1.0, m4a, "-c:a", "aac");
        AudioInfo m = AudioDecoder.probe(m4a);
        assertTrue(m.container().contains("mp4"), m.container());
        assertEquals("aac", m.codec());
        assertTrue(m.bitRate() > 0);

        DecodedAudio d = AudioDecoder.decode(flac, 16000);
        assertEquals(f, d.source(), "decode reports the same info as probe");
        assertEquals(0.8, d.durationSeconds(), 1e-9);
    }

    @Test
    void concurrentDecodesOfDifferentFilesMatchSerialDecodes() throws Exception {
        FfmpegCli cli = FfmpegCli.bundled();
        List<Path> files = new ArrayList<>();
        String expr = "0.5*sin(2*PI*440*t)+0.05*(random(0)-0.5)|0.3*sin(2*PI*1234*t)";
        String[][] formats = {{"mp3", "-c:a", "libmp3lame"}, {"flac", "-c:a", "flac"}, {"m4a", "-c:a", "aac"},
            {"wav", "-c:a", "pcm_s16le"}, {"opus", "-c:a", "libopus"}, {"ogg", "-c:a", "vorbis", "-strict", "-2"}};
        int[] rates = {44100, 22050, 48000, 8000, 48000, 44100};
        for (int i = 0; i < formats.length; i++) {
            Path p = dir.resolve("c" + i + "." + formats[i][0]);
            cli.generate(expr, rates[i], 3.0, p, Arrays.copyOfRange(formats[i], 1, formats[i].length));
            files.add(p);
        }
        List<float[]> serial = new ArrayList<>();
        for (Path p : files) {
            serial.add(AudioDecoder.decode(p, 16000).samples());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                for (Path p : files) {
                    futures.add(pool.submit(() -> AudioDecoder.decode(p, 16000).samples()));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                float[] got = futures.get(i).get();
                assertTrue(TestAudio.bitIdentical(serial.get(i % files.size()), got),
                        "concurrent decode " + i + " of " + files.get(i % files.size()).getFileName());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fileNamesThatLookLikeUrlsOrProtocolsAreReadAsPlainFiles() throws Exception {
        float[] x = TestAudio.signal(16000, 0.2, 440, 1000, 1);
        Path plain = TestAudio.writeWavFloat(dir.resolve("plain.wav"), 16000, x);
        float[] expected = AudioDecoder.decode(plain, 16000).samples();
        assertArrayEquals(x, expected);
        for (String name : List.of("concat:a|b.wav", "http:x.wav", "a b%d ü ♪.wav", "pipe:0.wav", "-i.wav")) {
            Path p = Files.copy(plain, dir.resolve(name));
            assertArrayEquals(expected, AudioDecoder.decode(p, 16000).samples(), name);
        }
    }

    @Test
    void decodedAudioValidatesAndDescribesItself() {
        AudioInfo info = new AudioInfo(dir, "wav", "pcm_s16le", 16000, 1, "mono", "s16", 16, 256000, 1.0, false);
        DecodedAudio a = new DecodedAudio(new float[16000], 16000, info);
        assertEquals(1.0, a.durationSeconds(), 0.0);
        assertTrue(a.toString().contains("16000 samples at 16000 Hz"), a.toString());
    }
}
