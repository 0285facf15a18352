package io.github.audioldm4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/** Process memory probes for leak tests (Linux). */
public final class NativeMemory {
    private NativeMemory() {}

    /** Resident set size in bytes from /proc/self/status (VmRSS). */
    public static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024L;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("VmRSS not found in /proc/self/status");
    }
}
