package io.github.audioldm4j.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.testing.TestSignals;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed cases for every metric. Measured values are printed for the record. */
class MetricsTest {
    private static final int SR = 16000;
    private static final float[] NOISE = TestSignals.whiteNoise(32000, 0.1, 7);

    private static void log(String what, double value) {
        System.out.printf("[MetricsTest] %s = %.9g%n", what, value);
    }

    // ----------------------------------------------------------------------------------------- identity

    @Test
    void identityGivesZeroDistancesAndInfiniteSiSdr() {
        MetricSet m = MetricSet.compute(NOISE, NOISE.clone(), SR);
        log("identity LSD", m.logSpectralDistance());
        // upstream's eps terms leave ~1e-9 per bin; exact zero is not expected
        assertTrue(m.logSpectralDistance() < 1e-6, "LSD " + m.logSpectralDistance());
        assertEquals(0.0, m.multiResolutionStft());
        assertEquals(0.0, m.spectralConvergence());
        assertEquals(0.0, m.logMelL1());
        assertEquals(0.0, m.melCepstralDistortionDb());
        assertEquals(Double.POSITIVE_INFINITY, m.siSdrDb());
        for (double d : m.bandDifferenceDb()) {
            assertEquals(0.0, d);
        }
        assertEquals(0.0, m.highFrequencyLossAbove4kDb().getAsDouble());
        assertFalse(m.highFrequencyLossAbove8kDb().isPresent(), "no band above 8 kHz at 16 kHz");
        assertEquals(m.referenceShape(), m.candidateShape());
    }

    // ----------------------------------------------------------------------------------------- gain

    @Test
    void gainOfOneHalfGivesTheAnalyticValues() {
        float g = 0.5f;
        MetricSet m = MetricSet.compute(NOISE, TestSignals.scale(NOISE, g), SR);
        double lsdExpected = 2 * Math.abs(Math.log10(g)); // |20 log10 g| / 10 = 0.60206
        double lnG = Math.abs(Math.log(g)); // 0.693147
        log("gain 0.5 LSD (expected " + lsdExpected + ")", m.logSpectralDistance());
        log("gain 0.5 log-mel L1 (expected " + lnG + ")", m.logMelL1());
        log("gain 0.5 MR-STFT (expected " + (1 - g + lnG) + ")", m.multiResolutionStft());
        log("gain 0.5 SC (expected 0.5)", m.spectralConvergence());
        log("gain 0.5 MCD (expected 0)", m.melCepstralDistortionDb());
        log("gain 0.5 band diff 0-1k (expected " + 20 * Math.log10(g) + ")", m.bandDifferenceDb()[0]);
        assertEquals(lsdExpected, m.logSpectralDistance(), 1e-6);
        assertEquals(lnG, m.logMelL1(), 1e-5);
        assertEquals(1 - g + lnG, m.multiResolutionStft(), 1e-5);
        assertEquals(1 - g, m.spectralConvergence(), 1e-6);
        assertTrue(m.melCepstralDistortionDb() < 1e-4, "MCD " + m.melCepstralDistortionDb());
        // 0.5 * x is exact in float32 and double: the projection is exact, the residual zero
        assertEquals(Double.POSITIVE_INFINITY, m.siSdrDb());
        for (double d : m.bandDifferenceDb()) {
            assertEquals(20 * Math.log10(g), d, 1e-6);
        }
        assertEquals(20 * Math.log10(g), m.highFrequencyLossAbove4kDb().getAsDouble(), 1e-6);
        assertEquals(m.referenceShape().centroidHz(), m.candidateShape().centroidHz(), 1e-3);
    }

    @Test
    void lsdAndLogMelOfAGainAreSymmetricInTheGainsLogarithm() {
        for (float g : new float[] {2f, 0.25f, 0.9f}) {
            float[] y = TestSignals.scale(NOISE, g);
            assertEquals(2 * Math.abs(Math.log10(g)), Metrics.logSpectralDistance(NOISE, y), 1e-6, "g=" + g);
            assertEquals(Math.abs(Math.log(g)), Metrics.logMelL1(NOISE, y, SR), 1e-5, "g=" + g);
        }
    }

