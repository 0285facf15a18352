package io.github.audioldm4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.report.ComparisonReport;
import io.github.audioldm4j.report.ReportHtml;
import io.github.audioldm4j.report.ReportJson;
import io.github.audioldm4j.testing.TestSignals;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The registry is the one list of metrics: the set, the JSON and the HTML table all follow it. */
class MetricRegistryTest {
    private static final int SR = 48000;

    @Test
    void keysAreUniqueAndLookupNamesTheKnownKeys() {
        List<Metric> all = MetricRegistry.all();
        assertEquals(all.size(), all.stream().map(Metric::key).distinct().count());
        for (Metric m : all) {
            assertEquals(m, MetricRegistry.get(m.key()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricRegistry.get("pesq"));
        assertTrue(e.getMessage().startsWith("metric key must be one of [lsd, "), e.getMessage());
        assertTrue(e.getMessage().endsWith("got \"pesq\""), e.getMessage());
        // no loss above 8 kHz at 16 kHz, none above 4 kHz at 8 kHz
        assertTrue(!MetricRegistry.applicableAt(16000).contains(MetricRegistry.HF_LOSS_8K));
        assertTrue(MetricRegistry.applicableAt(16000).contains(MetricRegistry.HF_LOSS_4K));
        assertTrue(!MetricRegistry.applicableAt(8000).contains(MetricRegistry.HF_LOSS_4K));
        assertEquals(all, MetricRegistry.applicableAt(48000));
    }

    @Test
    void everyRegisteredMetricReachesTheSetTheJsonAndTheTable() throws Exception {
        float[] ref = TestSignals.whiteNoise(SR, 0.1, 3);
        float[] cand = TestSignals.lowPass(ref, SR, 6000);
        MetricSet set = MetricSet.compute(ref, cand, SR);
        assertEquals(MetricRegistry.all().stream().map(Metric::key).toList(), List.copyOf(set.values().keySet()));
        ComparisonReport report = ComparisonReport.builder(ref, SR).addStage("low-pass", "6 kHz", cand, 0.1).build();
        JsonNode root = new ObjectMapper().readTree(ReportJson.toJson(report));
        String html = ReportHtml.toHtml(report);
        for (Metric m : MetricRegistry.all()) {
            JsonNode info = root.get("metric_info").get(m.key());
            assertEquals(m.label(), info.get("label").asText(), m.key());
            assertEquals(m.direction().json(), info.get("better").asText(), m.key());
            assertTrue(root.get("stages").get(0).get("metrics").has(m.key()), m.key());
            assertTrue(html.contains(m.label().replace("&", "&amp;").replace(">", "&gt;")), "HTML table has a column " + m.label());
            OptionalDouble v = set.value(m);
            JsonNode j = root.get("stages").get(0).get("metrics").get(m.key());
            if (v.isPresent()) {
                assertEquals(v.getAsDouble(), j.asDouble(), 1e-9 * Math.max(1, Math.abs(v.getAsDouble())), m.key());
            }
        }
    }

    @Test
    void metricSetNeedsExactlyTheRegisteredKeys() {
        float[] ref = TestSignals.whiteNoise(SR, 0.1, 4);
        MetricSet full = MetricSet.compute(ref, ref.clone(), SR);
        Map<String, OptionalDouble> missing = new HashMap<>(full.values());
        missing.remove("lsd");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MetricSet(missing, full.reference(), full.candidate()));
        assertTrue(e.getMessage().startsWith("values must hold metric \"lsd\""), e.getMessage());
        Map<String, OptionalDouble> extra = new HashMap<>(full.values());
        extra.put("pesq", OptionalDouble.of(1));
        e = assertThrows(IllegalArgumentException.class, () -> new MetricSet(extra, full.reference(), full.candidate()));
        assertTrue(e.getMessage().startsWith("values must hold only the registry's metrics"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> full.value("pesq"));
        assertTrue(e.getMessage().contains("got \"pesq\""), e.getMessage());
    }

    @Test
    void directionsScoreAsTheTableHighlights() {
        assertEquals(2.0, Direction.LOWER.badness(2.0, Double.NaN));
        assertEquals(-2.0, Direction.HIGHER.badness(2.0, Double.NaN));
        assertEquals(3.0, Direction.CLOSER_TO_ZERO.badness(-3.0, Double.NaN));
        assertEquals(5.0, Direction.CLOSER_TO_REFERENCE.badness(1005.0, 1000.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Metric("x", "x", "",
                Direction.CLOSER_TO_REFERENCE, 0, in -> OptionalDouble.empty(), null));
        assertTrue(e.getMessage().contains("feature must be given exactly for CLOSER_TO_REFERENCE"), e.getMessage());
    }
}
