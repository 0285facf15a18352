package io.github.audioldm4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.testing.Golden;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The metrics against independent Python implementations of the upstream formulas (fixture written by
 * {@code src/test/resources/analysis/make_metrics_fixture.py}: torch.stft + numpy, float64).
 */
class MetricsFixtureTest {
    private static final JsonNode FIXTURE = load();

    private static JsonNode load() {
        try (InputStream in = MetricsFixtureTest.class.getResourceAsStream("/analysis/metrics_fixture.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(String what, double expected, double actual, double relTol) {
        double err = Math.abs(actual - expected);
        System.out.printf("[MetricsFixtureTest] %-34s python %.10g java %.10g abs err %.3g%n", what, expected,
                actual, err);
        assertEquals(expected, actual, relTol * Math.max(1.0, Math.abs(expected)), what);
    }

    @Test
    void metricsMatchThePythonReference() {
        for (JsonNode c : FIXTURE.get("cases")) {
            String name = c.get("name").asText();
            int sr = c.get("sample_rate").asInt();
            float[] ref = Golden.floats(c.get("reference"));
            float[] est = Golden.floats(c.get("candidate"));
            MetricSet m = MetricSet.compute(ref, est, sr);
            // the Java STFTs round spectrogram values to float32: relative errors ~1e-7 per value
            check(name + " LSD", c.get("lsd").asDouble(), m.logSpectralDistance(), 1e-5);
            check(name + " LSD identity", c.get("lsd_identity").asDouble(), Metrics.logSpectralDistance(ref, ref),
                    1e-7);
            check(name + " MR-STFT", c.get("mrstft").asDouble(), m.multiResolutionStft(), 1e-5);
            check(name + " spectral convergence", c.get("spectral_convergence").asDouble(),
                    m.spectralConvergence(), 1e-5);
            check(name + " SI-SDR", c.get("si_sdr").asDouble(), m.siSdrDb(), 1e-9);
            double[] refBands = m.referenceBands().levelsDb();
            double[] estBands = m.candidateBands().levelsDb();
            assertEquals(c.get("reference_band_db").size(), refBands.length, name + " band count");
            for (int b = 0; b < refBands.length; b++) {
                check(name + " ref band " + b, c.get("reference_band_db").get(b).asDouble(), refBands[b], 1e-5);
                check(name + " est band " + b, c.get("candidate_band_db").get(b).asDouble(), estBands[b], 1e-5);
            }
            check(name + " ref centroid", c.get("reference_shape").get(0).asDouble(),
                    m.referenceShape().centroidHz(), 1e-5);
            check(name + " est centroid", c.get("candidate_shape").get(0).asDouble(),
                    m.candidateShape().centroidHz(), 1e-5);
            check(name + " ref rolloff", c.get("reference_shape").get(1).asDouble(),
                    m.referenceShape().rolloffHz(), 1e-9);
            check(name + " est rolloff", c.get("candidate_shape").get(1).asDouble(),
                    m.candidateShape().rolloffHz(), 1e-9);
        }
    }
}
