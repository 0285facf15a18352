package io.github.audioldm4j.dsp;

import static io.github.audioldm4j.dsp.StftTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Mel scales and filter banks: properties, HTK option, agreement of the two constructions, validation. */
class MelFilterBankTest {

    @Test
    void melScalesHaveTheirDefiningValues() {
        assertEquals(15.0, MelScale.SLANEY.hzToMel(1000), 1e-12);
        assertEquals(3.0, MelScale.SLANEY.hzToMel(200), 1e-12);
        assertEquals(15.0 + 27.0, MelScale.SLANEY.hzToMel(6400), 1e-12); // log step ln(6.4)/27 per mel
        assertEquals(2595.0 * Math.log10(2.0), MelScale.HTK.hzToMel(700), 1e-9);
        for (MelScale s : MelScale.values()) {
            for (double f : new double[] {0, 50, 999.9, 1000, 1234.5, 8000, 22050}) {
                assertEquals(f, s.melToHz(s.hzToMel(f)), 1e-9 * Math.max(1, f), s + " round trip " + f);
                assertEquals(s.hzToMel(f), s.hzToMelTransformers(f), 1e-12 * Math.max(1, s.hzToMel(f)));
            }
        }
    }

    @Test
    void slaneyNormalisedFiltersHaveUnitArea() {
        int sr = 22050;
        int nFft = 4096;
        MelFilterBank fb = MelFilterBank.librosa(sr, nFft, 40, 0, sr / 2.0, MelScale.SLANEY, MelFilterBank.Norm.SLANEY);
        double binHz = (double) sr / nFft;
        for (int m = 0; m < fb.numMels(); m++) {
            double area = 0;
            for (int k = 0; k < fb.numBins(); k++) {
                area += fb.weight(m, k) * binHz;
            }
            assertEquals(1.0, area, 0.05, "area of filter " + m);
        }
    }

    @Test
    void htkFiltersPeakAtTheirCentres() {
        MelFilterBank fb = MelFilterBank.librosa(16000, 1024, 20, 0, 8000, MelScale.HTK, MelFilterBank.Norm.NONE);
        double maxMel = MelScale.HTK.hzToMel(8000);
        for (int m = 0; m < 20; m++) {
            double centreHz = MelScale.HTK.melToHz(maxMel * (m + 1) / 21);
            int peakBin = 0;
            for (int k = 1; k < fb.numBins(); k++) {
                if (fb.weight(m, k) > fb.weight(m, peakBin)) {
                    peakBin = k;
                }
            }
            assertEquals(centreHz, peakBin * 16000.0 / 1024, 16000.0 / 1024, "filter " + m);
            assertTrue(fb.weight(m, peakBin) <= 1.0 && fb.weight(m, peakBin) > 0.5);
        }
    }

    @Test
    void librosaAndTransformersConstructionsAgree() {
        // same scale and norm, different bin-frequency formulas and float32 rounding: agree to float32 precision
        for (MelScale scale : MelScale.values()) {
            MelFilterBank a = MelFilterBank.librosa(48000, 1024, 64, 50, 14000, scale, MelFilterBank.Norm.SLANEY);
            MelFilterBank b = MelFilterBank.transformers(513, 64, 50, 14000, 48000, scale, MelFilterBank.Norm.SLANEY);
            double max = 0;
            double peak = 0;
            for (int m = 0; m < 64; m++) {
                for (int k = 0; k < 513; k++) {
                    max = Math.max(max, Math.abs(a.weight(m, k) - b.weight(m, k)));
                    peak = Math.max(peak, b.weight(m, k));
                }
            }
            assertTrue(max <= 1e-7 * peak, scale + ": " + max + " vs peak " + peak);
        }
    }

    @Test
    void applyMatchesDenseProduct() {
        MelFilterBank fb = AudioLdm2MelExtractor.melFilterBank();
        float[] spec = new float[3 * 513];
        for (int i = 0; i < spec.length; i++) {
            spec[i] = (float) Math.abs(Math.sin(i * 0.37));
        }
        Spectrogram mel = fb.apply(new Spectrogram(3, 513, spec));
        double[][] w = fb.toMatrix();
        for (int t = 0; t < 3; t++) {
            for (int m = 0; m < 64; m++) {
                double s = 0;
                for (int k = 0; k < 513; k++) {
                    s += w[m][k] * spec[t * 513 + k];
                }
                assertEquals(s, mel.get(t, m), 1e-6 * Math.max(1, s));
            }
        }
    }

    @Test
    void invalidArgumentsAreRejectedWithMessages() {
        MelScale s = MelScale.SLANEY;
        MelFilterBank.Norm n = MelFilterBank.Norm.SLANEY;
        assertMessage("sampleRate must be finite and > 0, got 0.0", () -> MelFilterBank.librosa(0, 1024, 64, 0, 8000, s, n));
        assertMessage("nFft must be >= 2, got 1", () -> MelFilterBank.librosa(16000, 1, 64, 0, 8000, s, n));
        assertMessage("numMels must be > 0, got 0", () -> MelFilterBank.librosa(16000, 1024, 0, 0, 8000, s, n));
        assertMessage("fMin must be >= 0, got -1.0", () -> MelFilterBank.librosa(16000, 1024, 64, -1, 8000, s, n));
        assertMessage("fMax must be > fMin = 500.0, got 500.0", () -> MelFilterBank.librosa(16000, 1024, 64, 500, 500, s, n));
        assertMessage("fMax must be <= sampleRate/2 = 8000.0, got 9000.0",
                () -> MelFilterBank.librosa(16000, 1024, 64, 0, 9000, s, n));
        assertMessage("fMin must be finite, got NaN", () -> MelFilterBank.librosa(16000, 1024, 64, Double.NaN, 8000, s, n));
        assertMessage("numFrequencyBins must be >= 2, got 1", () -> MelFilterBank.transformers(1, 64, 0, 8000, 16000, s, n));
        assertMessage("samplingRate must be > 0, got -16000",
                () -> MelFilterBank.transformers(513, 64, 0, 8000, -16000, s, n));
        assertThrows(NullPointerException.class, () -> MelFilterBank.librosa(16000, 1024, 64, 0, 8000, null, n));
        MelFilterBank fb = AudioLdm2MelExtractor.melFilterBank();
        assertMessage("linear.numBins must be 513, got 512", () -> fb.apply(new Spectrogram(1, 512, new float[512])));
        assertMessage("mel must be in [0, 63], got 64", () -> fb.weight(64, 0));
    }
}
