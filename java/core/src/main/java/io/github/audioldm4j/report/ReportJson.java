package io.github.audioldm4j.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.analysis.FrequencyBand;
import io.github.audioldm4j.analysis.Metric;
import io.github.audioldm4j.analysis.MetricRegistry;
import io.github.audioldm4j.analysis.MetricSet;
import java.io.UncheckedIOException;
import java.util.OptionalDouble;

/** Writes a {@link ComparisonReport} as JSON, schema version 1 (documented on {@link ComparisonReport}). */
public final class ReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {}

    /** The report as JSON (schema version 1, pretty-printed, deterministic). */
    public static String toJson(ComparisonReport r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema_version", ComparisonReport.SCHEMA_VERSION);
        root.put("generator", ComparisonReport.GENERATOR);
        root.put("title", r.title());
        ObjectNode input = root.putObject("input");
        input.put("description", r.inputDescription());
        input.put("sample_rate", r.sampleRate());
        input.put("num_samples", r.referenceLength());
        input.put("duration_seconds", (double) r.referenceLength() / r.sampleRate());
        input.put("audio_file", ComparisonReport.AUDIO_DIR + "/" + ComparisonReport.referenceAudioFileName());
        ObjectNode info = root.putObject("metric_info");
        for (Metric c : MetricRegistry.all()) {
            ObjectNode m = info.putObject(c.key());
            m.put("label", c.label());
            m.put("unit", c.unit());
            m.put("better", c.direction().json());
        }
        ArrayNode bands = root.putArray("bands");
        for (FrequencyBand b : r.referenceBands().bands()) {
            ObjectNode o = bands.addObject();
            o.put("label", b.label());
            o.put("low_hz", b.lowHz());
            o.put("high_hz", b.highHz());
        }
        ObjectNode ref = root.putObject("reference");
        numbers(ref.putArray("band_levels_db"), r.referenceBands().levelsDb());
        number(ref, "spectral_centroid_hz", r.referenceShape().centroidHz());
        number(ref, "spectral_rolloff_hz", r.referenceShape().rolloffHz());
        ArrayNode stages = root.putArray("stages");
        for (ComparisonReport.Stage s : r.stages()) {
            ObjectNode o = stages.addObject();
            o.put("index", s.index());
            o.put("name", s.name());
            o.put("description", s.description());
            o.put("status", s.status().jsonName());
            if (s.ran()) {
                o.putNull("skip_reason");
                number(o, "elapsed_seconds", s.elapsedSeconds());
                o.put("num_samples", s.numSamples());
                o.put("compared_samples", s.comparedSamples());
                o.put("audio_file", ComparisonReport.AUDIO_DIR + "/" + s.audioFileName());
                ObjectNode m = o.putObject("metrics");
                MetricSet ms = s.metrics();
                for (Metric c : MetricRegistry.all()) {
                    OptionalDouble v = ms.value(c);
                    if (v.isPresent()) {
                        number(m, c.key(), v.getAsDouble());
                    } else {
                        m.putNull(c.key());
                    }
                }
                numbers(m.putArray("band_levels_db"), ms.candidateBands().levelsDb());
                numbers(m.putArray("band_difference_db"), ms.bandDifferenceDb());
            } else {
                o.put("skip_reason", s.skipReason());
                o.putNull("elapsed_seconds");
                o.putNull("num_samples");
                o.putNull("compared_samples");
                o.putNull("audio_file");
                o.putNull("metrics");
            }
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("JSON serialisation failed", e);
        }
    }

    /** Finite numbers as numbers; infinities and NaN as the strings "Infinity", "-Infinity", "NaN". */
    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.put(key, Double.toString(v));
        }
    }

    private static void numbers(ArrayNode a, double[] values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                a.add(v);
            } else {
                a.add(Double.toString(v));
            }
        }
    }
}
