package io.github.audioldm4j.model;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.util.Check;

/**
 * The VAE posterior, a diagonal Gaussian (diffusers {@code DiagonalGaussianDistribution},
 * models/autoencoders/vae.py): moments [B,2C,H,W] split into mean = first C channels and
 * logvar = last C channels, logvar clamped to [-30, 20].
 */
public final class LatentDistribution {
    private final float[] mean;
    private final float[] logvar;
    private final long[] shape;

    private LatentDistribution(float[] mean, float[] logvar, long[] shape) {
        this.mean = mean;
        this.logvar = logvar;
        this.shape = shape;
    }

    /** Splits moments [B,2C,H,W] into mean and clamped logvar. */
    public static LatentDistribution fromMoments(HostTensor moments) {
        Check.notNull("moments", moments);
        long[] s = moments.shape();
        if (s.length != 4 || s[1] % 2 != 0) {
            throw new IllegalArgumentException("moments must have shape [B,2C,H,W], got " + java.util.Arrays.toString(s));
        }
        int b = (int) s[0];
        int c = (int) (s[1] / 2);
        int hw = (int) (s[2] * s[3]);
        float[] m = moments.floats();
        float[] mean = new float[b * c * hw];
        float[] logvar = new float[b * c * hw];
        for (int i = 0; i < b; i++) {
            System.arraycopy(m, i * 2 * c * hw, mean, i * c * hw, c * hw);
            for (int j = 0; j < c * hw; j++) {
                float v = m[i * 2 * c * hw + c * hw + j];
                logvar[i * c * hw + j] = Math.max(-30f, Math.min(20f, v));
            }
        }
        return new LatentDistribution(mean, logvar, new long[] {b, c, s[2], s[3]});
    }

    /** Shape [B,C,H,W] of a sample. */
    public long[] shape() {
        return shape.clone();
    }

    /** The mean ({@code mode()}). */
    public float[] mode() {
        return mean.clone();
    }

    /** The clamped log-variance. */
    public float[] logvar() {
        return logvar.clone();
    }

    /**
     * {@code mean + exp(0.5 * logvar) * eps} with eps drawn from {@code noise} in one call of the
     * sample's numel, as diffusers' {@code sample(generator)} draws {@code randn_tensor(mean.shape)}.
     */
    public float[] sample(NoiseSource noise) {
        Check.notNull("noise", noise);
        float[] eps = noise.randn(mean.length);
        float[] out = new float[mean.length];
        for (int i = 0; i < out.length; i++) {
            float std = (float) Math.exp(0.5f * logvar[i]);
            out[i] = mean[i] + std * eps[i];
        }
        return out;
    }
}