    @Test
    void siSdrIsInvariantToGainAndOffset() {
        float[] distorted = TestSignals.add(NOISE, TestSignals.whiteNoise(NOISE.length, 0.03, 99));
        double base = Metrics.siSdr(NOISE, distorted);
        log("SI-SDR of noise + 0.3x independent noise", base);
        // about 10 log10(1 / 0.09) = 10.46 dB for independent noise at 0.3 of the amplitude
        assertEquals(10 * Math.log10(1 / 0.09), base, 0.15);
        for (float g : new float[] {0.3f, 3f, -2f}) {
            float[] y = TestSignals.scale(distorted, g);
            for (int i = 0; i < y.length; i++) {
                y[i] += 0.25f; // DC offset
            }
            assertEquals(base, Metrics.siSdr(NOISE, y), 1e-4, "g=" + g);
        }
        double scaled = Metrics.siSdr(NOISE, TestSignals.scale(NOISE, 0.3f));
        log("SI-SDR of 0.3x (float32 rounding only)", scaled);
        assertTrue(scaled > 120, "SI-SDR of an exact multiple up to float rounding: " + scaled);
    }

    @Test
    void siSdrOfOrthogonalNoiseAndOfADelayedSineMatchTheClosedForm() {
        int n = 16000;
        double hz = 250; // 250 full periods: sin and cos are exactly orthogonal and zero-mean
        float[] ref = TestSignals.sine(n, 0.5, hz, SR, 0);
        float[] noise = TestSignals.sine(n, 0.05, hz, SR, Math.PI / 2); // 0.05 cos
        double snr = Metrics.siSdr(ref, TestSignals.add(ref, noise));
        log("SI-SDR sine + 0.1x quadrature (expected 20 dB)", snr);
        assertEquals(20.0, snr, 1e-4);
        // a delay of d samples: sin(w n - w d) = cos(wd) sin(wn) - sin(wd) cos(wn) -> 20 log10|cot(w d)|
        int d = 4; // w d = 2 pi 250 * 4 / 16000 = pi / 8
        float[] delayed = TestSignals.sine(n, 0.5, hz, SR, -2 * Math.PI * hz * d / SR);
        double expected = 20 * Math.log10(1 / Math.tan(Math.PI / 8)); // 7.6555 dB
        double measured = Metrics.siSdr(ref, delayed);
        log("SI-SDR sine delayed by pi/8 (expected " + expected + ")", measured);
        assertEquals(expected, measured, 1e-4);
        // a delay leaves the level of the band holding the sine (and the total) unchanged
        MetricSet m = MetricSet.compute(ref, delayed, SR);
        assertEquals(0.0, m.bandDifferenceDb()[0], 0.01);
        assertEquals(m.referenceBands().totalDb(), m.candidateBands().totalDb(), 0.01);
    }

    // ----------------------------------------------------------------------------------------- MCD

    @Test
    void mcdOfAKnownCepstralDifferenceMatchesTheConstant() {
        int frames = 5;
        int mels = 64;
        float[] a = new float[frames * mels];
        float[] b = new float[frames * mels];
        float[] offset = new float[frames * mels];
        double amp = 1.0;
        for (int t = 0; t < frames; t++) {
            for (int m = 0; m < mels; m++) {
                a[t * mels + m] = (float) (-3 + 0.05 * m - 0.1 * t);
                b[t * mels + m] = (float) (a[t * mels + m] + amp * Math.cos(Math.PI * 3 * (2 * m + 1) / (2.0 * mels)));
                offset[t * mels + m] = a[t * mels + m] + 2.5f;
            }
        }
        Spectrogram ref = new Spectrogram(frames, mels, a);
        double mcd = Metrics.melCepstralDistortion(ref, new Spectrogram(frames, mels, b));
        double expected = Metrics.MCD_CONSTANT * amp / 2; // delta c_3 = a / 2 -> 3.0709 dB
        log("MCD of a cos(3) log-mel difference (expected " + expected + ")", mcd);
        assertEquals(expected, mcd, 1e-5);
        assertEquals(0.0, Metrics.melCepstralDistortion(ref, new Spectrogram(frames, mels, offset)), 1e-5);
        // the cepstrum reproduces the cosine coefficient
        Spectrogram c = Metrics.melCepstrum(new Spectrogram(frames, mels, b), 5);
        Spectrogram c0 = Metrics.melCepstrum(ref, 5);
        assertEquals(amp / 2, c.get(0, 3) - c0.get(0, 3), 1e-6);
        assertEquals(0.0, c.get(0, 2) - c0.get(0, 2), 1e-6);
        assertEquals(6.1418514637, Metrics.MCD_CONSTANT, 1e-9);
    }

