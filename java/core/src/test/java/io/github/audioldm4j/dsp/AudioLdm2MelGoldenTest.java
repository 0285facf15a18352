package io.github.audioldm4j.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.testing.Golden;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * AudioLDM2 log-mel front end against {@code logmel_audioldm2.json} and
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
        long[] shape = Golden.shape(GOLDEN.get("mel_basis"));
        int mels = (int) shape[0];
        int bins = (int) shape[1];
        assertEquals(params("n_mel_channels"), mels, "mel_basis rows = params.n_mel_channels");
        assertEquals(params("filter_length") / 2 + 1, bins, "mel_basis columns = filter_length / 2 + 1");
        float[][] actual = AudioLdm2MelExtractor.melFilterBank().toFloatMatrix();
        assertEquals(mels, actual.length, "mel bands");
        assertEquals(bins, actual[0].length, "frequency bins");
        double maxDiff = 0;
        int exact = 0;
        for (int m = 0; m < mels; m++) {
            for (int k = 0; k < bins; k++) {
                float e = expected[m * bins + k];
                float a = actual[m][k];
                maxDiff = Math.max(maxDiff, Math.abs(a - e));
                if (a == e) { // numerically equal (+0.0 == -0.0)
                    exact++;
                }
            }
        }
        report("mel_basis vs librosa 0.9.2 (equal " + exact + "/" + mels * bins + ")", maxDiff);
        assertEquals(mels * bins, exact, "entries equal to the librosa float32 basis");
    }

    @Test
    void logMelMatchesUpstreamTacotronStft() {
        float[] signal = Golden.floats(GOLDEN.get("signal"));
        float[] expected = Golden.floats(GOLDEN.get("log_mel")); // [64, frames]
        double[] reference = Golden.doubles(GOLDEN.get("log_mel_f64_reference"));
        long[] shape = Golden.shape(GOLDEN.get("log_mel"));
        int mels = (int) shape[0];
        int frames = (int) shape[1];
        assertEquals(1 + signal.length / params("hop_length"), frames, "centred STFT frame count");

        Spectrogram logMel = extractor.logMel(signal);
        assertEquals(frames, logMel.numFrames());
        assertEquals(mels, logMel.numBins());
        float[][] binMajor = logMel.toBinMajor();
        double maxUpstream = 0;
        double maxReference = 0;
        for (int m = 0; m < mels; m++) {
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
        int hop = params("hop_length");
        int win = params("filter_length");
        // every centred frame whose whole window lies in a run of exact zeros of the golden signal
        // (found in the data, not assumed) must be the log floor in every band
        int silentFrames = 0;
        for (int t = 0; t < logMel.numFrames(); t++) {
            int from = t * hop - win / 2;
            int to = from + win;
            if (from < 0 || to > signal.length || !allZero(signal, from, to)) {
                continue;
            }
            silentFrames++;
            for (int m = 0; m < logMel.numBins(); m++) {
                assertEquals(AudioLdm2MelExtractor.LOG_FLOOR_VALUE, logMel.get(t, m),
                        "frame " + t + " (samples " + from + ".." + (to - 1) + " are 0), band " + m);
            }
        }
        report("silent frames found in the golden signal: " + silentFrames, 0);
        Assumptions.assumeTrue(silentFrames > 0, "the golden signal has no silent span as long as one window");
        assertEquals((float) Math.log(1e-5), AudioLdm2MelExtractor.LOG_FLOOR_VALUE, "log(clamp(x, min=1e-5)) floor");
    }

    private static boolean allZero(float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            if (x[i] != 0f) {
                return false;
            }
        }
        return true;
    }

    private static int params(String field) {
        JsonNode v = GOLDEN.get("params").get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalStateException("logmel_audioldm2.json params." + field + " missing or not an integer");
        }
        return v.asInt();
    }

    @Test
    void magnitudesAndEnergyMatchUpstream() {
        float[] signal = Golden.floats(GOLDEN.get("signal"));
        float[] expected = Golden.floats(GOLDEN.get("magnitudes_first_frames")); // [bins, first frames]
        long[] shape = Golden.shape(GOLDEN.get("magnitudes_first_frames"));
        int bins = (int) shape[0];
        int first = (int) shape[1];
        float[] energy = Golden.floats(GOLDEN.get("energy"));
        Spectrogram mags = extractor.magnitudes(signal);
        assertEquals(bins, mags.numBins(), "frequency bins");
        assertEquals(energy.length, mags.numFrames(), "frames (energy length)");
        double maxDiff = 0;
        double maxRel = 0;
        for (int k = 0; k < bins; k++) {
            for (int t = 0; t < first; t++) {
                double d = Math.abs(mags.get(t, k) - expected[k * first + t]);
                maxDiff = Math.max(maxDiff, d);
            }
        }
        for (int t = 0; t < mags.numFrames(); t++) {
            double e = 0;
            for (int k = 0; k < bins; k++) {
                e += (double) mags.get(t, k) * mags.get(t, k);
            }
            maxRel = Math.max(maxRel, Math.abs(Math.sqrt(e) - energy[t]) / Math.max(1e-3, energy[t]));
        }
        report("magnitudes (first " + first + " frames) abs", maxDiff);
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
