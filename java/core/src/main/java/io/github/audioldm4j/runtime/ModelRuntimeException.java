package io.github.audioldm4j.runtime;

/** A failure inside a model runtime: loading a module, running it, or a native error. */
public class ModelRuntimeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelRuntimeException(String message) {
        super(message);
    }

    public ModelRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
