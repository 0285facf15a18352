package io.github.audioldm4j.runtime;

import io.github.audioldm4j.util.Check;

/** Where a module runs: the CPU or one CUDA device. */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        Check.notNull("kind", kind);
        Check.nonNegative("index", index);
        if (kind == Kind.CPU && index != 0) {
            throw new IllegalArgumentException("index must be 0 for the CPU device, got " + index);
        }
    }

    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** Parses {@code "cpu"}, {@code "cuda"} (= cuda:0) or {@code "cuda:N"}. */
    public static Device parse(String text) {
        Check.notNull("device", text);
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda")) {
            return cuda(0);
        }
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("device must be \"cpu\", \"cuda\" or \"cuda:N\", got \"" + text + "\"");
    }

    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
