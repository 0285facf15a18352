package io.github.audioldm4j.pipeline;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Cooperative cancellation: the pipeline checks it between denoising steps (and between
 * stages) and throws {@link PipelineCancelledException}. Thread-safe; cancel from any thread.
 */
public final class CancellationToken {
    private final AtomicBoolean cancelled = new AtomicBoolean();

    /** A token that is never cancelled. */
    public static CancellationToken none() {
        return new CancellationToken();
    }

    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** Throws if cancelled. */
    public void throwIfCancelled(String where) {
        if (cancelled.get()) {
            throw new PipelineCancelledException("cancelled " + where);
        }
    }
}
