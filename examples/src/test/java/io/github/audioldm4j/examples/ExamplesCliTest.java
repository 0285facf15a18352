package io.github.audioldm4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.io.AudioDecoder;
import io.github.audioldm4j.io.AudioEncoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example mains: --help, argument errors (exit 2) and real runs on the tiny bundle. */
class ExamplesCliTest {
    static String bundle;

    @BeforeAll
    static void locate() {
        bundle = Paths.get(System.getProperty("audioldm4j.tinyBundle", "../torchscript-models/tiny-bundle"))
                .toAbsolutePath().normalize().toString();
    }

    interface Main {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    record Result(int code, String out, String err) {}

    static Result call(Main main, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    private static Path tone(Path dir) throws Exception {
        float[] x = new float[16000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        }
        Path p = dir.resolve("tone.wav");
        AudioEncoder.encode(x, 16000, p);
        return p;
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        for (Main m : new Main[] {Generate::run, Reconstruct::run, Refine::run, Bench::run, Compare::run}) {
            Result r = call(m, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().startsWith("Usage: "), r.out());
        }
    }

    @Test
    void badArgumentsExitTwoWithAMessage() {
        Result r = call(Generate::run, "--bundle", bundle);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --prompt is required") && r.err().contains("Usage:"), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--steps", "many");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--steps must be an integer, got \"many\""), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--length", "99");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("audioLengthS must be in"), r.err());
        r = call(Refine::run, "--bundle", "/nonexistent", "--input", "x.wav");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--bundle must be an existing directory"), r.err());
        r = call(Reconstruct::run, "--input", "x.wav", "--mode", "magic");
        assertEquals(2, r.code());
        r = call(Refine::run, "--frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown option --frobnicate"), r.err());
    }

    @Test
    void generateWritesTheFilesItPrints(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("gen.wav");
        Result r = call(Generate::run, "--bundle", bundle, "--prompt", "A dog barking|music", "--length", "0.5",
                "--steps", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String name : new String[] {"gen_0.wav", "gen_1.wav"}) {
            Path p = tmp.resolve(name);
            assertTrue(r.out().contains(p.toAbsolutePath().toString()), r.out());
            assertEquals(8000, AudioDecoder.decode(p, 16000).samples().length);
        }
    }

    @Test
    void reconstructAndRefineRunOnAFile(@TempDir Path tmp) throws Exception {
        Path in = tone(tmp);
        for (String mode : new String[] {"vae", "vocoder", "griffinlim"}) {
            Path out = tmp.resolve(mode + ".wav");
            Result r = call(Reconstruct::run, "--input", in.toString(), "--bundle", bundle, "--mode", mode, "--out",
                    out.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(16000, AudioDecoder.decode(out, 16000).samples().length, mode);
        }
        for (String mode : new String[] {"sdedit", "guided", "bandsplit", "cascade", "inpaint"}) {
            Path out = tmp.resolve(mode + ".flac");
            Result r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", mode, "--steps", "4",
                    "--out", out.toString());
            assertEquals(0, r.code(), mode + ": " + r.err());
            assertTrue(Files.size(out) > 100, mode);
        }
        Result r = call(Reconstruct::run, "--input", tmp.resolve("missing.wav").toString(), "--mode", "griffinlim");
        assertEquals(2, r.code());
        Path corrupt = Files.writeString(tmp.resolve("corrupt.wav"), "RIFF....WAVEjunk");
        r = call(Reconstruct::run, "--input", corrupt.toString(), "--mode", "griffinlim");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("corrupt.wav"), r.err());
    }

    @Test
    void compareWithoutArgumentsWritesAReport(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Result r = call(Compare::run, "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(dir.resolve("report.html")));
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("report.json").toFile());
        assertEquals(1, json.get("schema_version").asInt());
        assertEquals(8, json.get("stages").size());
        assertTrue(r.out().contains("resample-16k") && r.out().contains("skipped: no model bundle given"), r.out());
        assertTrue(r.out().contains(dir.resolve("report.html").toAbsolutePath().toString()), r.out());
    }

    @Test
    void compareWithTheTinyBundleRunsEveryStage(@TempDir Path tmp) throws Exception {
        Path in = tone(tmp);
        Path dir = tmp.resolve("report");
        Result r = call(Compare::run, "--input", in.toString(), "--bundle", bundle, "--steps", "6", "--out",
                dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.out().contains("skipped"), r.out());
        for (String stage : new String[] {"mel-vocoder", "vae", "sdedit", "guided", "band-split", "cascade"}) {
            assertTrue(r.out().contains(stage), stage);
        }
        r = call(Compare::run, "--strength", "2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("strength"), r.err());
    }
}
