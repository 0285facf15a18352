package io.github.audioldm4j.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.testing.Golden;
import org.junit.jupiter.api.Test;

/**
 * AudioLDM2 log-mel front end against {@code shared/golden/logmel_audioldm2.json} and
 * {@code logmel_audioldm2_wav_to_fbank.json} (upstream TacotronSTFT / wav_to_fbank outputs).
 */
class AudioLdm2MelGoldenTest {
    private static final JsonNode GOLDEN = Golden.load("logmel_audioldm2.json");
    private final AudioLdm2MelExtractor extractor = new AudioLdm2MelExtractor();

    @Test
    void windowMatchesScipyPeriodicHann() {
        float[] expected = Golden.floats(GOLDEN.get("window"));
        double[] w = WindowFunction.HANN.create(1024, true);
        double maxDiff = 0;
        for (int i = 0; i < w.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((float) w[i] - expected[i]));
        }
        report("window (float32) vs scipy periodic hann", maxDiff);
        assertTrue(maxDiff <= 6e-8, "window max abs diff " + maxDiff);
    }

    @Test
    void melBasisMatchesLibrosa092() {
        float[] expected = Golden.floats(GOLDEN.get("mel_basis"));
        assertArrayEquals(new long[] {64, 513}, Golden.shape(GOLDEN.get("mel_basis")));
        float[][] actual = AudioLdm2MelExtractor.melFilterBank().toFloatMatrix();
        double maxDiff = 0;
        int exact = 0;
        for (int m = 0; m < 64; m++) {
            for (int k = 0; k < 513; k++) {
                float e = expected[m * 513 + k];
                float a = actual[m][k];
                maxDiff = Math.max(maxDiff, Math.abs(a - e));
                if (a == e) { // numerically equal (+0.0 == -0.0)
                    exact++;
                }
            }
        }
        report("mel_basis vs librosa 0.9.2 (equal " + exact + "/" + 64 * 513 + ")", maxDiff);
        assertEquals(64 * 513, exact, "entries equal to the librosa float32 basis");
    }

    @Test
    void logMelMatchesUpstreamTacotronStft() {
        float[] signal = Golden.floats(GOLDEN.get("signal"));
        float[] expected = Golden.floats(GOLDEN.get("log_mel")); // [64, frames]
        double[] reference = Golden.doubles(GOLDEN.get("log_mel_f64_reference"));
        int frames = (int) Golden.shape(GOLDEN.get("log_mel"))[1];
        assertEquals(1 + signal.length / 160, frames);

        Spectrogram logMel = extractor.logMel(signal);
        assertEquals(frames, logMel.numFrames());
        assertEquals(64, logMel.numBins());
        float[][] binMajor = logMel.toBinMajor();
        double maxUpstream = 0;
        double maxReference = 0;
        for (int m = 0; m < 64; m++) {
            for (int t = 0; t < frames; t++) {
                maxUpstream = Math.max(maxUpstream, Math.abs(binMajor[m][t] - expected[m * frames + t]));
                maxReference = Math.max(maxReference, Math.abs(binMajor[m][t] - reference[m * frames + t]));
                assertEquals(binMajor[m][t], logMel.get(t, m));
            }
        }
        report("log_mel vs upstream TacotronSTFT (float32 conv1d)", maxUpstream);
        report("log_mel vs log_mel_f64_reference", maxReference);
        assertTrue(maxUpstream <= 1e-4, "log-mel max abs error vs upstream " + maxUpstream);
        assertTrue(maxReference <= 2e-6, "log-mel max abs error vs float64 reference " + maxReference);
    }

    @Test
    void silentGapHitsTheLogFloor() {
        float[] signal = Golden.floats(GOLDEN.get("signal"));
        Spectrogram logMel = extractor.logMel(signal);
        // samples 20000..21599 are exactly 0: frame 130 is centred at 20800, its 1024-sample span lies in the gap
        for (int m = 0; m < 64; m++) {
            assertEquals(AudioLdm2MelExtractor.LOG_FLOOR_VALUE, logMel.get(130, m));
        }
        assertEquals(-11.512925f, AudioLdm2MelExtractor.LOG_FLOOR_VALUE, 1e-6f);
    }

    @Test
    void magnitudesAndEnergyMatchUpstream() {
        float[] signal = Golden.floats(GOLDEN.get("signal"));
        float[] expected = Golden.floats(GOLDEN.get("magnitudes_first_frames")); // [513, 4]
        float[] energy = Golden.floats(GOLDEN.get("energy"));
        Spectrogram mags = extractor.magnitudes(signal);
        double maxDiff = 0;
        double maxRel = 0;
        for (int k = 0; k < 513; k++) {
            for (int t = 0; t < 4; t++) {
                double d = Math.abs(mags.get(t, k) - expected[k * 4 + t]);
                maxDiff = Math.max(maxDiff, d);
            }
        }
        for (int t = 0; t < mags.numFrames(); t++) {
            double e = 0;
            for (int k = 0; k < 513; k++) {
                e += (double) mags.get(t, k) * mags.get(t, k);
            }
            maxRel = Math.max(maxRel, Math.abs(Math.sqrt(e) - energy[t]) / Math.max(1e-3, energy[t]));
        }
        report("magnitudes (first 4 frames) abs", maxDiff);
        report("energy relative", maxRel);
        assertTrue(maxDiff <= 1e-4, "magnitude max abs diff " + maxDiff);
        assertTrue(maxRel <= 1e-5, "energy max rel diff " + maxRel);
    }

    @Test
    void wavToFbankMatchesUpstream() {
        JsonNode fb = Golden.load("logmel_audioldm2_wav_to_fbank.json");
        float[] signal = Golden.floats(GOLDEN.get("signal"));
        for (JsonNode c : fb.get("cases")) {
            double duration = c.get("duration").asDouble();
            int targetLength = c.get("target_length").asInt();
            assertEquals(targetLength, AudioLdm2MelExtractor.targetLength(duration));
            float[] expectedWave = Golden.floats(c.get("waveform"));
            float[] expectedFbank = Golden.floats(c.get("fbank")); // [target_length, 64]

            AudioLdm2MelExtractor.Fbank result = extractor.wavToFbank(signal, targetLength);
            assertEquals(expectedWave.length, result.waveform().length, "waveform length for duration " + duration);
            double maxWave = 0;
            for (int i = 0; i < expectedWave.length; i++) {
                maxWave = Math.max(maxWave, Math.abs(result.waveform()[i] - expectedWave[i]));
            }
            assertEquals(targetLength, result.fbank().numFrames());
            float[] actual = result.fbank().toArray();
            double maxFbank = 0;
            for (int i = 0; i < expectedFbank.length; i++) {
                maxFbank = Math.max(maxFbank, Math.abs(actual[i] - expectedFbank[i]));
            }
            report("wav_to_fbank duration " + duration + " waveform", maxWave);
            report("wav_to_fbank duration " + duration + " fbank", maxFbank);
            assertTrue(maxWave <= 1e-6, "waveform max abs diff " + maxWave);
            assertTrue(maxFbank <= 1e-4, "fbank max abs diff " + maxFbank);
        }
    }

    static void report(String what, double maxAbs) {
        System.out.printf("[golden] %s: max abs error %.3e%n", what, maxAbs);
    }
}
