package io.github.audioldm4j.pipeline;

/** A pipeline run was stopped through its {@link CancellationToken}. */
public class PipelineCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PipelineCancelledException(String message) {
        super(message);
    }
}
