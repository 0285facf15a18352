package io.github.audioldm4j.random;

/**
 * Supplies standard-normal noise to stochastic scheduler steps. A
 * {@code io.github.audioldm4j.random.TorchGenerator} is one (it reproduces
 * {@code torch.randn(shape, generator=g)}); tests supply recorded noise.
 */
@FunctionalInterface
public interface NoiseSource {
    /** Returns {@code n} N(0,1) float32 values, as one {@code torch.randn} call of numel n would. */
    float[] randn(int n);
}
