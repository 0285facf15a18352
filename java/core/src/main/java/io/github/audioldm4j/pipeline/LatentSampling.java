package io.github.audioldm4j.pipeline;

/** How an audio's VAE posterior becomes latents. */
public enum LatentSampling {
    /** The posterior mean ({@code latent_dist.mode()}): deterministic. */
    MODE,
    /** {@code mean + std * eps} with eps from the request's seed ({@code latent_dist.sample(generator)}), as the original repository does. */
    SAMPLE
}
