package io.github.audioldm4j.util;

import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/**
 * Argument validation for public entry points.
 *
 * <p>Every failure is an {@link IllegalArgumentException} (or {@link NullPointerException} for
 * nulls) whose message names the argument, the constraint and the offending value, e.g.
 * {@code "numInferenceSteps must be >= 1, got 0"}.
 */
public final class Check {
    private Check() {}

    public static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }

    public static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    public static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    public static int nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
        return value;
    }

    public static int inRange(String name, int value, int minInclusive, int maxInclusive) {
        if (value < minInclusive || value > maxInclusive) {
            throw new IllegalArgumentException(
                    name + " must be in [" + minInclusive + ", " + maxInclusive + "], got " + value);
        }
        return value;
    }

    /** Requires a finite value. */
    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, got " + value);
        }
        return value;
    }

    public static double positive(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
        }
        return value;
    }

    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    /** Closed interval [min, max]. */
    public static double inRange(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(
                    name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /** Half-open interval (min, max]. */
    public static double inRangeExclusiveMin(String name, double value, double min, double max) {
        if (!(value > min && value <= max)) {
            throw new IllegalArgumentException(
                    name + " must be in (" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    public static float[] notEmpty(String name, float[] values) {
        notNull(name, values);
        if (values.length == 0) {
            throw new IllegalArgumentException(name + " must not be empty, got length 0");
        }
        return values;
    }

    public static <C extends Collection<?>> C notEmpty(String name, C values) {
        notNull(name, values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty, got an empty collection");
        }
        return values;
    }

    public static String notBlank(String name, String value) {
        notNull(name, value);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, got \"" + value + "\"");
        }
        return value;
    }

    /** Requires every element to be finite (no NaN, no infinity); reports the first bad index. */
    public static float[] allFinite(String name, float[] values) {
        notNull(name, values);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(
                        name + " must contain only finite values, got " + values[i] + " at index " + i);
            }
        }
        return values;
    }

    /** Requires {@code values.length == expected}. */
    public static float[] length(String name, float[] values, int expected) {
        notNull(name, values);
        if (values.length != expected) {
            throw new IllegalArgumentException(
                    name + " must have length " + expected + ", got " + values.length);
        }
        return values;
    }

    /** Requires two shapes to be equal; the message prints both. */
    public static void sameShape(String name, long[] expected, long[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new IllegalArgumentException(
                    name + " must have shape " + Arrays.toString(expected) + ", got " + Arrays.toString(actual));
        }
    }

    public static void state(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    public static void argument(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    public static <T> T requireNonNullElement(String name, T value, int index) {
        return Objects.requireNonNull(value, () -> name + "[" + index + "] must not be null");
    }

    /** Requires a non-null, non-empty, all-finite waveform of at least {@code minLength} samples. */
    public static float[] waveform(String name, float[] samples, int minLength) {
        notEmpty(name, samples);
        if (samples.length < minLength) {
            throw new IllegalArgumentException(
                    name + ".length must be >= " + minLength + " samples, got " + samples.length);
        }
        return allFinite(name, samples);
    }
}
