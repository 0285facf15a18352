package io.github.audioldm4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        for (Main m : new Main[] {Generate::run, Reconstruct::run, Refine::run, Bench::run, Compare::run,
            VerifyBundle::run}) {
            Result r = call(m, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().startsWith("Usage: audioldm4j "), r.out());
        }
        for (String sub : new String[] {"generate", "reconstruct", "refine", "study", "corpus", "verify-bundle", "bench", "info"}) {
            Result r = call((a, o, e) -> Audioldm4j.run(o, e, a), sub, "--help");
            assertEquals(0, r.code(), sub);
            assertTrue(r.out().startsWith("Usage: audioldm4j " + sub), r.out());
        }
        Result r = call((a, o, e) -> Audioldm4j.run(o, e, a), "--help");
        assertEquals(0, r.code());
        for (String sub : new String[] {"generate", "reconstruct", "refine", "study", "corpus", "verify-bundle", "bench", "info",
            "generate-completion"}) {
            assertTrue(r.out().contains("  " + sub), sub + " in " + r.out());
        }
        assertTrue(r.out().contains("Exit codes:"), r.out());
        r = call((a, o, e) -> Audioldm4j.run(o, e, a));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("a subcommand is required"), r.err());
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), "--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("audioldm4j "), r.out());
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), "generate-completion");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("complete -F") && r.out().contains("verify-bundle"), "bash completion script");
    }

    @Test
    void badArgumentsExitTwoWithAMessage() {
        Result r = call(Generate::run, "--bundle", bundle);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Missing required option: '--prompt=TEXT'") && r.err().contains("Usage:"), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--steps", "many");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Invalid value for option '--steps': 'many' is not an int"), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--length", "99");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --length must be in"), r.err());
        r = call(Refine::run, "--bundle", "/nonexistent", "--input", "x.wav");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--bundle must be an existing directory"), r.err());
        r = call(Reconstruct::run, "--input", "x.wav", "--mode", "magic");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Invalid value for option '--mode'") && r.err().contains("magic"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", "x.wav", "--frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--frobnicate'"), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--threads", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --threads must be >= 1, got 0"), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--dtype", "fp8");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --dtype: precision must be one of fp32, fp16, bf16"), r.err());
    }

    /** Issue 11: option errors are found before any model loads, exit 2 and name the CLI option. */
    @Test
    void optionErrorsNameTheOptionAndComeBeforeTheModels(@TempDir Path tmp) throws Exception {
        Path in = tone(tmp);
        Result r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--steps", "1000", "--out",
                tmp.resolve("g.wav").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --steps must be in [1, 999] for DDIMScheduler"), r.err());
        assertTrue(r.err().contains("got 1000"), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--out", tmp.resolve("g.xyz").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --out: file extension must be one of .wav"), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--scheduler", "FancyScheduler");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --scheduler must be one of DDIMScheduler"), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--scheduler", "LMSDiscreteScheduler",
                "--steps", "1000");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --steps must be in [1, ") && r.err().contains("for LMSDiscreteScheduler"),
                r.err());
        assertFalse(r.err().contains("IllegalStateException"), r.err());
        r = call(Generate::run, "--bundle", bundle, "--prompt", "a", "--waveforms", "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --waveforms must be in [1, 64], got 0"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "bandsplit", "--cutoff", "7900",
                "--out", tmp.resolve("r.wav").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--cutoff + --transition/2 must be < sampleRate/2"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "inpaint", "--from", "0.7",
                "--to", "0.2");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --to must be > --from (0.7), got 0.2"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--steps", "1000");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --steps must be in [1, 999]"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--out", tmp.resolve("r.aiff").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --out: file extension"), r.err());
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        r = call(Reconstruct::run, "--input", in.toString(), "--mode", "griffinlim", "--out",
                file.resolve("sub/out.wav").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --out: ") && r.err().contains("is a file"), r.err());
        // none of these wrote anything
        assertFalse(Files.exists(tmp.resolve("g.wav")) || Files.exists(tmp.resolve("r.wav")));
    }

    @Test
    void aTwoHourInputIsRefusedFromItsHeader(@TempDir Path tmp) throws Exception {
        Path wav = io.github.audioldm4j.testing.LongWav.longWav(tmp, 7200);
        Result r = call(Reconstruct::run, "--input", wav.toString(), "--mode", "griffinlim", "--out",
                tmp.resolve("o.wav").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --input: audio input") && r.err().contains("7200.00 s according to its wav"),
                r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", wav.toString(), "--chunked", "never", "--out",
                tmp.resolve("o.wav").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is too long: 7200.00 s"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", wav.toString(), "--mode", "inpaint", "--out",
                tmp.resolve("o.wav").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is too long: 7200.00 s"), "inpaint has no chunked form: " + r.err());
        assertFalse(Files.exists(tmp.resolve("o.wav")));
    }

    @Test
    void inputsOverSixtySecondsGoThroughWindows(@TempDir Path tmp) throws Exception {
        Path wav = io.github.audioldm4j.testing.LongWav.longWav(tmp, 70);
        Path vae = tmp.resolve("vae.flac");
        Result r = call(Reconstruct::run, "--input", wav.toString(), "--bundle", bundle, "--out", vae.toString(),
                "--json", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"chunked\" : true") && r.out().contains("\"windows\" : 9"), r.out());
        assertEquals(70 * 16000, AudioDecoder.decode(vae, 16000).samples().length);
        Path sd = tmp.resolve("sd.wav");
        r = call(Refine::run, "--bundle", bundle, "--input", wav.toString(), "--steps", "4", "--window", "5.12",
                "--overlap", "1.28", "--out", sd.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("in 18 windows of 5.12 s, 1.28 s overlap"), r.out());
        assertTrue(r.err().contains("window 18, 70.0 s of 70.0 s"), r.err());
        assertEquals(70 * 16000, AudioDecoder.decode(sd, 16000).samples().length);
        // a short input chunked on request: one window, the whole-clip result
        Path tone = tone(tmp);
        Path a = tmp.resolve("a.wav");
        Path b = tmp.resolve("b.wav");
        assertEquals(0, call(Reconstruct::run, "--input", tone.toString(), "--bundle", bundle, "--out", a.toString())
                .code());
        assertEquals(0, call(Reconstruct::run, "--input", tone.toString(), "--bundle", bundle, "--chunked", "always",
                "--out", b.toString()).code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        // option errors, before any model work
        r = call(Refine::run, "--bundle", bundle, "--input", wav.toString(), "--overlap", "6", "--out", sd.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --overlap: overlapSeconds must be in [0.040, 5.120] s"), r.err());
        r = call(Reconstruct::run, "--input", wav.toString(), "--bundle", bundle, "--window", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --window: windowSeconds"), r.err());
        r = call(Reconstruct::run, "--input", tone.toString(), "--mode", "griffinlim", "--chunked", "always");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--mode griffinlim has no chunked form"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", tone.toString(), "--mode", "ddim-inversion", "--chunked",
                "always");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--mode ddim-inversion has no chunked form"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", tone.toString(), "--chunked", "sometimes");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--chunked"), r.err());
        r = call(Compare::run, "--input", wav.toString(), "--long", "--out", tmp.resolve("s").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --long needs --bundle"), r.err());
        r = call(Compare::run, "--input", wav.toString(), "--long", "--bundle", bundle, "--segment", "0.5");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --segment must be in [1, 600] seconds, got 0.5"), r.err());
        r = call(Compare::run, "--input", wav.toString(), "--long", "--bundle", bundle, "--steps", "4", "--quiet",
                "--out", tmp.resolve("s").toString());
        assertEquals(2, r.code(), "cascade strength 0.2 x 4 steps runs no step, found before any model work");
        assertTrue(r.err().contains("stage cascade: strength * numInferenceSteps must be >= 1"), r.err());
        assertFalse(Files.exists(tmp.resolve("s/long-study.json")));
        r = call(Compare::run, "--input", wav.toString(), "--long", "--bundle", bundle, "--steps", "5", "--quiet",
                "--out", tmp.resolve("s").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("cascade") && Files.exists(tmp.resolve("s/long-study.json")), r.out());
    }

    @Test
    void jsonOutputAndInfo(@TempDir Path tmp) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        Path out = tmp.resolve("g.wav");
        Result r = call(Generate::run, "--bundle", bundle, "--prompt", "A dog barking", "--length", "0.32", "--steps",
                "2", "--out", out.toString(), "--json", "--quiet");
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode j = mapper.readTree(r.out());
        assertEquals("generate", j.get("command").asText());
        assertEquals(out.toAbsolutePath().toString(), j.get("files").get(0).get("path").asText());
        assertEquals(2, j.get("steps").asInt());
        assertEquals("", r.err().trim(), "--quiet prints no progress");
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), "info", "--bundle", bundle, "--json");
        assertEquals(0, r.code(), r.err());
        j = mapper.readTree(r.out());
        assertEquals("audioldm4j/tiny-random", j.get("bundle").get("model_id").asText());
        assertEquals(999, j.get("bundle").get("max_inference_steps").asInt());
        assertEquals(200, j.get("bundle").get("defaults").get("num_inference_steps").asInt());
        assertTrue(j.get("runtimes_on_class_path").toString().contains("presets"), r.out());
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), "info", "--no-runtime");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("cores: "), r.out());
    }

    @Test
    void corpusRunsAndReruns(@TempDir Path tmp) throws Exception {
        Path dir = tones(tmp.resolve("clips"), "c", 300, 100);
        Path out = tmp.resolve("report");
        Result r = call((a, o, e) -> Audioldm4j.run(o, e, a), "corpus", "--input", dir.toString(), "--out",
                out.toString(), "--bundle", bundle, "--stages", "resample-16k,vae", "--steps", "4", "--json", "--quiet");
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(3, j.get("clips").asInt());
        assertEquals(6, j.get("computed_rows").asInt());
        assertTrue(j.get("models_loaded").asBoolean());
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), "corpus", "--input", dir.toString(), "--out", out.toString(),
                "--bundle", bundle, "--stages", "resample-16k,vae", "--steps", "4", "--json", "--quiet");
        j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(0, j.get("computed_rows").asInt());
        assertEquals(false, j.get("models_loaded").asBoolean(), "a rerun loads no model");
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), "corpus", "--input", dir.toString(), "--stages", "vae,magic");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --stages must be names of"), r.err());
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), "corpus", "--input", dir.toString(), "--long-clips", "all");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --long-clips must be first or segments, got all"), r.err());
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), "corpus", "--input", tmp.resolve("none").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --input: input must be a folder or a manifest file"), r.err());
    }

    @Test
    void corpusOnSparkEqualsTheLocalRunAndRefusesBadSparkOptions(@TempDir Path tmp) throws Exception {
        Path dir = tones(tmp.resolve("clips"), "s", 250, 150);
        String[] common = {"--input", dir.toString(), "--bundle", bundle, "--stages", "resample-16k,vae", "--steps", "4",
            "--json", "--quiet"};
        Path local = tmp.resolve("local");
        Path spark = tmp.resolve("spark");
        Result r = call((a, o, e) -> Audioldm4j.run(o, e, a), concat(new String[] {"corpus", "--out", local.toString()},
                common));
        assertEquals(0, r.code(), r.err());
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), concat(new String[] {"corpus", "--out", spark.toString(),
            "--spark", "local[1]", "--clips-per-wave", "2", "--spark-conf", "spark.sql.shuffle.partitions=2"}, common));
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(3, j.get("clips").asInt());
        assertEquals(6, j.get("computed_rows").asInt());
        assertEquals(1, j.get("model_loads").asInt(), r.out());
        assertEquals(2, j.get("waves").asInt(), r.out());
        assertTrue(java.nio.file.Files.isDirectory(Path.of(j.get("rows").asText())), r.out());
        assertEquals(java.nio.file.Files.readString(local.resolve("summary.json")),
                java.nio.file.Files.readString(spark.resolve("summary.json")), "Spark summary equals the local one");
        // a long file cut into segments: the same segments and per-file aggregates on Spark as locally
        Path longDir = java.nio.file.Files.createDirectories(tmp.resolve("long"));
        float[] x = new float[40000];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) (0.3 * Math.sin(2 * Math.PI * (200 + 0.01 * k) * k / 16000.0));
        }
        AudioEncoder.encode(x, 16000, longDir.resolve("long.wav"));
        String[] seg = {"--input", longDir.toString(), "--bundle", bundle, "--stages", "resample-16k,vae", "--steps",
            "4", "--long-clips", "segments", "--max-seconds", "1", "--json", "--quiet"};
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), concat(new String[] {"corpus", "--out",
            tmp.resolve("seg-local").toString()}, seg));
        assertEquals(0, r.code(), r.err());
        assertEquals(3, new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("clips").asInt(),
                "2.5 s in segments of 1 s: " + r.out());
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), concat(new String[] {"corpus", "--out",
            tmp.resolve("seg-spark").toString(), "--spark", "local[1]"}, seg));
        assertEquals(0, r.code(), r.err());
        String segSummary = java.nio.file.Files.readString(tmp.resolve("seg-local/summary.json"));
        assertTrue(segSummary.contains("\"files\"") && segSummary.contains("\"long.wav\""), segSummary);
        assertEquals(segSummary, java.nio.file.Files.readString(tmp.resolve("seg-spark/summary.json")),
                "Spark summary of the segments equals the local one");

        String[][] bad = {
            {"--spark", "  "}, {"option --spark must name a master"},
            {"--spark", "local[1]", "--clips-per-wave", "0"}, {"option --clips-per-wave must be >= 1, got 0"},
            {"--executor-bundle", "bundle"}, {"options --executor-bundle and --spark-conf need --spark MASTER"},
            {"--spark-conf", "spark.ui.enabled=false"}, {"options --executor-bundle and --spark-conf need --spark"},
            {"--spark", "local[1]", "--executor-bundle", " "}, {"option --executor-bundle must not be blank"},
            {"--spark", "local[1]", "--spark-conf", "ui.enabled=false"},
            {"option --spark-conf keys must start with \"spark.\", got \"ui.enabled\""},
        };
        for (int i = 0; i < bad.length; i += 2) {
            Path out = tmp.resolve("bad" + i);
            r = call((a, o, e) -> Audioldm4j.run(o, e, a), concat(new String[] {"corpus", "--input", dir.toString(),
                "--out", out.toString(), "--stages", "resample-16k"}, bad[i]));
            assertEquals(2, r.code(), String.join(" ", bad[i]) + ": " + r.err());
            assertTrue(r.err().contains(bad[i + 1][0]), r.err());
            assertFalse(java.nio.file.Files.exists(out), "a refused run writes nothing: " + out);
        }
        r = call((a, o, e) -> Audioldm4j.run(o, e, a), "corpus", "--input", dir.toString(), "--out",
                tmp.resolve("bad-eb").toString(), "--spark", "local[1]", "--executor-bundle", "bundle");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --executor-bundle needs --bundle"), r.err());
    }

    @Test
    void reconstructAndRefineWriteTheirExactIntermediates(@TempDir Path tmp) throws Exception {
        Path in = tone(tmp);
        Path v = tmp.resolve("vae");
        Result r = call(Reconstruct::run, "--bundle", bundle, "--input", in.toString(), "--mode", "vae",
                "--out", v.resolve("v.wav").toString(), "--npy-out", v.toString(), "--json", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"npy_files\"") && r.out().contains("posterior_mean.npy"), r.out());
        Path voc = tmp.resolve("voc");
        r = call(Reconstruct::run, "--bundle", bundle, "--input", in.toString(), "--mode", "vocoder",
                "--out", voc.resolve("v.wav").toString(), "--npy-out", voc.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        Path sd = tmp.resolve("sd");
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "sdedit", "--prompt", "a tone",
                "--steps", "4", "--strength", "0.5", "--seed", "3", "--scheduler", "DPMSolverMultistepScheduler",
                "--out", sd.resolve("s.wav").toString(), "--npy-out", sd.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        float[] input = npy(v, "input").floats();
        com.fasterxml.jackson.databind.JsonNode meta = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(v.resolve("npy.json").toFile());
        assertEquals(input.length, meta.get("samples").asInt());
        try (io.github.audioldm4j.runtime.ModelRuntime rt = io.github.audioldm4j.runtime.ModelRuntimes.createDefault();
                io.github.audioldm4j.pipeline.AudioLdm2Pipeline p = io.github.audioldm4j.pipeline.AudioLdm2Pipeline.open(
                        io.github.audioldm4j.bundle.ModelBundle.open(Paths.get(bundle)), rt,
                        io.github.audioldm4j.runtime.ModuleOptions.CPU_FP32)) {
            io.github.audioldm4j.pipeline.AudioLdm2Pipeline.EncodedAudio enc = p.encode(input, true);
            io.github.audioldm4j.runtime.HostTensor mel = npy(v, "mel");
            assertArrayEquals(new long[] {1, 1, enc.mel().numFrames(), enc.mel().numBins()}, mel.shape());
            assertArrayEquals(enc.mel().toArray(), mel.floats());
            assertArrayEquals(enc.posterior().shape(), npy(v, "posterior_mean").shape());
            assertArrayEquals(enc.posterior().mode(), npy(v, "posterior_mean").floats());
            assertArrayEquals(enc.posterior().mode(), npy(v, "latent").floats(), "mode sampling decodes the mean");
            assertEquals(enc.gain(), (float) meta.get("gain").asDouble());
            // the written waveform is the plain call's, bit for bit, and the decoded mel is what it vocoded
            float[] plain = p.vaeRoundTrip(input, io.github.audioldm4j.pipeline.LatentSampling.MODE, true, 0);
            assertArrayEquals(plain, npy(v, "waveform").floats());
            float[] fromDecoded = io.github.audioldm4j.pipeline.AudioPreparation.undoGain(p.vocode(
                    new io.github.audioldm4j.dsp.Spectrogram(enc.mel().numFrames(), 64, npy(v, "decoded_mel").floats())),
                    enc.gain(), input.length);
            assertArrayEquals(plain, fromDecoded);
            assertArrayEquals(npy(v, "mel").floats(), npy(voc, "mel").floats());
            assertArrayEquals(p.vocoderRoundTrip(input, true), npy(voc, "waveform").floats());
            // SDEdit: the waveform is refine's with the chosen scheduler; it is the decode of the final latents
            io.github.audioldm4j.pipeline.AudioToAudioRequest req = io.github.audioldm4j.pipeline.AudioToAudioRequest
                    .builder().prompt("a tone").numInferenceSteps(4).strength(0.5).seed(3)
                    .scheduler(io.github.audioldm4j.bundle.ModelBundle.open(Paths.get(bundle)).manifest().scheduler()
                            .with("_class_name", "DPMSolverMultistepScheduler")).build();
            float[] refined = p.refine(input, req);
            assertArrayEquals(refined, npy(sd, "waveform").floats());
            float[] ddim = p.refine(input, io.github.audioldm4j.pipeline.AudioToAudioRequest.builder().prompt("a tone")
                    .numInferenceSteps(4).strength(0.5).seed(3).build());
            assertFalse(java.util.Arrays.equals(ddim, refined), "--scheduler took effect");
            io.github.audioldm4j.runtime.HostTensor fin = npy(sd, "final_latents");
            float[] decoded = io.github.audioldm4j.pipeline.AudioPreparation.undoGain(
                    p.decode(fin.floats(), fin.shape(), input.length).get(0), enc.gain(), input.length);
            assertArrayEquals(refined, decoded);
            com.fasterxml.jackson.databind.JsonNode sm = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(sd.resolve("npy.json").toFile());
            assertEquals(2, sm.get("timesteps").size(), sm.toString());
            assertEquals("DPMSolverMultistepScheduler", sm.get("scheduler").asText());
        }
        // bad inputs, refused before a model loads
        Path file = Files.writeString(tmp.resolve("f.txt"), "x");
        String[][] bad = {
            {"reconstruct", "--mode", "griffinlim", "--npy-out", tmp.resolve("g").toString()},
            {"option --npy-out: --mode griffinlim has no model intermediates"},
            {"reconstruct", "--npy-out", file.toString()}, {"option --npy-out must be a directory, got the file"},
            {"reconstruct", "--chunked", "always", "--npy-out", tmp.resolve("c").toString()},
            {"option --npy-out: the chunked form writes no intermediates"},
            {"refine", "--mode", "guided", "--npy-out", tmp.resolve("g2").toString()},
            {"option --npy-out is for --mode sdedit, got --mode guided"},
            {"refine", "--chunked", "always", "--npy-out", tmp.resolve("c2").toString()},
            {"option --npy-out: the chunked form writes no intermediates"},
            {"refine", "--scheduler", "FooScheduler"}, {"option --scheduler must be one of DDIMScheduler"},
            {"refine", "--mode", "ddim-inversion", "--scheduler", "DDIMScheduler"},
            {"option --scheduler: --mode ddim-inversion runs its own DDIM/DDPM schedule"},
        };
        for (int i = 0; i < bad.length; i += 2) {
            r = call((a, o, e) -> Audioldm4j.run(o, e, a), concat(bad[i], new String[] {"--bundle", bundle, "--input",
                in.toString(), "--out", tmp.resolve("bad.wav").toString()}));
            assertEquals(2, r.code(), String.join(" ", bad[i]) + ": " + r.err());
            assertTrue(r.err().contains(bad[i + 1][0]), r.err());
        }
    }

    private static io.github.audioldm4j.runtime.HostTensor npy(Path dir, String name) throws Exception {
        return io.github.audioldm4j.bundle.Npy.read(dir.resolve(name + ".npy"));
    }

    @Test
    void generateTakesInitialLatentsAndWritesExactNpyResults(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a");
        Result r = call(Generate::run, "--bundle", bundle, "--prompt", "A dog barking", "--length", "0.5",
                "--steps", "3", "--seed", "5", "--out", a.resolve("a.wav").toString(), "--npy-out", a.toString(),
                "--json", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("final_latents.npy") && r.out().contains("waveform_0.npy"), r.out());
        io.github.audioldm4j.runtime.HostTensor lat = io.github.audioldm4j.bundle.Npy.read(a.resolve("final_latents.npy"));
        float[] wave = io.github.audioldm4j.bundle.Npy.read(a.resolve("waveform_0.npy")).floats();
        assertEquals(4, lat.shape().length);
        float[] decoded = AudioDecoder.decode(a.resolve("a.wav"), 16000).samples();
        assertEquals(decoded.length, wave.length, "the npy waveform is the written one, unquantised");
        // the seed's own initial latents given explicitly (with another seed) reproduce the run exactly
        Path init = tmp.resolve("init.npy");
        io.github.audioldm4j.bundle.Npy.write(init, io.github.audioldm4j.runtime.HostTensor.ofFloats(
                io.github.audioldm4j.random.TorchGenerator.matchingTorch(5).randn(lat.shape()), lat.shape()));
        Path b = tmp.resolve("b");
        r = call(Generate::run, "--bundle", bundle, "--prompt", "A dog barking", "--length", "0.5", "--steps", "3",
                "--seed", "99", "--initial-latents", init.toString(), "--out", b.resolve("b.wav").toString(),
                "--npy-out", b.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(java.util.Arrays.equals(lat.floats(),
                io.github.audioldm4j.bundle.Npy.read(b.resolve("final_latents.npy")).floats()), "same final latents");
        assertTrue(java.util.Arrays.equals(wave, io.github.audioldm4j.bundle.Npy.read(b.resolve("waveform_0.npy"))
                .floats()), "same waveform");

        // bad inputs, refused before a model loads
        Path rank1 = tmp.resolve("rank1.npy");
        io.github.audioldm4j.bundle.Npy.write(rank1, io.github.audioldm4j.runtime.HostTensor.ofFloats(new float[4], 4));
        Path notNpy = Files.writeString(tmp.resolve("x.npy"), "not an npy file");
        String[][] bad = {
            {"--initial-latents", tmp.resolve("missing.npy").toString()},
            {"option --initial-latents must be a .npy file, got"},
            {"--initial-latents", rank1.toString()}, {"option --initial-latents must hold float32 latents of rank 4"},
            {"--initial-latents", notNpy.toString()}, {"option --initial-latents: "},
            {"--npy-out", notNpy.toString()}, {"option --npy-out must be a directory, got the file"},
        };
        for (int i = 0; i < bad.length; i += 2) {
            r = call(Generate::run, concat(new String[] {"--bundle", bundle, "--prompt", "x", "--length", "0.5",
                "--steps", "2", "--out", tmp.resolve("bad.wav").toString()}, bad[i]));
            assertEquals(2, r.code(), String.join(" ", bad[i]) + ": " + r.err());
            assertTrue(r.err().contains(bad[i + 1][0]), r.err());
        }
        // the wrong element count is refused by the pipeline with the expected shape in the message
        Path wrong = tmp.resolve("wrong.npy");
        io.github.audioldm4j.bundle.Npy.write(wrong, io.github.audioldm4j.runtime.HostTensor.ofFloats(new float[8 * 2 * 16],
                1, 8, 2, 16));
        r = call(Generate::run, "--bundle", bundle, "--prompt", "x", "--length", "0.5", "--steps", "2",
                "--initial-latents", wrong.toString(), "--out", tmp.resolve("w.wav").toString());
        assertTrue(r.code() != 0, r.err());
        assertTrue(r.err().contains("initialLatents must have"), r.err());
    }

    /** Three 1 s tones at 16 kHz, {@code prefix0.wav} .. {@code prefix2.wav}, at base + i * step Hz. */
    private static Path tones(Path dir, String prefix, double baseHz, double stepHz) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        for (int i = 0; i < 3; i++) {
            float[] x = new float[16000];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) (0.3 * Math.sin(2 * Math.PI * (baseHz + stepHz * i) * k / 16000.0));
            }
            AudioEncoder.encode(x, 16000, dir.resolve(prefix + i + ".wav"));
        }
        return dir;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
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
        for (String mode : new String[] {"sdedit", "guided", "bandsplit", "cascade", "inpaint", "ddim-inversion",
            "ddpm-inversion"}) {
            Path out = tmp.resolve(mode + ".flac");
            Result r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", mode, "--steps", "4",
                    "--out", out.toString());
            assertEquals(0, r.code(), mode + ": " + r.err());
            assertTrue(Files.size(out) > 100, mode);
        }
        Path edited = tmp.resolve("edit.wav");
        Result r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "edit", "--steps", "4",
                "--prompt", "a tone", "--target-prompt", "a dog", "--t-start", "0.5", "--out", edited.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(16000, AudioDecoder.decode(edited, 16000).samples().length);
        Path regions = tmp.resolve("regions.wav");
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "inpaint", "--steps", "4",
                "--regions", "0.1-0.3,0.6-0.8:32-64", "--out", regions.toString());
        assertEquals(0, r.code(), r.err());
        Path longer = tmp.resolve("continued.wav");
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "continue", "--steps", "4",
                "--extend", "0.5", "--out", longer.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(24000, AudioDecoder.decode(longer, 16000).samples().length);
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "inpaint", "--regions", "0.5-0.2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --regions: region \"0.5-0.2\": endFraction must be > startFraction"),
                r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "inpaint", "--regions", "a-b");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("each region must be START-END[:MELLOW-MELHIGH]"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "continue", "--extend", "-1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --extend must be finite and > 0, got -1.0"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "edit");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --target-prompt is required with --mode edit"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "edit", "--target-prompt", "x",
                "--t-start", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("option --t-start must be in (0, 1], got 0.0"), r.err());
        r = call(Refine::run, "--bundle", bundle, "--input", in.toString(), "--mode", "invert");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expected one of sdedit") && r.err().contains("'invert'"), r.err());
        r = call(Reconstruct::run, "--input", tmp.resolve("missing.wav").toString(), "--mode", "griffinlim");
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
        assertEquals(10, json.get("stages").size());
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
        for (String stage : new String[] {"mel-vocoder", "vae", "sdedit", "guided", "band-split", "cascade",
            "ddim-inversion", "ddpm-inversion"}) {
            assertTrue(r.out().contains(stage), stage);
        }
        r = call(Compare::run, "--strength", "2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("strength"), r.err());
    }
}
