package io.github.audioldm4j.dsp;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits a range of frames into chunks and runs them on the calling thread plus up to {@code parallelism - 1}
 * helpers from the common fork-join pool. Chunks are handed out by an atomic counter, so the caller finishes the
 * whole range by itself when the pool is busy; nothing ever waits for a helper that has not started.
 */
final class FrameParallel {
    private FrameParallel() {}

    /** Work on frames {@code [from, to)} with a per-thread state. */
    @FunctionalInterface
    interface RangeBody<S> {
        void run(int from, int to, S state);
    }

    /** Supplies and takes back per-thread state (e.g. an FFT workspace). */
    interface StatePool<S> {
        S acquire();

        void release(S state);
    }

    static <S> void run(int count, int grain, int parallelism, StatePool<S> pool, RangeBody<S> body) {
        int chunks = (count + grain - 1) / grain;
        if (parallelism <= 1 || chunks <= 1) {
            S state = pool.acquire();
            try {
                body.run(0, count, state);
            } finally {
                pool.release(state);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(chunks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            S state = null;
            try {
                int c;
                while ((c = next.getAndIncrement()) < chunks) {
                    try {
                        if (state == null) {
                            state = pool.acquire();
                        }
                        if (failure.get() == null) {
                            body.run(c * grain, Math.min(count, (c + 1) * grain), state);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        done.countDown();
                    }
                }
            } finally {
                if (state != null) {
                    pool.release(state);
                }
            }
        };
        int helpers = Math.min(parallelism, chunks) - 1;
        for (int i = 0; i < helpers; i++) {
            ForkJoinPool.commonPool().execute(worker);
        }
        worker.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for STFT worker threads", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }
}
