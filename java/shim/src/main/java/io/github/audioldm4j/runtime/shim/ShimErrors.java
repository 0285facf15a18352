package io.github.audioldm4j.runtime.shim;

import io.github.audioldm4j.runtime.ModelRuntimeException;
import java.util.regex.Pattern;

/** Formats aldm2 failures as {@code "aldm2_x failed (status N NAME): message"}. */
final class ShimErrors {
    private static final String TORCHSCRIPT_PREFIX = "The following operation failed in the TorchScript interpreter.";
    /** The line a TorchScript traceback ends with, e.g. {@code "RuntimeError: Given groups=1, ..."}. */
    private static final Pattern ERROR_LINE = Pattern.compile("^[A-Za-z_][\\w.]*(Error|Exception): .*");

    private ShimErrors() {}

    /**
     * {@code function + " failed (status " + status + " " + statusName + "): " + summary(message)}.
     */
    static String describe(String function, int status, String statusName, String message) {
        return function + " failed (status " + status + " " + statusName + "): " + summary(message);
    }

    /** {@link #describe} with the status name from the library. */
    static String describe(String function, int status, String message) {
        return describe(function, status, Aldm2.statusName(status), message);
    }

    /** A {@link ModelRuntimeException} for a failed call; the full native message is its cause. */
    static ModelRuntimeException failure(String context, String function, int status, String message) {
        String text = (context.isEmpty() ? "" : context + ": ") + describe(function, status, message);
        return new ModelRuntimeException(text, traceback(message));
    }

    /** Throws {@link #failure} unless {@code status} is OK; the message is read only on failure. */
    static void check(int status, String function, java.util.function.Supplier<String> message) {
        if (status != Aldm2.STATUS_OK) {
            throw failure("", function, status, message.get());
        }
    }

    /**
     * The part of a native message worth a one-line exception message. TorchScript interpreter
     * errors carry two tracebacks (serialized and original code) before the actual error line;
     * that line and anything after it is kept. Other messages have their line breaks folded.
     */
    static String summary(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        String[] lines = message.strip().split("\\R");
        int from = 0;
        if (lines[0].startsWith(TORCHSCRIPT_PREFIX)) {
            for (int i = lines.length - 1; i > 0; i--) {
                if (ERROR_LINE.matcher(lines[i]).matches()) {
                    from = i;
                    break;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(s);
        }
        return sb.toString();
    }

    /** The full native message as a cause (no Java stack trace), or null if the summary says it all. */
    static NativeMessage traceback(String message) {
        if (message == null || summary(message).equals(message.strip())) {
            return null;
        }
        return new NativeMessage(message.strip());
    }

    /** Carries a complete native error message (e.g. a TorchScript traceback) as an exception cause. */
    static final class NativeMessage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NativeMessage(String message) {
            super(message, null, false, false);
        }
    }
}
