package io.github.audioldm4j.io;

import io.github.audioldm4j.io.AudioIOException.Reason;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;
import org.bytedeco.javacpp.PointerScope;

/**
 * Streaming encode: writes mono float audio to a file block by block, in the formats of
 * {@link AudioEncoder}, holding one codec frame at a time, so output of any length is written in
 * constant memory.
 *
 * <pre>{@code
 * try (AudioWriter w = AudioWriter.open(Path.of("out.flac"), 16_000, EncodeOptions.of(AudioFormat.FLAC16))) {
 *     while (...) w.write(block, 0, n);
 *     AudioInfo written = w.finish();
 * }
 * }</pre>
 *
 * <p>The bytes are those {@link AudioEncoder#encode(float[], int, Path, EncodeOptions)} writes for
 * the concatenated samples, whatever the block sizes (the whole-array encode is this writer with
 * one block; a resampler, where the codec needs another rate, is one swresample context carried
 * across blocks). The output goes to a hidden temporary file beside the target, moved over the
 * target by {@link #finish()}; closing without {@code finish()} (an exception in the caller)
 * deletes it and leaves any existing target untouched. Not thread-safe.
 */
public final class AudioWriter implements SampleSink, AutoCloseable {
    private final Path file;
    private final Path target;
    private final Path temp;
    private final AudioEncoder.Session session;
    private long written;
    private boolean finished;
    private boolean closed;

    private AudioWriter(Path file, Path target, Path temp, AudioEncoder.Session session) {
        this.file = file;
        this.target = target;
        this.temp = temp;
        this.session = session;
    }

    /** Opens a writer in the format the file's extension names ({@link AudioFormat#forFile(Path)}). */
    public static AudioWriter open(Path file, int sampleRate) throws AudioIOException {
        Check.notNull("file", file);
        return open(file, sampleRate, EncodeOptions.of(AudioFormat.forFile(file)));
    }

    /**
     * Opens a writer.
     *
     * @param file the output file; replaced by {@link #finish()} if it exists
     * @param sampleRate the rate of the samples to be written, in [1000, {@code format.maxSampleRate()}]
     * @param options format and bit rate
     * @throws AudioIOException if the directory does not exist, the path is a directory, or the
     *     encoder cannot be opened
     */
    public static AudioWriter open(Path file, int sampleRate, EncodeOptions options) throws AudioIOException {
        Check.notNull("file", file);
        Check.notNull("options", options);
        AudioFormat format = options.format();
        Check.inRange("sampleRate", sampleRate, DecodeOptions.MIN_SAMPLE_RATE, format.maxSampleRate());
        FFmpegLog.ensureInitialized();
        if (Files.isDirectory(file)) {
            throw new AudioIOException("encode", file, Reason.NOT_A_REGULAR_FILE, "the path is a directory");
        }
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new AudioIOException("encode", file, Reason.WRITE_FAILED, "the directory " + dir + " does not exist");
        }
        Path temp = dir.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
        AudioEncoder.Session s = new AudioEncoder.Session(file, format);
        try {
            try (PointerScope scope = new PointerScope()) {
                s.start(sampleRate, temp, options.effectiveBitRate());
            }
            return new AudioWriter(file, target, temp, s);
        } catch (AudioIOException | RuntimeException e) {
            s.close();
            deleteQuietly(temp);
            throw e;
        }
    }

    /** The rate actually written (the codec's next supported rate when it does not take the input's). */
    public int writtenSampleRate() {
        return session.rate;
    }

    /** Samples taken so far (at the input rate). */
    public long samplesWritten() {
        return written;
    }

    /**
     * Encodes samples (all finite; NaN and infinities are rejected, naming the index in the
     * whole stream).
     */
    @Override
    public void write(float[] buffer, int offset, int length) throws AudioIOException {
        SampleSource.checkRead(buffer, offset, length);
        if (finished || closed) {
            throw new IllegalStateException("the writer of " + file + " is " + (finished ? "finished" : "closed"));
        }
        for (int i = 0; i < length; i++) {
            float v = buffer[offset + i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("samples must be finite, got " + v + " at index " + (written + i));
            }
        }
        try (PointerScope scope = new PointerScope()) {
            session.push(buffer, offset, length);
        }
        written += length;
    }

    /**
     * Flushes the encoder, writes the container's trailer and moves the file into place.
     *
     * @return what {@link AudioDecoder#probe(Path)} reads from the written file
     * @throws IllegalStateException if no sample was written
     * @throws AudioIOException if the encoder or the file system fails
     */
    public AudioInfo finish() throws AudioIOException {
        if (finished || closed) {
            throw new IllegalStateException("the writer of " + file + " is " + (finished ? "finished" : "closed"));
        }
        if (written == 0) {
            throw new IllegalStateException("no samples were written to " + file + "; an audio file needs at least one");
        }
        finished = true;
        try {
            try (PointerScope scope = new PointerScope()) {
                session.end();
            }
            session.close();
            try {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            close();
            if (e instanceof AudioIOException a) {
                throw a;
            }
            throw new AudioIOException("encode", file, Reason.WRITE_FAILED, e.toString(), null, 0, null, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        closed = true;
        return AudioDecoder.probe(target);
    }

    /** Frees the encoder; without a successful {@link #finish()} the partial output is deleted. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.close();
        deleteQuietly(temp);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the original error matters more than a leftover temporary file
        }
    }
}
