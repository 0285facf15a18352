package io.github.audioldm4j.pipeline;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Cooperative cancellation: the pipeline checks it between denoising steps (and between
 * stages) and throws {@link PipelineCancelledException}. Thread-safe; cancel from any thread.
 * {@link Thread#interrupt()} of the thread running the pipeline counts as cancellation too (the
 * interrupt status is left set, so the caller still sees it).
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

    /** Throws if cancelled or if the current thread is interrupted. */
    public void throwIfCancelled(String where) {
        if (cancelled.get()) {
            throw new PipelineCancelledException("cancelled " + where);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new PipelineCancelledException("interrupted " + where + " (Thread.interrupt)");
        }
    }
}
