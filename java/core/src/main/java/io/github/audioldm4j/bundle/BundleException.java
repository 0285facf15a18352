package io.github.audioldm4j.bundle;

import java.nio.file.Path;

/**
 * A model bundle is unusable: a file is missing, malformed or fails its checksum, or a manifest
 * field is missing or has the wrong value. The message names the file, the field, and the
 * expected and actual values.
 */
public class BundleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public BundleException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public BundleException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file the problem is in. */
    public Path file() {
        return file;
    }
}
