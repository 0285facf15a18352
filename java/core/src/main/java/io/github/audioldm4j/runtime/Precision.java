package io.github.audioldm4j.runtime;

import io.github.audioldm4j.util.Check;
import java.util.Locale;

/**
 * The floating-point type a module computes in. Host tensors are always float32; the runtime
 * casts float inputs to this type on the device and casts float outputs back to float32.
 */
public enum Precision {
    FP32, FP16, BF16;

    /** Parses {@code fp32|float32|fp16|float16|half|bf16|bfloat16} (case-insensitive). */
    public static Precision parse(String text) {
        Check.notNull("precision", text);
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "fp32": case "float32": case "float": return FP32;
            case "fp16": case "float16": case "half": return FP16;
            case "bf16": case "bfloat16": return BF16;
            default:
                throw new IllegalArgumentException(
                        "precision must be one of fp32, fp16, bf16, got \"" + text + "\"");
        }
    }
}
