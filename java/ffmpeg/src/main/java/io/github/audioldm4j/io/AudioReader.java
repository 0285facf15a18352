package io.github.audioldm4j.io;

import io.github.audioldm4j.util.Check;
import java.nio.file.Path;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Streaming decode: reads any file {@link AudioDecoder} reads, in chunks, holding only a few
 * codec frames of audio at a time, so a file of any length is decoded in constant memory.
 *
 * <pre>{@code
 * try (AudioReader r = AudioReader.open(Path.of("podcast.mp3"), DecodeOptions.of(16_000))) {
 *     float[] block = new float[65536];
 *     for (int n; (n = r.read(block, 0, block.length)) >= 0; ) {
 *         ... block[0..n) ...
 *     }
 * }
 * }</pre>
 *
 * <p>The samples are exactly those {@link AudioDecoder#decode(Path, DecodeOptions)} returns for
 * the same options, whatever the sizes of the reads: the same decoder and swresample context run
 * over the same packets in the same order, and the resampler's state carries across reads (it is
 * one context for the whole file). The duration is read from the container when the reader is
 * opened ({@link #info()}, {@link #lengthHint()}), before any audio is decoded.
 *
 * <p>Errors: the file-level checks (missing, unreadable, not audio, a WAV data chunk past the
 * end, an Ogg stream without its last page) throw from {@link #open}; what can only be known at
 * the end (strict mode: truncation against the header's length, decoder errors; no samples at
 * all) throws from the {@link #read} that reaches the end, with the same {@link AudioIOException}
 * reasons as the whole-file decode. Not thread-safe; close it (it frees all native state).
 */
public final class AudioReader implements SampleSource {
    private final AudioDecoder.Session session;
    private final AudioDecoder.Session.Decoding decoding;
    private final Fifo fifo;
    private final DecodeOptions options;
    private boolean finished;
    private long position;
    private boolean closed;

    private AudioReader(AudioDecoder.Session session, DecodeOptions options) throws AudioIOException {
        this.session = session;
        this.options = options;
        this.fifo = new Fifo(options.offsetSamples(), options.maxSamples());
        // the decoder's long-lived state is freed explicitly by close(); temporaries of the
        // opening calls by this scope
        try (PointerScope scope = new PointerScope()) {
            this.decoding = session.begin(options, fifo);
        }
    }

    /**
     * Opens a file for streaming decode with the given options (rate, offset, length limit,
     * downmix, strictness).
     *
     * @throws AudioIOException if the file is missing, unreadable, not audio, or (strict) its
     *     length can be seen to be wrong from the file itself
     */
    public static AudioReader open(Path file, DecodeOptions options) throws AudioIOException {
        Check.notNull("file", file);
        Check.notNull("options", options);
        FFmpegLog.ensureInitialized();
        AudioDecoder.checkReadableFile("decode", file);
        AudioDecoder.Session s = new AudioDecoder.Session("decode", file);
        try {
            try (PointerScope scope = new PointerScope()) {
                s.open();
            }
            return new AudioReader(s, options);
        } catch (AudioIOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A re-readable input over a file: each {@link SampleInput#open()} starts a new streaming
     * decode with these options.
     */
    public static SampleInput input(Path file, DecodeOptions options) {
        Check.notNull("file", file);
        Check.notNull("options", options);
        return new SampleInput() {
            @Override
            public SampleSource open() throws AudioIOException {
                return AudioReader.open(file, options);
            }

            @Override
            public int sampleRate() {
                return options.targetSampleRate();
            }

            @Override
            public String description() {
                return file.toString();
            }
        };
    }

    /** What the file's headers say (read when the reader was opened). */
    public AudioInfo info() {
        return session.info;
    }

    @Override
    public int sampleRate() {
        return options.targetSampleRate();
    }

    /**
     * The number of output samples the header's duration implies after the offset and the length
     * limit, or -1 when the header gives no duration. A hint: the decoded length decides.
     */
    @Override
    public long lengthHint() {
        double d = session.info.durationSeconds();
        if (!Double.isFinite(d)) {
            return -1;
        }
        long total = Math.round(d * options.targetSampleRate()) - options.offsetSamples();
        return Math.max(0, Math.min(total, options.maxSamples()));
    }

    /** Samples returned so far. */
    public long position() {
        return position;
    }

    @Override
    public int read(float[] buffer, int offset, int length) throws AudioIOException {
        SampleSource.checkRead(buffer, offset, length);
        if (closed) {
            throw new IllegalStateException("the reader of " + session.info.file() + " is closed");
        }
        if (length == 0) {
            return 0;
        }
        while (fifo.available() == 0 && !finished) {
            if (!decoding.pump()) {
                finished = true;
                decoding.finish();
            }
        }
        if (fifo.available() == 0) {
            return -1;
        }
        int n = fifo.take(buffer, offset, length);
        position += n;
        return n;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            session.close();
        }
    }

    /** Resampled samples waiting to be read, after the offset and up to the length limit. */
    private static final class Fifo implements Resampler.Sink {
        private long toSkip;
        private long remaining;
        private float[] buffer = new float[1 << 14];
        private int start;
        private int end;

        Fifo(long offsetSamples, long maxSamples) {
            this.toSkip = offsetSamples;
            this.remaining = maxSamples;
        }

        int available() {
            return end - start;
        }

        boolean full() {
            return remaining <= 0;
        }

        @Override
        public boolean accept(FloatPointer samples, int count) {
            int from = 0;
            if (toSkip > 0) {
                from = (int) Math.min(toSkip, count);
                toSkip -= from;
            }
            int take = (int) Math.min(count - from, remaining);
            if (take > 0) {
                if (end + take > buffer.length) {
                    int live = end - start;
                    if (live + take > buffer.length) {
                        float[] bigger = new float[Math.max(buffer.length * 2, live + take)];
                        System.arraycopy(buffer, start, bigger, 0, live);
                        buffer = bigger;
                    } else {
                        System.arraycopy(buffer, start, buffer, 0, live);
                    }
                    start = 0;
                    end = live;
                }
                long p = samples.position();
                samples.position(from).get(buffer, end, take);
                samples.position(p);
                end += take;
                remaining -= take;
            }
            return remaining > 0;
        }

        int take(float[] out, int offset, int length) {
            int n = Math.min(length, end - start);
            System.arraycopy(buffer, start, out, offset, n);
            start += n;
            if (start == end) {
                start = 0;
                end = 0;
            }
            return n;
        }
    }
}
