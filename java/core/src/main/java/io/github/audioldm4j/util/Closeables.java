package io.github.audioldm4j.util;

/** Closing several resources so that one failure does not leak the others. */
public final class Closeables {
    private Closeables() {}

    /**
     * Closes every non-null resource in order, even if some throw; rethrows the first failure with
     * the later ones added as suppressed exceptions. Checked exceptions are wrapped in
     * {@link IllegalStateException}.
     */
    public static void closeAll(Iterable<? extends AutoCloseable> resources) {
        Throwable first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception | Error e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException("closing failed: " + first.getMessage(), first);
        }
    }

    /** {@link #closeAll(Iterable)} for an argument list. */
    public static void closeAll(AutoCloseable... resources) {
        closeAll(java.util.Arrays.asList(resources));
    }
}
