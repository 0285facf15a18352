package io.github.audioldm4j.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Typed, path-aware access to manifest fields; every failure names file, field, expectation and value. */
final class JsonFields {
    private final Path file;

    JsonFields(Path file) {
        this.file = file;
    }

    BundleException error(String field, String expected, JsonNode actual) {
        return new BundleException(file, "field '" + field + "' must be " + expected + ", got "
                + (actual == null || actual.isMissingNode() ? "nothing (field missing)" : abbreviate(actual)));
    }

    BundleException error(String field, String message) {
        return new BundleException(file, "field '" + field + "' " + message);
    }

    static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    JsonNode object(JsonNode parent, String prefix, String key) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isObject()) {
            throw error(join(prefix, key), "a JSON object", n);
        }
        return n;
    }

    JsonNode array(JsonNode parent, String prefix, String key) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isArray()) {
            throw error(join(prefix, key), "a JSON array", n);
        }
        return n;
    }

    String string(JsonNode parent, String prefix, String key) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw error(join(prefix, key), "a non-empty string", n);
        }
        return n.asText();
    }

    String optionalString(JsonNode parent, String key, String dflt) {
        JsonNode n = parent.get(key);
        return n == null || n.isNull() ? dflt : n.asText();
    }

    int positiveInt(JsonNode parent, String prefix, String key) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
            throw error(join(prefix, key), "an integer in [1, " + Integer.MAX_VALUE + "]", n);
        }
        return n.intValue();
    }

    double number(JsonNode parent, String prefix, String key, double min, boolean minExclusive) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isNumber() || !Double.isFinite(n.asDouble())
                || (minExclusive ? n.asDouble() <= min : n.asDouble() < min)) {
            throw error(join(prefix, key), "a finite number " + (minExclusive ? "> " : ">= ") + min, n);
        }
        return n.asDouble();
    }

    boolean optionalBoolean(JsonNode parent, String prefix, String key, boolean dflt) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw error(join(prefix, key), "a boolean", n);
        }
        return n.asBoolean();
    }
}
