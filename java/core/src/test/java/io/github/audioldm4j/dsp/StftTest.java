package io.github.audioldm4j.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.testing.Golden;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Stft / inverse STFT against torch.stft / torch.istft (fixture made by make_torch_stft_fixture.py). */
class StftTest {
    private static final JsonNode FIXTURE = load();

    private static JsonNode load() {
        try (InputStream in = StftTest.class.getResourceAsStream("/dsp/torch_stft_fixture.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Stft stftFor(JsonNode c, int parallelism) {
        WindowFunction wf = "hann".equals(c.get("window").asText()) ? WindowFunction.HANN : WindowFunction.HAMMING;
        return Stft.builder(c.get("n_fft").asInt()).hopLength(c.get("hop").asInt()).winLength(c.get("win").asInt())
                .window(wf, true).center(c.get("center").asBoolean())
                .padMode("reflect".equals(c.get("pad").asText()) ? PadMode.REFLECT : PadMode.CONSTANT)
                .parallelism(parallelism).build();
    }

    private static float[] signal() {
        return Golden.floats(FIXTURE.get("signal"));
    }

    @Test
    void forwardMatchesTorchStft() {
        float[] x = signal();
        for (JsonNode c : FIXTURE.get("cases")) {
            for (int parallelism : new int[] {1, 3}) {
                Stft stft = stftFor(c, parallelism);
                ComplexSpectrogram s = stft.complex(x);
                assertEquals(c.get("frames").asInt(), s.numFrames(), c.get("name").asText());
                assertEquals(c.get("bins").asInt(), s.numBins());
                assertEquals(s.numFrames(), stft.numFrames(x.length));
                double[] re = Golden.doubles(c.get("stft_real"));
                double[] im = Golden.doubles(c.get("stft_imag"));
                double max = 0;
                float[] r = s.realParts();
                float[] i = s.imagParts();
                for (int k = 0; k < re.length; k++) {
                    max = Math.max(max, Math.max(Math.abs(r[k] - re[k]), Math.abs(i[k] - im[k])));
                }
                // the signal is float32-rounded here; values are O(10), so float32 output rounding dominates
                assertTrue(max <= 2e-5, c.get("name").asText() + " stft max abs diff " + max);
                Spectrogram mag = stft.magnitude(x);
                Spectrogram pow = stft.power(x);
                for (int k = 0; k < re.length; k += 7) {
                    double m = Math.hypot(re[k], im[k]);
                    assertEquals(m, mag.data()[k], 2e-5 + 1e-6 * m);
                    assertEquals(m * m, pow.data()[k], 1e-4 + 1e-5 * m * m);
                }
            }
        }
    }

    @Test
    void inverseMatchesTorchIstft() {
        for (JsonNode c : FIXTURE.get("cases")) {
            String name = c.get("name").asText();
            Stft stft = stftFor(c, 2);
            int frames = c.get("frames").asInt();
            int bins = c.get("bins").asInt();
            ComplexSpectrogram spec = new ComplexSpectrogram(frames, bins, Golden.floats(c.get("stft_real")),
                    Golden.floats(c.get("stft_imag")));
            assertClose(name + " default", Golden.doubles(c.get("istft_default")), stft.inverse(spec), 1e-5);
            assertClose(name + " short", Golden.doubles(c.get("istft_short")),
                    stft.inverse(spec, c.get("istft_short_length").asInt()), 1e-5);
            ComplexSpectrogram noise = new ComplexSpectrogram(frames, bins, Golden.floats(c.get("noise_real")),
                    Golden.floats(c.get("noise_imag")));
            assertClose(name + " noise", Golden.doubles(c.get("istft_noise")),
                    stft.inverse(noise, c.get("istft_noise_length").asInt()), 1e-5);
        }
    }

    private static void assertClose(String what, double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + " length");
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(max <= tol, what + " max abs diff " + max);
    }

    @Test
    void roundTripReconstructsSignalForAudioLdm2Settings() {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] x = new float[16000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 * Math.sin(i * 0.05) + 0.1 * (rnd.nextDouble() - 0.5));
        }
        Stft stft = new AudioLdm2MelExtractor().stft();
        float[] y = stft.inverse(stft.complex(x), x.length);
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        assertTrue(max < 1e-6, "round trip max abs diff " + max);
        assertEquals(16000, stft.inverse(stft.complex(x)).length); // hop * (frames - 1) = 160 * 100
    }

    @Test
    void parallelAndSerialGiveIdenticalResults() {
        float[] x = new float[48000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.01 + 0.3 * Math.sin(i * 0.0007));
        }
        Stft serial = Stft.builder(512).hopLength(128).parallelism(1).build();
        Stft parallel = Stft.builder(512).hopLength(128).parallelism(4).build();
        ComplexSpectrogram a = serial.complex(x);
        ComplexSpectrogram b = parallel.complex(x);
        assertArrayEquals(a.realParts(), b.realParts());
        assertArrayEquals(a.imagParts(), b.imagParts());
        assertArrayEquals(serial.inverse(a, x.length), parallel.inverse(a, x.length), 1e-6f);
    }

    @Test
    void windowFunctionsFollowNumpy() {
        double[] periodic = WindowFunction.HANN.create(8, true);
        double[] symmetric = WindowFunction.HANN.create(9, false);
        assertEquals(8, periodic.length);
        for (int i = 0; i < 8; i++) {
            assertEquals(symmetric[i], periodic[i], 0.0);
            assertEquals(0.5 - 0.5 * Math.cos(2 * Math.PI * i / 8), periodic[i], 1e-15);
        }
        assertEquals(0.0, symmetric[0], 1e-16);
        assertEquals(1.0, symmetric[4], 1e-16);
        double[] hamming = WindowFunction.HAMMING.create(5, false);
        assertEquals(0.08, hamming[0], 1e-15);
        assertEquals(1.0, hamming[2], 1e-15);
        assertArrayEquals(new double[] {1, 1, 1}, WindowFunction.RECTANGULAR.create(3, true));
        assertArrayEquals(new double[] {1.0}, WindowFunction.HANN.create(1, false));
        assertArrayEquals(new double[] {0, 0, 1, 2, 0, 0}, WindowFunction.padCenter(new double[] {1, 2}, 6));
    }

    @Test
    void customWindowAndShortWindowArePadded() {
        Stft s = Stft.builder(16).hopLength(4).window(new double[] {1, 1, 1, 1}).build();
        assertEquals(4, s.winLength());
        double[] w = s.window();
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, w);
    }

    @Test
    void nolaViolationIsReportedLikeTorch() {
        // periodic Hann without centring: the envelope is 0 at sample 0 (torch: "window overlap add min")
        Stft s = Stft.builder(128).hopLength(32).center(false).build();
        float[] x = new float[600];
        x[100] = 1f;
        ComplexSpectrogram spec = s.complex(x);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.inverse(spec));
        assertTrue(e.getMessage().contains("NOLA") && e.getMessage().contains("at sample 0"), e.getMessage());
    }

    @Test
    void constantPaddingAcceptsShortSignals() {
        Stft s = Stft.builder(64).hopLength(16).padMode(PadMode.CONSTANT).build();
        float[] x = {0.5f, -0.25f, 1f};
        assertEquals(1, s.numFrames(3));
        Spectrogram m = s.magnitude(x);
        assertEquals(1, m.numFrames());
        assertEquals(33, m.numBins());
    }

    @Test
    void invalidArgumentsAreRejectedWithMessages() {
        assertMessage("nFft must be a power of two in [2, 1048576], got 1000", () -> Stft.builder(1000));
        assertMessage("nFft must be a power of two in [2, 1048576], got 0", () -> Stft.builder(0));
        assertMessage("hopLength must be > 0, got 0", () -> Stft.builder(64).hopLength(0));
        assertMessage("hopLength must be > 0, got -3", () -> Stft.builder(64).hopLength(-3));
        assertMessage("winLength must be in [1, 64], got 65", () -> Stft.builder(64).winLength(65));
        assertMessage("parallelism must be > 0, got 0", () -> Stft.builder(64).parallelism(0));
        assertMessage("window.length must be in [1, 64], got 0", () -> Stft.builder(64).window(new double[0]));
        assertMessage("window must contain only finite values, got NaN at index 1",
                () -> Stft.builder(64).window(new double[] {1, Double.NaN}));
        assertThrows(NullPointerException.class, () -> Stft.builder(64).padMode(null));

        Stft s = Stft.builder(64).hopLength(16).build();
        assertMessage("signal.length must be > nFft/2 = 32 for reflect padding, got 32", () -> s.complex(new float[32]));
        assertMessage("signal.length must be > nFft/2 = 32 for reflect padding, got 0", () -> s.magnitude(new float[0]));
        float[] nan = new float[100];
        nan[42] = Float.NaN;
        assertMessage("signal must contain only finite values, got NaN at index 42", () -> s.power(nan));
        float[] inf = new float[100];
        inf[3] = Float.NEGATIVE_INFINITY;
        assertMessage("signal must contain only finite values, got -Infinity at index 3", () -> s.complex(inf));
        assertThrows(NullPointerException.class, () -> s.complex(null));
        Stft noCenter = Stft.builder(64).center(false).build();
        assertMessage("signal.length must be >= nFft = 64 without centring, got 63",
                () -> noCenter.complex(new float[63]));
        assertMessage("numSamples must be > nFft/2 = 32 for reflect padding, got 10", () -> s.numFrames(10));

        ComplexSpectrogram wrongBins = new ComplexSpectrogram(2, 10, new float[20], new float[20]);
        assertMessage("spectrogram.numBins must be nFft/2 + 1 = 33, got 10", () -> s.inverse(wrongBins));
        ComplexSpectrogram ok = s.complex(new float[200]);
        assertMessage("length must be > 0, got 0", () -> s.inverse(ok, 0));
        assertMessage("real must have length 6, got 5", () -> new ComplexSpectrogram(2, 3, new float[5], new float[6]));
        float[] badImag = new float[6];
        badImag[5] = Float.POSITIVE_INFINITY;
        assertMessage("imag must contain only finite values, got Infinity at index 5",
                () -> new ComplexSpectrogram(2, 3, new float[6], badImag));
        assertMessage("numFrames must be > 0, got 0", () -> new Spectrogram(0, 3, new float[0]));
        assertMessage("data must have length 6, got 4", () -> new Spectrogram(2, 3, new float[4]));
        assertMessage("frame must be in [0, 1], got 2", () -> new Spectrogram(2, 3, new float[6]).get(2, 0));
        assertMessage("timeMajor[1] must have length 2 (like timeMajor[0]), got 3",
                () -> Spectrogram.fromTimeMajor(new float[][] {{1, 2}, {1, 2, 3}}));
        assertMessage("length must be > 0, got 0", () -> WindowFunction.HANN.create(0, true));
        assertMessage("window length must be <= size 2, got 3", () -> WindowFunction.padCenter(new double[3], 2));
    }

    @Test
    void complexSpectrogramOfABinCentredCosine() {
        // x[n] = cos(2 pi k0 n / N + phi), one rectangular frame: X[k0] = N/2 e^{i phi}, zero elsewhere
        int n = 64;
        int k0 = 5;
        double phi = 0.7;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.cos(2 * Math.PI * k0 * i / n + phi);
        }
        Stft s = Stft.builder(n).hopLength(n).window(WindowFunction.RECTANGULAR, true).center(false).build();
        ComplexSpectrogram c = s.complex(x);
        assertEquals(1, c.numFrames());
        assertEquals(n / 2.0 * Math.cos(phi), c.real(0, k0), 1e-4);
        assertEquals(n / 2.0 * Math.sin(phi), c.imag(0, k0), 1e-4);
        assertEquals(n / 2.0, c.magnitude().get(0, k0), 1e-4);
        assertEquals(n * n / 4.0, c.power().get(0, k0), 1e-2);
        assertEquals(phi, c.phase().get(0, k0), 1e-6);
        for (int k = 0; k < c.numBins(); k++) {
            if (k != k0) {
                assertEquals(0.0, c.magnitude().get(0, k), 1e-4, "bin " + k);
            }
        }
        assertEquals(0f, c.imag(0, 0));
        assertEquals(0f, c.imag(0, n / 2));
    }

    @Test
    void spectrogramLayoutsAgree() {
        Spectrogram s = Spectrogram.fromTimeMajor(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertArrayEquals(new float[][] {{1, 4}, {2, 5}, {3, 6}}, s.toBinMajor());
        Spectrogram back = Spectrogram.fromBinMajor(s.toBinMajor());
        assertArrayEquals(s.toArray(), back.toArray());
        assertArrayEquals(new float[][] {{1, 2, 3}, {4, 5, 6}}, back.toTimeMajor());
        assertEquals(6f, s.get(1, 2));
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }
}
