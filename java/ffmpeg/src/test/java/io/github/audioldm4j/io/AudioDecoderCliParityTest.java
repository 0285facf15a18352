package io.github.audioldm4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link AudioDecoder} against {@code ffmpeg -i in -ar R -ac 1 [-rematrix_maxval 1.0] -f f32le -}.
 *
 * <p>Source files (5 rates x mono/stereo x 10 codec/container combinations) are generated with
 * the ffmpeg binary bundled in the presets. Two references:
 * <ul>
 *   <li>the bundled ffmpeg 8 binary, which runs the same libraries: the decode must be
 *       bit-identical and of the same length, in both downmix modes;
 *   <li>the system's ffmpeg (Debian's 5.1 here; CI installs its distribution's): same length and
 *       max |diff| at most {@value #SYSTEM_TOLERANCE}. Measured with 5.1: 0 for PCM, FLAC and MP3;
 *       at most 3.0e-7 for AAC, Vorbis and Opus, whose MDCT code FFmpeg 6 replaced.
 * </ul>
 * Skipped when the system ffmpeg is missing (the bundled comparison always runs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AudioDecoderCliParityTest {
    /** Allowed max |diff| against another FFmpeg version's CLI (about 16 float ulps at full scale). */
    static final double SYSTEM_TOLERANCE = 1e-6;
    static final int[] SOURCE_RATES = {8000, 16000, 22050, 44100, 48000};

    /** A codec/container combination: name, file extension, ffmpeg encoder arguments. */
    record Container(String name, String extension, List<String> args, boolean stereoOnlyWithBundled) {}

    static final List<Container> CONTAINERS = List.of(
            new Container("wav_s16", "wav", List.of("-c:a", "pcm_s16le"), false),
            new Container("wav_s24", "wav", List.of("-c:a", "pcm_s24le"), false),
            new Container("wav_s32", "wav", List.of("-c:a", "pcm_s32le"), false),
            new Container("wav_f32", "wav", List.of("-c:a", "pcm_f32le"), false),
            new Container("flac16", "flac", List.of("-c:a", "flac", "-sample_fmt", "s16"), false),
            new Container("flac24", "flac", List.of("-c:a", "flac", "-sample_fmt", "s32"), false),
            new Container("mp3", "mp3", List.of("-c:a", "libmp3lame", "-b:a", "128k"), false),
            // the presets ship only FFmpeg's experimental, stereo-only Vorbis encoder; mono Vorbis
            // files come from the system ffmpeg's libvorbis
            new Container("vorbis", "ogg", List.of("-c:a", "vorbis", "-strict", "-2"), true),
            new Container("opus", "opus", List.of("-c:a", "libopus", "-b:a", "64k"), false),
            new Container("aac", "m4a", List.of("-c:a", "aac", "-b:a", "96k"), false));

    /** One test file. */
    record Case(String name, int sourceRate, int channels, Container container, int targetRate) {
        @Override
        public String toString() {
            return name + " -> " + targetRate;
        }
    }

    /** One directory for the whole class: both tests of a case share its source file. */
    @TempDir
    static Path dir;

    private static final Map<String, Path> FILES = new ConcurrentHashMap<>();
    private static final List<String> REPORT = java.util.Collections.synchronizedList(new ArrayList<>());

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (int rate : SOURCE_RATES) {
            for (int ch = 1; ch <= 2; ch++) {
                for (Container c : CONTAINERS) {
                    cases.add(new Case(c.name() + "_" + rate + "_" + (ch == 1 ? "mono" : "stereo"), rate, ch, c, 16000));
                }
            }
        }
        // other target rates (up- and downsampling) on a few sources
        for (String c : List.of("wav_s16", "mp3", "aac")) {
            Container container = CONTAINERS.stream().filter(x -> x.name().equals(c)).findFirst().orElseThrow();
            cases.add(new Case(c + "_44100_stereo", 44100, 2, container, 48000));
            cases.add(new Case(c + "_22050_stereo", 22050, 2, container, 8000));
            cases.add(new Case(c + "_16000_mono", 16000, 1, container, 22050));
        }
        return cases.stream();
    }

    /**
     * The source file for a case, generated on first use (both tests of a case share it). The
     * content is deterministic: aevalsrc's random() has a fixed seed.
     */
    private Path source(Case c) {
        Path p = FILES.get(c.name());
        if (p != null) {
            return p;
        }
        Path out = dir.resolve(c.name() + "." + c.container().extension());
        String mono = "0.6*sin(2*PI*440*t)+0.2*sin(2*PI*3000*t)+0.05*(random(0)-0.5)";
        String stereo = "0.6*sin(2*PI*440*t)+0.05*(random(0)-0.5)|0.3*sin(2*PI*1234*t)+0.25*sin(2*PI*3500*t)";
        String expr = c.channels() == 1 ? mono : stereo;
        List<String> args = c.container().args();
        FfmpegCli encoder = FfmpegCli.bundled();
        if (c.container().stereoOnlyWithBundled() && c.channels() == 1) {
            Optional<FfmpegCli> sys = FfmpegCli.system();
            assumeTrue(sys.isPresent(), "mono Vorbis needs the system ffmpeg (libvorbis)");
            encoder = sys.get();
            args = List.of("-c:a", "libvorbis", "-q:a", "4");
        }
        encoder.generate(expr, c.sourceRate(), 1.3, out, args.toArray(String[]::new));
        FILES.put(c.name(), out);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bitIdenticalToBundledCli(Case c) throws IOException {
        Path file = source(c);
        FfmpegCli cli = FfmpegCli.bundled();

        float[] cliDefault = cli.decodeMono(file, c.targetRate());
        DecodedAudio ours = AudioDecoder.decode(file, DecodeOptions.of(c.targetRate()).withDownmix(Downmix.FFMPEG_CLI));
        assertEquals(cliDefault.length, ours.samples().length, "length vs ffmpeg -ac 1");
        assertTrue(TestAudio.bitIdentical(cliDefault, ours.samples()),
                "samples differ from ffmpeg -ac 1, max |diff| " + TestAudio.maxAbsDiff(cliDefault, ours.samples()));

        float[] cliNormalized = cli.decodeMono(file, c.targetRate(), "-rematrix_maxval", "1.0");
        DecodedAudio normalized = AudioDecoder.decode(file, c.targetRate()); // default: NORMALIZED
        assertEquals(cliNormalized.length, normalized.samples().length, "length vs ffmpeg -rematrix_maxval 1.0");
        assertTrue(TestAudio.bitIdentical(cliNormalized, normalized.samples()),
                "samples differ from ffmpeg -ac 1 -rematrix_maxval 1.0, max |diff| "
                        + TestAudio.maxAbsDiff(cliNormalized, normalized.samples()));
        if (c.channels() == 1) {
            assertTrue(TestAudio.bitIdentical(ours.samples(), normalized.samples()),
                    "for mono sources the downmix mode must not matter");
        } else {
            // for stereo the two modes differ by exactly the matrix scale sqrt(2)
            assertTrue(TestAudio.maxAbsDiff(ours.samples(), normalized.samples()) > 0.01,
                    "NORMALIZED and FFMPEG_CLI must differ for stereo");
        }
        // Opus always decodes at 48 kHz, whatever rate the encoder was fed
        int expectedSourceRate = c.container().name().equals("opus") ? 48000 : c.sourceRate();
        assertEquals(expectedSourceRate, ours.source().sampleRate(), "source rate reported by probe");
        assertEquals(c.channels(), ours.source().channels());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void closeToSystemCli(Case c) throws IOException {
        Optional<FfmpegCli> sys = FfmpegCli.system();
        assumeTrue(sys.isPresent(), "no system ffmpeg installed");
        Path file = source(c);
        float[] cli = sys.get().decodeMono(file, c.targetRate());
        float[] ours = AudioDecoder.decode(file, DecodeOptions.of(c.targetRate()).withDownmix(Downmix.FFMPEG_CLI)).samples();
        assertEquals(cli.length, ours.length, "length vs system ffmpeg");
        double diff = TestAudio.maxAbsDiff(cli, ours);
        double diffNormalized = 0;
        if (c.channels() == 2) {
            float[] cliN = sys.get().decodeMono(file, c.targetRate(), "-rematrix_maxval", "1.0");
            float[] oursN = AudioDecoder.decode(file, c.targetRate()).samples();
            assertEquals(cliN.length, oursN.length, "length vs system ffmpeg -rematrix_maxval 1.0");
            diffNormalized = TestAudio.maxAbsDiff(cliN, oursN);
        }
        REPORT.add(String.format("%-28s n=%6d  max|diff| cli=%.3g normalized=%.3g", c, ours.length, diff, diffNormalized));
        assertTrue(diff <= SYSTEM_TOLERANCE, c + ": max |diff| vs system ffmpeg " + diff);
        assertTrue(diffNormalized <= SYSTEM_TOLERANCE, c + ": max |diff| vs system ffmpeg (normalized) " + diffNormalized);
    }

    @AfterAll
    void report() {
        if (!REPORT.isEmpty()) {
            List<String> sorted = new ArrayList<>(REPORT);
            java.util.Collections.sort(sorted);
            System.out.println("[AudioDecoderCliParityTest] vs " + FfmpegCli.system().map(FfmpegCli::version).orElse("?"));
            sorted.forEach(s -> System.out.println("  " + s));
        }
        assertTrue(Files.isDirectory(dir));
    }
}