    // ----------------------------------------------------------------------------------------- bands

    @Test
    void bandLimitedNoiseLosesTheBandAbove4k() {
        // pass band up to 3.9 kHz: the Hann main lobe (+-2 bins of 7.8 Hz) stays clear of the 4 kHz band edge
        float[] band = TestSignals.lowPass(NOISE, SR, 3900);
        MetricSet m = MetricSet.compute(NOISE, band, SR);
        double[] diff = m.bandDifferenceDb();
        List<FrequencyBand> bands = m.referenceBands().bands();
        assertEquals(4, bands.size());
        assertEquals("4-8 kHz", bands.get(3).label());
        for (int b = 0; b < bands.size(); b++) {
            log("white vs low-passed noise, " + bands.get(b).label() + " difference dB", diff[b]);
        }
        // pass bands keep their energy; 2-4 kHz loses 3.9-4 kHz (5% of the band): 10 log10(0.95) = -0.22 dB
        assertEquals(0.0, diff[0], 0.05);
        assertEquals(0.0, diff[1], 0.05);
        assertEquals(10 * Math.log10(0.95), diff[2], 0.1);
        // the remaining 4-8 kHz energy is the splatter of the abrupt start/end against the STFT's zero padding
        assertTrue(diff[3] < -40, "4-8 kHz loss " + diff[3]);
        assertEquals(diff[3], m.highFrequencyLossAbove4kDb().getAsDouble(), 1e-9);
        // white noise of sigma 0.1: total 10 log10(0.01) = -20 dB; half its power lies in 4-8 kHz
        assertEquals(-20.0, m.referenceBands().totalDb(), 0.1);
        assertEquals(-23.01, m.referenceBands().levelsDb()[3], 0.1);
        // centroid: white noise ~ sr/4, noise below 4 kHz ~ 2 kHz
        log("centroid white", m.referenceShape().centroidHz());
        log("centroid low-passed", m.candidateShape().centroidHz());
        log("rolloff white", m.referenceShape().rolloffHz());
        log("rolloff low-passed", m.candidateShape().rolloffHz());
        assertEquals(4000, m.referenceShape().centroidHz(), 100);
        assertEquals(1950, m.candidateShape().centroidHz(), 100);
        assertEquals(0.85 * 8000, m.referenceShape().rolloffHz(), 150);
        assertEquals(0.85 * 3900, m.candidateShape().rolloffHz(), 150);
    }

    @Test
    void above8kLossIsReportedWhenTheSampleRateAllows() {
        int sr = 32000;
        float[] x = TestSignals.whiteNoise(32000, 0.1, 11);
        MetricSet m = MetricSet.compute(x, TestSignals.lowPass(x, sr, 7800), sr);
        assertEquals(5, m.referenceBands().bands().size());
        assertEquals("8-16 kHz", m.referenceBands().bands().get(4).label());
        double above8k = m.highFrequencyLossAbove8kDb().getAsDouble();
        double above4k = m.highFrequencyLossAbove4kDb().getAsDouble();
        log("32 kHz, low-passed at 7.8k: loss above 8k", above8k);
        log("32 kHz, low-passed at 7.8k: loss above 4k", above4k);
        assertTrue(above8k < -50, "above 8k " + above8k);
        // above 4 kHz: 4-7.8k is kept (3.8/12 of the power above 4k), the rest is lost
        assertEquals(10 * Math.log10(3.8 / 12), above4k, 0.15);
    }

