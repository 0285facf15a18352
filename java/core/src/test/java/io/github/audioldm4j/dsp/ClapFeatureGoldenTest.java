package io.github.audioldm4j.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.testing.Golden;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** ClapFeatureExtractor against {@code logmel_clap.json} (transformers ClapFeatureExtractor output). */
class ClapFeatureGoldenTest {
    private static final JsonNode GOLDEN = Golden.load("logmel_clap.json");
    private final ClapFeatureExtractor extractor = new ClapFeatureExtractor();

    @Test
    void configMatchesGoldenConfig() {
        JsonNode c = GOLDEN.get("config");
        ClapFeatureExtractor.Config cfg = extractor.config();
        assertEquals(c.get("sampling_rate").asInt(), cfg.samplingRate());
        assertEquals(c.get("feature_size").asInt(), cfg.featureSize());
        assertEquals(c.get("fft_window_size").asInt(), cfg.fftWindowSize());
        assertEquals(c.get("hop_length").asInt(), cfg.hopLength());
        assertEquals(c.get("frequency_min").asDouble(), cfg.frequencyMin());
        assertEquals(c.get("frequency_max").asDouble(), cfg.frequencyMax());
        assertEquals(c.get("nb_max_samples").asInt(), cfg.maxLengthSamples());
        assertEquals("repeatpad", c.get("padding").asText());
        assertEquals(ClapFeatureExtractor.Padding.REPEATPAD, cfg.padding());
        assertEquals("rand_trunc", c.get("truncation").asText());
        assertEquals(c.get("nb_max_frames").asInt() + 1, extractor.numFrames());
    }

    @Test
    void slaneyFiltersMatchTransformers() {
        double[] expected = Golden.doubles(GOLDEN.get("mel_filters_slaney")); // [bins, mels]
        long[] shape = Golden.shape(GOLDEN.get("mel_filters_slaney"));
        int bins = (int) shape[0];
        int mels = (int) shape[1];
        assertEquals(GOLDEN.get("config").get("nb_frequency_bins").asInt(), bins, "config.nb_frequency_bins");
        assertEquals(GOLDEN.get("config").get("feature_size").asInt(), mels, "config.feature_size");
        MelFilterBank fb = extractor.melFilters();
        double maxDiff = 0;
        for (int k = 0; k < bins; k++) {
            for (int m = 0; m < mels; m++) {
                double e = expected[k * mels + m];
                double d = Math.abs(fb.weight(m, k) - e);
                maxDiff = Math.max(maxDiff, d);
            }
        }
        AudioLdm2MelGoldenTest.report("CLAP mel_filters_slaney (float64)", maxDiff);
        assertTrue(maxDiff <= 1e-15, "abs diff " + maxDiff);
    }

    @Test
    void inputFeaturesMatchTransformers() {
        float[] signal = Golden.floats(GOLDEN.get("signal"));
        float[] expected = Golden.floats(GOLDEN.get("input_features"));
        long[] shape = Golden.shape(GOLDEN.get("input_features"));
        // a clip longer than max_length_s is cut at a random offset (rand_trunc): not reproducible
        Assumptions.assumeFalse(GOLDEN.get("is_longer").asBoolean(), "golden clip is longer than max_length_s");
        ClapFeatureExtractor.Features f = extractor.extract(signal, GOLDEN.get("config").get("sampling_rate").asInt(),
                new SplittableRandom(0));
        assertArrayEquals(shape, f.shape());
        assertFalse(f.isLonger(), "is_longer");
        double maxDiff = 0;
        float[] actual = f.inputFeatures();
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
        }
        AudioLdm2MelGoldenTest.report("CLAP input_features (dB)", maxDiff);
        assertTrue(maxDiff <= 1e-4, "input_features max abs diff (dB) " + maxDiff);
    }
}
