package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.io.SampleInput;
import io.github.audioldm4j.io.SampleSource;
import io.github.audioldm4j.util.Check;
import java.io.IOException;

/**
 * The level transform {@link LongAudio} applies to every window: {@code clip((x - mean) * gain, -1, 1)}
 * in, {@code y / gain} out. With AudioLDM2's normalisation ({@code wav_to_fbank}: mean removal and
 * peak 0.5, audioldm2/utils.py) the mean and the peak are those of the whole input, measured in
 * one streaming pass ({@link #measure}), so every window gets the same gain and no seam shows a
 * level jump; without it, mean 0 and gain 1 ({@link #NONE}).
 *
 * @param mean subtracted from every input sample
 * @param gain multiplies the input; outputs are divided by it; {@code > 0}
 */
public record InputLevel(float mean, float gain) {
    /** No normalisation. */
    public static final InputLevel NONE = new InputLevel(0f, 1f);

    /** Validates the fields. */
    public InputLevel {
        if (!Float.isFinite(mean)) {
            throw new IllegalArgumentException("mean must be finite, got " + mean);
        }
        if (!(gain > 0) || !Float.isFinite(gain)) {
            throw new IllegalArgumentException("gain must be finite and > 0, got " + gain);
        }
    }

    /**
     * Reads the input once and returns AudioLDM2's normalisation for it: the mean, and the gain
     * that brings the largest |x - mean| to 0.5.
     *
     * @throws IllegalArgumentException if the input is empty, constant or holds a non-finite sample
     */
    public static InputLevel measure(SampleInput input) throws IOException {
        Check.notNull("input", input);
        double sum = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        long n = 0;
        float[] block = new float[1 << 16];
        try (SampleSource s = input.open()) {
            for (int k; (k = s.read(block, 0, block.length)) >= 0; ) {
                for (int i = 0; i < k; i++) {
                    float v = block[i];
                    if (!Float.isFinite(v)) {
                        throw new IllegalArgumentException("audio must contain only finite values, got " + v
                                + " at sample " + (n + i) + " of " + input.description());
                    }
                    sum += v;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                n += k;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("audio must not be empty: " + input.description() + " holds no samples");
        }
        float mean = (float) (sum / n);
        double peak = Math.max(max - mean, mean - min);
        if (!(peak > 0)) {
            throw new IllegalArgumentException("audio must not be constant (normalisation divides by its peak): "
                    + input.description() + " holds " + n + " samples equal to " + min);
        }
        return new InputLevel(mean, (float) (0.5 / peak));
    }
}
