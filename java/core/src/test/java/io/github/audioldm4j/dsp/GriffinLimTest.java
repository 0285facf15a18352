package io.github.audioldm4j.dsp;

import static io.github.audioldm4j.dsp.StftTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Griffin-Lim, mel inversion and the model-free vocoder on signals with known spectra. */
class GriffinLimTest {
    private static final AudioLdm2MelExtractor EXTRACTOR = new AudioLdm2MelExtractor();

    /** 1 s at 16 kHz: a 220 Hz harmonic tone (5 partials) with a slow amplitude envelope. */
    static float[] harmonicTone(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double t = i / 16000.0;
            double env = 0.8 + 0.2 * Math.sin(2 * Math.PI * 2 * t);
            double v = 0;
            for (int h = 1; h <= 5; h++) {
                v += 0.5 / h * Math.sin(2 * Math.PI * 220 * h * t + 0.3 * h);
            }
            x[i] = (float) (0.4 * env * v);
        }
        return x;
    }

    @Test
    void reconstructsHarmonicToneFromLinearMagnitude() {
        float[] x = harmonicTone(16000);
        Stft stft = EXTRACTOR.stft();
        Spectrogram mag = stft.magnitude(x);
        GriffinLim gl = GriffinLim.builder(stft).iterations(100).build();
        GriffinLim.Result r = gl.reconstructWithDiagnostics(mag, x.length);
        double[] sc = r.spectralConvergence();
        System.out.println("[griffin-lim linear] SC " + fmt(sc));
        assertEquals(101, sc.length);
        assertEquals(x.length, r.waveform().length);
        assertTrue(sc[10] < sc[0] && sc[50] < sc[10] && r.finalSpectralConvergence() < sc[50], fmt(sc));
        // typical fast Griffin-Lim quality: about -22 dB spectral convergence after 100 iterations (0.0757 measured)
        assertTrue(r.finalSpectralConvergence() < 0.1, "final spectral convergence " + r.finalSpectralConvergence());
        // the returned diagnostics are those of the returned waveform
        assertEquals(r.finalSpectralConvergence(), spectralConvergence(mag, stft.magnitude(r.waveform())), 1e-4);
    }

    @Test
    void momentumConvergesFasterThanPlainGriffinLim() {
        float[] x = harmonicTone(16000);
        Stft stft = EXTRACTOR.stft();
        Spectrogram mag = stft.magnitude(x);
        double fast = GriffinLim.builder(stft).iterations(30).momentum(0.99).build()
                .reconstructWithDiagnostics(mag, x.length).finalSpectralConvergence();
        double plain = GriffinLim.builder(stft).iterations(30).momentum(0).build()
                .reconstructWithDiagnostics(mag, x.length).finalSpectralConvergence();
        System.out.printf("[griffin-lim] 30 iterations: momentum 0.99 SC %.4f, momentum 0 SC %.4f%n", fast, plain);
        assertTrue(fast < plain, "fast " + fast + " vs plain " + plain);
    }

    @Test
    void plainGriffinLimIsMonotone() {
        // without momentum, Griffin-Lim never increases the inconsistency (Griffin & Lim 1984)
        float[] x = harmonicTone(8000);
        Stft stft = EXTRACTOR.stft();
        double[] sc = GriffinLim.builder(stft).iterations(25).momentum(0).build()
                .reconstructWithDiagnostics(stft.magnitude(x), x.length).spectralConvergence();
        for (int i = 1; i < sc.length; i++) {
            assertTrue(sc[i] <= sc[i - 1] * (1 + 1e-9), "iteration " + i + ": " + fmt(sc));
        }
    }

    @Test
    void vocodesLogMelOfHarmonicTone() {
        float[] x = harmonicTone(16000);
        Spectrogram logMel = EXTRACTOR.logMel(x);
        GriffinLimVocoder vocoder = GriffinLimVocoder.audioLdm2().iterations(60).build();
        GriffinLim.Result r = vocoder.vocodeWithDiagnostics(logMel, logMel.numFrames() * 160);
        float[] y = r.waveform();
        assertEquals(logMel.numFrames() * 160, y.length);
        assertEquals(y.length, vocoder.vocode(logMel).length);
        double[] sc = r.spectralConvergence();
        // against the true linear magnitude and in the log-mel domain
        Spectrogram trueMag = EXTRACTOR.magnitudes(x);
        float[] yCut = Arrays.copyOf(y, x.length);
        double linearSc = spectralConvergence(trueMag, EXTRACTOR.stft().magnitude(yCut));
        Spectrogram logMelY = EXTRACTOR.logMel(clip(yCut));
        double melMae = meanAbs(logMel, logMelY);
        // baseline: the same magnitudes with the initial (zero) phase only
        float[] y0 = Arrays.copyOf(GriffinLimVocoder.audioLdm2().iterations(0).build().vocode(logMel), x.length);
        double melMae0 = meanAbs(logMel, EXTRACTOR.logMel(clip(y0)));
        System.out.printf("[griffin-lim log-mel] SC(est) %s; SC(true linear) %.4f; log-mel MAE %.4f "
                + "(0 iterations: %.4f)%n", fmt(sc), linearSc, melMae, melMae0);
        assertTrue(sc[sc.length - 1] < sc[0]);
        // the NNLS magnitudes are not a consistent STFT, so the estimate-relative SC levels off (0.223 measured)
        assertTrue(r.finalSpectralConvergence() < 0.3, "final SC vs estimated magnitude " + r.finalSpectralConvergence());
        assertTrue(linearSc < 0.45, "SC vs true magnitude " + linearSc); // 0.320 measured
        assertTrue(melMae < 0.4 && melMae < 0.5 * melMae0, "log-mel mean abs error " + melMae + " vs " + melMae0);
    }

    @Test
    void melInversionReproducesTheMel() {
        float[] x = harmonicTone(16000);
        Spectrogram mag = EXTRACTOR.magnitudes(x);
        MelFilterBank bank = EXTRACTOR.melBasis();
        Spectrogram mel = bank.apply(mag);
        Spectrogram pinvOnly = MelInverter.builder(bank).nnlsIterations(0).build().invert(mel);
        Spectrogram refined = MelInverter.builder(bank).nnlsIterations(200).build().invert(mel);
        double errPinv = relativeError(mel, bank.apply(pinvOnly));
        double errRefined = relativeError(mel, bank.apply(refined));
        System.out.printf("[mel inversion] relative mel residual: clamped pinv %.3e, + NNLS %.3e%n", errPinv,
                errRefined);
        assertTrue(errRefined <= errPinv, errRefined + " vs " + errPinv);
        assertTrue(errRefined < 0.02, "refined residual " + errRefined);
        for (float v : refined.toArray()) {
            assertTrue(v >= 0f);
        }
        assertEquals(513, refined.numBins());
        assertEquals(mel.numFrames(), refined.numFrames());
    }

    @Test
    void deterministicAndSeedDependent() {
        float[] x = harmonicTone(6400);
        Stft stft = EXTRACTOR.stft();
        Spectrogram mag = stft.magnitude(x);
        GriffinLim zero = GriffinLim.builder(stft).iterations(8).build();
        assertArrayEquals(zero.reconstruct(mag, x.length), zero.reconstruct(mag, x.length));
        GriffinLim seeded = GriffinLim.builder(stft).iterations(8).phaseInit(GriffinLim.randomPhase(42)).build();
        GriffinLim seededAgain = GriffinLim.builder(stft).iterations(8).phaseInit(GriffinLim.randomPhase(42)).build();
        GriffinLim other = GriffinLim.builder(stft).iterations(8).phaseInit(GriffinLim.randomPhase(43)).build();
        float[] a = seeded.reconstruct(mag, x.length);
        assertArrayEquals(a, seededAgain.reconstruct(mag, x.length));
        assertFalse(Arrays.equals(a, other.reconstruct(mag, x.length)));
        // serial and parallel STFTs give the same result
        Stft parallel = stft.withParallelism(3);
        assertEquals(3, parallel.parallelism());
        float[] p = GriffinLim.builder(parallel).iterations(8).phaseInit(GriffinLim.randomPhase(42)).build()
                .reconstruct(mag, x.length);
        assertArrayEquals(a, p, 1e-6f);
        Spectrogram logMel = EXTRACTOR.logMel(x);
        assertArrayEquals(GriffinLimVocoder.audioLdm2().iterations(3).build().vocode(logMel),
                GriffinLimVocoder.audioLdm2().iterations(3).parallelism(2).build().vocode(logMel), 1e-6f);
    }

    @Test
    void outputLengthHandling() {
        float[] x = harmonicTone(3200);
        Stft stft = EXTRACTOR.stft();
        Spectrogram mag = stft.magnitude(x); // 21 frames
        GriffinLim gl = GriffinLim.builder(stft).iterations(2).build();
        assertEquals(3200, gl.reconstruct(mag).length); // hop * (frames - 1)
        assertEquals(3359, gl.reconstruct(mag, 3359).length);
        assertMessage("length must be in [3200, 3359] so that the STFT of the result has 21 frames again, got 3360",
                () -> gl.reconstruct(mag, 3360));
        assertMessage("length must be > 0, got -1", () -> gl.reconstruct(mag, -1));
        GriffinLimVocoder v = GriffinLimVocoder.audioLdm2().iterations(2).nnlsIterations(5).build();
        Spectrogram logMel = EXTRACTOR.logMel(x);
        assertEquals(21 * 160, v.vocode(logMel).length);
        assertEquals(1000, v.vocode(logMel, 1000).length);
        float[] longer = v.vocode(logMel, 5000);
        assertEquals(5000, longer.length);
        for (int i = 21 * 160; i < 5000; i++) {
            assertEquals(0f, longer[i]);
        }
    }

    @Test
    void invalidArgumentsAreRejectedWithMessages() {
        Stft stft = EXTRACTOR.stft();
        assertMessage("momentum must be in [0.0, 1.0), got 1.0", () -> GriffinLim.builder(stft).momentum(1.0));
        assertMessage("momentum must be in [0.0, 1.0), got -0.1", () -> GriffinLim.builder(stft).momentum(-0.1));
        assertMessage("momentum must be in [0.0, 1.0), got NaN", () -> GriffinLim.builder(stft).momentum(Double.NaN));
        assertMessage("iterations must be >= 0, got -1", () -> GriffinLim.builder(stft).iterations(-1));
        assertThrows(NullPointerException.class, () -> GriffinLim.builder(null));
        GriffinLim gl = GriffinLim.builder(stft).iterations(1).build();
        assertMessage("magnitude.numBins must be nFft/2 + 1 = 513, got 64",
                () -> gl.reconstruct(new Spectrogram(3, 64, new float[192])));
        float[] neg = new float[3 * 513];
        neg[513 + 2] = -1f;
        assertMessage("magnitude must contain only finite values >= 0, got -1.0 at frame 1, bin 2",
                () -> gl.reconstruct(new Spectrogram(3, 513, neg)));
        float[] nan = new float[3 * 513];
        nan[5] = Float.NaN;
        assertMessage("magnitude must contain only finite values >= 0, got NaN at frame 0, bin 5",
                () -> gl.reconstruct(new Spectrogram(3, 513, nan)));
        assertMessage("magnitude.numFrames must be >= 2 for the default length hop * (numFrames - 1), got 1; "
                + "pass an explicit length", () -> gl.reconstruct(new Spectrogram(1, 513, new float[513])));

        MelFilterBank bank = EXTRACTOR.melBasis();
        MelInverter inv = MelInverter.builder(bank).build();
        assertMessage("mel.numBins must be numMels = 64, got 63", () -> inv.invert(new Spectrogram(2, 63, new float[126])));
        float[] negMel = new float[128];
        negMel[70] = -0.5f;
        assertMessage("mel must contain only finite values >= 0, got -0.5 at frame 1, mel bin 6",
                () -> inv.invert(new Spectrogram(2, 64, negMel)));
        assertMessage("nnlsIterations must be >= 0, got -2", () -> MelInverter.builder(bank).nnlsIterations(-2));

        GriffinLimVocoder v = GriffinLimVocoder.audioLdm2().iterations(1).build();
        float[] inf = new float[128];
        inf[1] = Float.POSITIVE_INFINITY;
        assertMessage("logMel must contain only finite values, got Infinity at frame 0, mel bin 1",
                () -> v.vocode(new Spectrogram(2, 64, inf)));
        assertMessage("logMel.numFrames must be >= 2, got 1", () -> v.vocode(new Spectrogram(1, 64, new float[64])));
        assertMessage("logMel.numBins must be numMels = 64, got 32", () -> v.vocode(new Spectrogram(4, 32, new float[128])));
        assertMessage("length must be > 0, got 0", () -> v.vocode(new Spectrogram(4, 64, new float[256]), 0));
        Stft small = Stft.builder(256).build();
        assertMessage("parallelism must be > 0, got 0", () -> GriffinLimVocoder.audioLdm2().parallelism(0));
        assertMessage("parallelism must be > 0, got -1", () -> stft.withParallelism(-1));
        assertMessage("melBank.numBins must equal stft.numBins = 129, got 513",
                () -> GriffinLimVocoder.builder(small, bank).build());
    }

    static double spectralConvergence(Spectrogram ref, Spectrogram est) {
        float[] a = ref.toArray();
        float[] b = est.toArray();
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += a[i] * (double) a[i];
        }
        return Math.sqrt(num / den);
    }

    private static double relativeError(Spectrogram ref, Spectrogram est) {
        return spectralConvergence(ref, est);
    }

    private static double meanAbs(Spectrogram a, Spectrogram b) {
        float[] x = a.toArray();
        float[] y = b.toArray();
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.abs(x[i] - y[i]);
        }
        return s / x.length;
    }

    private static float[] clip(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(-1f, Math.min(1f, x[i]));
        }
        return y;
    }

    private static String fmt(double[] sc) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < sc.length; i += Math.max(1, sc.length / 8)) {
            sb.append(String.format("%d:%.4f ", i, sc[i]));
        }
        return sb.append("final:").append(String.format("%.4f", sc[sc.length - 1])).append("]").toString();
    }
}