    @Test
    void sineLevelIsItsMeanSquareInItsBand() {
        float[] x = TestSignals.sine(32000, 0.5, 1500, SR, 0.3);
        BandEnergies e = BandEnergies.measure(x, SR);
        double expected = 10 * Math.log10(0.5 * 0.5 / 2); // -9.031 dB
        log("sine 0.5 at 1.5 kHz, 1-2 kHz level (expected " + expected + ")", e.levelsDb()[1]);
        assertEquals(expected, e.levelsDb()[1], 0.01);
        // other bands see only the broadband splatter of the abrupt onset/end against the zero padding
        assertTrue(e.levelsDb()[0] < -40 && e.levelsDb()[2] < -40 && e.levelsDb()[3] < -40,
                Arrays.toString(e.levelsDb()));
        SpectralShape s = SpectralShape.measure(TestSignals.sine(32000, 0.5, 1000, SR, 0), SR);
        log("sine 1 kHz centroid", s.centroidHz());
        log("sine 1 kHz rolloff", s.rolloffHz());
        // the edge frames' onset splatter pulls the mean centroid up by a few Hz
        assertEquals(1000, s.centroidHz(), 10);
        assertEquals(1000, s.rolloffHz(), 16); // within two bins (7.8 Hz each)
    }

    @Test
    void bandEnergiesHaveValueSemantics() {
        BandEnergies a = BandEnergies.measure(NOISE, SR);
        BandEnergies b = BandEnergies.measure(NOISE.clone(), SR);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(BandEnergies.measure(TestSignals.scale(NOISE, 0.5f), SR)));
        assertTrue(a.toString().startsWith("BandEnergies[0-1 kHz: -2"), a.toString());
        double[] levels = a.levelsDb();
        levels[0] = 99;
        assertFalse(a.levelsDb()[0] == 99, "accessor returns a copy");
    }

    @Test
    void standardBandsDependOnTheSampleRate() {
        assertEquals(List.of(new FrequencyBand(0, 1000), new FrequencyBand(1000, 2000), new FrequencyBand(2000, 4000),
                new FrequencyBand(4000, 5512.5)), FrequencyBand.standardBands(11025));
        assertEquals(new FrequencyBand(8000, 22050), FrequencyBand.standardBands(44100).get(4));
        assertEquals("8-22.05 kHz", FrequencyBand.standardBands(44100).get(4).label());
        assertEquals(List.of(new FrequencyBand(0, 1000), new FrequencyBand(1000, 1500)),
                FrequencyBand.standardBands(3000));
    }

    // ----------------------------------------------------------------------------------------- silence

    @Test
    void silenceIsFiniteAndDocumented() {
        float[] silence = new float[8000];
        MetricSet both = MetricSet.compute(silence, silence.clone(), SR);
        // every bin contributes log10(eps) = -8: two silent signals have LSD 8 (upstream eps behaviour)
        assertEquals(8.0, both.logSpectralDistance(), 1e-9);
        assertEquals(0.0, both.multiResolutionStft());
        assertEquals(0.0, both.spectralConvergence());
        assertEquals(0.0, both.logMelL1());
        assertEquals(0.0, both.melCepstralDistortionDb());
        assertEquals(Double.POSITIVE_INFINITY, both.siSdrDb());
        for (double l : both.referenceBands().levelsDb()) {
            assertEquals(BandEnergies.FLOOR_DB, l);
        }
        assertEquals(new SpectralShape(0, 0), both.referenceShape());

        float[] ref = Arrays.copyOf(NOISE, 8000);
        MetricSet silentCandidate = MetricSet.compute(ref, silence, SR);
        assertAllFinite(silentCandidate);
        assertEquals(Double.NEGATIVE_INFINITY, silentCandidate.siSdrDb());
        assertEquals(1.0, silentCandidate.spectralConvergence(), 1e-3);
        log("LSD noise vs silence", silentCandidate.logSpectralDistance());
        log("MR-STFT noise vs silence", silentCandidate.multiResolutionStft());
        log("HF loss >4k noise vs silence", silentCandidate.highFrequencyLossAbove4kDb().getAsDouble());

        MetricSet silentReference = MetricSet.compute(silence, ref, SR);
        assertAllFinite(silentReference);
        assertEquals(Double.NEGATIVE_INFINITY, silentReference.siSdrDb());
        assertEquals(8.0, silentReference.logSpectralDistance(), 1e-9);
    }

    private static void assertAllFinite(MetricSet m) {
        double[] values = {m.logSpectralDistance(), m.multiResolutionStft(), m.spectralConvergence(), m.logMelL1(),
                m.melCepstralDistortionDb(), m.referenceShape().centroidHz(), m.candidateShape().rolloffHz()};
        for (double v : values) {
            assertTrue(Double.isFinite(v), m.toString());
        }
        for (double v : m.bandDifferenceDb()) {
            assertTrue(Double.isFinite(v), m.toString());
        }
    }

    // ----------------------------------------------------------------------------------------- lengths

    @Test
    void cropToCommonLengthCutsTheLongerSignal() {
        float[] a = {1, 2, 3, 4, 5};
        float[] b = {9, 8, 7};
        Metrics.AlignedPair p = Metrics.cropToCommonLength(a, b);
        assertEquals(3, p.length());
        assertArrayEquals(new float[] {1, 2, 3}, p.reference());
        assertArrayEquals(new float[] {9, 8, 7}, p.candidate());
        assertEquals(5, a.length, "inputs untouched");
        assertEquals(1025, Metrics.minimumLength(16000));
        assertEquals(1537, Metrics.minimumLength(48000));
        assertEquals(1025, Metrics.minimumLength(8000));
    }

    // ----------------------------------------------------------------------------------------- validation

    @Test
    void mismatchedLengthsNameBothLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetricSet.compute(new float[2000], new float[1999], SR));
        assertEquals("candidate.length must equal reference.length 2000 (aligned signals; crop with "
                + "Metrics.cropToCommonLength), got 1999", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.siSdr(new float[3], new float[4]));
        assertThrows(IllegalArgumentException.class, () -> Metrics.logSpectralDistance(new float[3], new float[4]));
    }

    @Test
    void invalidInputsAreRejectedWithNamedMessages() {
        float[] ok = new float[2000];
        assertEquals("reference must not be null",
                assertThrows(NullPointerException.class, () -> MetricSet.compute(null, ok, SR)).getMessage());
        assertEquals("candidate must not be null",
                assertThrows(NullPointerException.class, () -> Metrics.siSdr(ok, null)).getMessage());
        assertEquals("reference must not be empty, got length 0", assertThrows(IllegalArgumentException.class,
                () -> Metrics.logSpectralDistance(new float[0], new float[0])).getMessage());
        float[] nan = new float[2000];
        nan[17] = Float.NaN;
        assertEquals("candidate must contain only finite values, got NaN at index 17",
                assertThrows(IllegalArgumentException.class, () -> MetricSet.compute(ok, nan, SR)).getMessage());
        float[] inf = new float[2000];
        inf[3] = Float.POSITIVE_INFINITY;
        assertEquals("reference must contain only finite values, got Infinity at index 3",
                assertThrows(IllegalArgumentException.class, () -> Metrics.siSdr(inf, ok)).getMessage());
        assertEquals("sampleRate must be > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> MetricSet.compute(ok, ok, 0)).getMessage());
        assertEquals("sampleRate must be > 0, got -16000", assertThrows(IllegalArgumentException.class,
                () -> Metrics.logMelL1(ok, ok, -16000)).getMessage());
        assertEquals("reference.length must be >= 1025 samples, got 1000", assertThrows(
                IllegalArgumentException.class, () -> MetricSet.compute(new float[1000], new float[1000], SR))
                .getMessage());
        assertEquals("reference.length must be >= 1537 samples, got 1536", assertThrows(
                IllegalArgumentException.class, () -> MetricSet.compute(new float[1536], new float[1536], 48000))
                .getMessage());
        assertEquals("numCoefficients must be in [1, 64], got 65", assertThrows(IllegalArgumentException.class,
                () -> Metrics.melCepstrum(new Spectrogram(1, 64, new float[64]), 65)).getMessage());
        assertEquals("candidate shape must equal reference shape [2 x 64], got [3 x 64]", assertThrows(
                IllegalArgumentException.class, () -> Metrics.melCepstralDistortion(
                        new Spectrogram(2, 64, new float[128]), new Spectrogram(3, 64, new float[192])))
                .getMessage());
        assertEquals("reference.numBins must be > 24 mel bins for the MCD, got 20", assertThrows(
                IllegalArgumentException.class, () -> Metrics.melCepstralDistortion(
                        new Spectrogram(1, 20, new float[20]), new Spectrogram(1, 20, new float[20])))
                .getMessage());
        assertEquals("reference must not be empty, got length 0", assertThrows(IllegalArgumentException.class,
                () -> Metrics.cropToCommonLength(new float[0], ok)).getMessage());
        assertEquals("waveform must not be empty, got length 0", assertThrows(IllegalArgumentException.class,
                () -> BandEnergies.measure(new float[0], SR)).getMessage());
    }
}
