package io.github.audioldm4j.model;

/**
 * A model component produced NaN or infinite values (or broke its output contract). Typical
 * causes: fp16 overflow in the VAE or UNet, corrupt weights.
 */
public class NonFiniteOutputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String component;
    private final int index;

    public NonFiniteOutputException(String message, String component, int index) {
        super(message);
        this.component = component;
        this.index = index;
    }

    /** The component name, e.g. {@code vae_decoder}. */
    public String component() {
        return component;
    }

    /** Flat index of the first bad value, or -1. */
    public int index() {
        return index;
    }
}
