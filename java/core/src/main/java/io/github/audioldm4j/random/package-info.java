/**
 * Torch-compatible pseudo-random numbers on the CPU: {@link io.github.audioldm4j.random.TorchGenerator}
 * reproduces {@code torch.Generator('cpu').manual_seed(seed)} with {@code torch.randn} and
 * {@code torch.rand} bit for bit, so that a seed gives the same latents and scheduler noise as a
 * diffusers run on CPU.
 */
package io.github.audioldm4j.random;
