package io.github.audioldm4j.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A diffusers {@code scheduler_config.json}, kept verbatim with diffusers' field names
 * ({@code beta_start}, {@code timestep_spacing}, ...). Each scheduler reads the fields it knows and
 * applies its own documented defaults for absent ones. Immutable.
 */
public final class SchedulerConfig {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, JsonNode> fields;

    private SchedulerConfig(Map<String, JsonNode> fields) {
        this.fields = Collections.unmodifiableMap(fields);
    }

    /** The cvssp/audioldm2 DDIM configuration (scheduler/scheduler_config.json). */
    public static SchedulerConfig audioLdm2() {
        return fromJson(MAPPER.createObjectNode()
                .put("_class_name", "DDIMScheduler")
                .put("num_train_timesteps", 1000)
                .put("beta_start", 0.0015)
                .put("beta_end", 0.0195)
                .put("beta_schedule", "scaled_linear")
                .put("clip_sample", false)
                .put("set_alpha_to_one", false)
                .put("steps_offset", 1)
                .put("prediction_type", "epsilon")
                .put("timestep_spacing", "leading"));
    }

    /** Wraps a JSON object (e.g. the manifest's {@code scheduler} field). */
    public static SchedulerConfig fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("scheduler config must be a JSON object, got "
                    + (node == null ? "null" : node.getNodeType()));
        }
        Map<String, JsonNode> m = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        return new SchedulerConfig(m);
    }

    /** Returns a copy with {@code key} set to {@code value} (a String, Number, Boolean or null). */
    public SchedulerConfig with(String key, Object value) {
        Map<String, JsonNode> m = new LinkedHashMap<>(fields);
        m.put(key, MAPPER.valueToTree(value));
        return new SchedulerConfig(m);
    }

    /** The {@code _class_name} field, or null. */
    public String className() {
        JsonNode n = fields.get("_class_name");
        return n == null || n.isNull() ? null : n.asText();
    }

    public boolean has(String key) {
        JsonNode n = fields.get(key);
        return n != null && !n.isNull();
    }

    public JsonNode raw(String key) {
        return fields.get(key);
    }

    public Map<String, JsonNode> asMap() {
        return fields;
    }

    public int getInt(String key, int dflt) {
        JsonNode n = fields.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.canConvertToInt() || (n.isFloatingPointNumber() && n.asDouble() != Math.rint(n.asDouble()))) {
            throw new IllegalArgumentException("scheduler config field " + key + " must be an integer, got " + n);
        }
        return n.asInt();
    }

    public double getDouble(String key, double dflt) {
        JsonNode n = fields.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isTextual()) {
            switch (n.asText()) {
                case "inf": case "+inf": case "Infinity": return Double.POSITIVE_INFINITY;
                case "-inf": case "-Infinity": return Double.NEGATIVE_INFINITY;
                case "nan": case "NaN": return Double.NaN;
                default: break;
            }
        }
        throw new IllegalArgumentException("scheduler config field " + key + " must be a number, got " + n);
    }

    public boolean getBoolean(String key, boolean dflt) {
        JsonNode n = fields.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException("scheduler config field " + key + " must be a boolean, got " + n);
        }
        return n.asBoolean();
    }

    public String getString(String key, String dflt) {
        JsonNode n = fields.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException("scheduler config field " + key + " must be a string, got " + n);
        }
        return n.asText();
    }

    /** Requires {@code key}'s value (or default) to be one of {@code allowed}. */
    public String getEnum(String key, String dflt, String... allowed) {
        String v = getString(key, dflt);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException("scheduler config field " + key + " must be one of "
                + String.join(", ", allowed) + ", got \"" + v + "\"");
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
