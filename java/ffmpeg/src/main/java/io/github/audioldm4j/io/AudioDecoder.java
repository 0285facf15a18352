package io.github.audioldm4j.io;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_CORRUPT;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_DURATION_FROM_STREAM;
import static org.bytedeco.ffmpeg.global.avformat.AVPROBE_PADDING_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_probe_input_format3;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_ALL;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_DECODER_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_STREAM_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_describe;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_get_sample_fmt_name;

import io.github.audioldm4j.io.AudioIOException.Reason;
import io.github.audioldm4j.util.Check;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVProbeData;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.presets.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Decodes any audio file FFmpeg can read (WAV 8/16/24/32-bit and float, FLAC, MP3, Ogg Vorbis,
 * Opus, M4A/AAC and more) to mono float32 at a requested sample rate.
 *
 * <pre>{@code
 * DecodedAudio audio = AudioDecoder.decode(Path.of("speech.mp3"), 16_000);
 * float[] samples = audio.samples();   // mono, 16 kHz
 * }</pre>
 *
 * <h2>Equivalence with the ffmpeg command line</h2>
 * With {@link Downmix#FFMPEG_CLI} the result is sample-for-sample what
 * {@code ffmpeg -i in -ar R -ac 1 -f f32le -} writes when that command runs the same FFmpeg
 * libraries (same length, bit-identical samples); the default {@link Downmix#NORMALIZED} equals
 * the same command with {@code -rematrix_maxval 1.0} added (mono sources give identical output in
 * both modes). The decoder, the packet order, the swresample options (all at their defaults) and
 * the final flush of the resampler are the ones the command line uses. Other FFmpeg versions
 * differ only where their decoders changed: PCM, FLAC and MP3 decode bit-identically with FFmpeg
 * 5.1, while AAC, Vorbis and Opus differ by float rounding (max |diff| 3e-7 measured) because FFmpeg 6+
 * replaced their MDCT code.
 *
 * <h2>Errors</h2>
 * Every failure to read a file throws {@link AudioIOException} with a {@link Reason}, the file and,
 * where FFmpeg reported it, FFmpeg's error text. Bad arguments throw
 * {@link IllegalArgumentException} / {@link NullPointerException} before the file is opened.
 * By default decoding is strict: a decoder error, or a file whose audio ends well before the
 * length its headers declare, throws. Truncation is detected from the stream length in the headers
 * (FLAC, MP3 with a Xing/LAME header, MP4 with its index first), from the WAV {@code data} chunk
 * size (FFmpeg itself ignores a data chunk that runs past the end of the file), and for Ogg from
 * the missing end-of-stream page. A file cut inside its headers, or an MP4 that lost its index
 * (written last by default), fails when it is opened. Corruption the codec cannot notice (noise in
 * PCM data, damaged MP3 frames without CRC) is not detectable. {@link DecodeOptions#withStrict(boolean)
 * withStrict(false)} tolerates decoder errors and truncation as the command line does and returns
 * what could be decoded.
 *
 * <h2>Threads and memory</h2>
 * All methods are static and thread-safe: every call opens its own FFmpeg contexts, so different
 * files (or the same file) can be decoded concurrently from several threads. Each call frees all
 * native memory it allocated before returning, on success and on every error path. FFmpeg's own
 * console logging is silenced; see {@link FFmpegLog}.
 */
public final class AudioDecoder {
    /** Sample slack when comparing decoded length with the header's length (codec delay/padding). */
    private static final long TRUNCATION_SLACK_SAMPLES = 8192;
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 16;
    private static final int PROBE_BYTES = 1 << 20;
    /** FFmpeg's AVPROBE_SCORE_RETRY: below it a format guess is unreliable. */
    private static final int LOW_PROBE_SCORE = 25;

    private AudioDecoder() {}

    /**
     * Decodes a whole file to mono float32 at {@code targetSampleRate} with the default options
     * ({@link DecodeOptions#of(int)}).
     *
     * @param file the audio file
     * @param targetSampleRate output rate in Hz, in [1000, 768000]
     * @return the decoded samples and what the headers say about the source
     * @throws AudioIOException if the file is missing, unreadable, not audio, corrupt, truncated or
     *     holds no samples
     */
    public static DecodedAudio decode(Path file, int targetSampleRate) throws AudioIOException {
        Check.notNull("file", file);
        return decode(file, DecodeOptions.of(targetSampleRate));
    }

    /**
     * Decodes a file to mono float32 with the given options (rate, offset, length limit, downmix,
     * strictness).
     *
     * <p>If the offset lies beyond the end of the audio the result holds no samples; a file whose
     * audio stream holds no samples at all throws {@link Reason#NO_AUDIO_DATA}.
     *
     * @param file the audio file
     * @param options decoding options
     * @return the decoded samples and what the headers say about the source
     * @throws AudioIOException if the file is missing, unreadable, not audio, corrupt, truncated or
     *     holds no samples
     */
    public static DecodedAudio decode(Path file, DecodeOptions options) throws AudioIOException {
        Check.notNull("file", file);
        Check.notNull("options", options);
        FFmpegLog.ensureInitialized();
        checkReadableFile("decode", file);
        try (PointerScope scope = new PointerScope(); Session s = new Session("decode", file)) {
            s.open();
            return s.decode(options);
        }
    }

    /**
     * Reads a file's headers (container, codec, rate, channels, duration) without decoding the
     * audio. FFmpeg may decode a few packets to fill in parameters the headers lack.
     *
     * @param file the audio file
     * @return what the headers say about the file's audio stream
     * @throws AudioIOException if the file is missing, unreadable, not a media file or has no audio
     *     stream
     */
    public static AudioInfo probe(Path file) throws AudioIOException {
        Check.notNull("file", file);
        FFmpegLog.ensureInitialized();
        checkReadableFile("probe", file);
        try (PointerScope scope = new PointerScope(); Session s = new Session("probe", file)) {
            s.open();
            return s.info;
        }
    }

    /** Rejects missing, non-regular, unreadable and empty files before FFmpeg sees them. */
    static void checkReadableFile(String operation, Path file) throws AudioIOException {
        if (!Files.exists(file)) {
            throw new AudioIOException(operation, file, Reason.FILE_NOT_FOUND, null);
        }
        if (!Files.isRegularFile(file)) {
            String what = Files.isDirectory(file) ? "the path is a directory" : "the path is not a regular file";
            throw new AudioIOException(operation, file, Reason.NOT_A_REGULAR_FILE, what);
        }
        if (!Files.isReadable(file)) {
            throw new AudioIOException(operation, file, Reason.NOT_READABLE, null);
        }
        try {
            if (Files.size(file) == 0) {
                throw new AudioIOException(operation, file, Reason.EMPTY_FILE, null);
            }
        } catch (AudioIOException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new AudioIOException(operation, file, Reason.READ_FAILED, e.toString(), null, 0, null, e);
        }
    }

    /** The FFmpeg state of one decode or probe call; close() frees everything. */
    static final class Session implements AutoCloseable {
        private final String operation;
        private final Path file;
        private AVFormatContext fmt;
        private AVCodecContext dec;
        private AVPacket pkt;
        private AVFrame frame;
        private Resampler resampler;
        private AVStream stream;
        private int streamIndex;
        private AVCodec codec;
        AudioInfo info;

        Session(String operation, Path file) {
            this.operation = operation;
            this.file = file;
        }

        private AudioIOException error(Reason reason, String detail, String function, int code) {
            return new AudioIOException(operation, file, reason, detail, function, code,
                    Ffmpeg.errorString(code), null);
        }

        /** Opens the container, reads stream info and picks the audio stream. */
        void open() throws AudioIOException {
            fmt = new AVFormatContext(null);
            AVDictionary opts = new AVDictionary(null);
            // Only the local file protocol: a playlist or concat file must not make FFmpeg open
            // other files or network URLs.
            av_dict_set(opts, "protocol_whitelist", "file", 0);
            BytePointer url = Ffmpeg.fileUrl(file);
            int ret = avformat_open_input(fmt, url, null, opts);
            av_dict_free(opts);
            url.close();
            if (ret < 0) {
                fmt = null; // avformat_open_input frees the context on failure
                Reason reason = openReason(ret);
                String detail = ret == AVERROR_EOF ? "the file ended while FFmpeg was reading its headers" : null;
                if (ret == AVERROR_INVALIDDATA) {
                    String recognised = probeFormatName(file);
                    if (recognised != null) {
                        reason = Reason.CORRUPT_DATA;
                        detail = "FFmpeg recognises the content as " + recognised
                                + " but cannot read its headers (damaged, or truncated before its index)";
                    }
                }
                throw error(reason, detail, "avformat_open_input", ret);
            }
            ret = avformat_find_stream_info(fmt, (PointerPointer<?>) null);
            if (ret < 0) {
                String container = Ffmpeg.string(fmt.iformat().name(), "?");
                if (fmt.probe_score() < LOW_PROBE_SCORE) {
                    // e.g. a text file named *.dat that FFmpeg guessed from its extension alone
                    throw error(Reason.UNRECOGNIZED_FORMAT, "FFmpeg guessed " + container
                            + " with low confidence (probe score " + fmt.probe_score()
                            + ") and cannot read it", "avformat_find_stream_info", ret);
                }
                Reason reason = ret == AVERROR_EOF ? Reason.TRUNCATED : Reason.CORRUPT_DATA;
                throw error(reason, "container " + container, "avformat_find_stream_info", ret);
            }
            PointerPointer<AVCodec> codecOut = new PointerPointer<>(1L);
            codecOut.put(0, (Pointer) null);
            ret = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, codecOut, 0);
            if (ret == AVERROR_STREAM_NOT_FOUND) {
                throw error(Reason.NO_AUDIO_STREAM, describeStreams(), "av_find_best_stream", ret);
            }
            if (ret == AVERROR_DECODER_NOT_FOUND) {
                int id = firstAudioCodecId();
                String name = id < 0 ? "unknown" : Ffmpeg.string(avcodec_get_name(id), "unknown");
                throw error(Reason.UNSUPPORTED_CODEC, "no decoder for codec " + name, "av_find_best_stream", ret);
            }
            if (ret < 0) {
                throw error(Reason.READ_FAILED, null, "av_find_best_stream", ret);
            }
            streamIndex = ret;
            codec = codecOut.get(AVCodec.class, 0);
            stream = fmt.streams(streamIndex);
            for (int i = 0; i < fmt.nb_streams(); i++) {
                if (i != streamIndex) {
                    fmt.streams(i).discard(AVDISCARD_ALL);
                }
            }
            info = describe();
        }

        private int firstAudioCodecId() {
            for (int i = 0; i < fmt.nb_streams(); i++) {
                AVCodecParameters p = fmt.streams(i).codecpar();
                if (p.codec_type() == AVMEDIA_TYPE_AUDIO) {
                    return p.codec_id();
                }
            }
            return -1;
        }

        private String describeStreams() {
            StringBuilder sb = new StringBuilder("the container (" + Ffmpeg.string(fmt.iformat().name(), "?")
                    + ") holds " + fmt.nb_streams() + " stream(s)");
            for (int i = 0; i < fmt.nb_streams(); i++) {
                AVCodecParameters p = fmt.streams(i).codecpar();
                sb.append(i == 0 ? ": " : ", ").append(Ffmpeg.string(avcodec_get_name(p.codec_id()), "?"));
            }
            return sb.toString();
        }

        private AudioInfo describe() {
            AVCodecParameters par = stream.codecpar();
            byte[] layout = new byte[64];
            String layoutName = av_channel_layout_describe(par.ch_layout(), layout, layout.length) < 0
                    ? par.ch_layout().nb_channels() + " channels" : cString(layout);
            String sampleFormat = Ffmpeg.string(av_get_sample_fmt_name(par.format()), "unknown");
            int bits = par.bits_per_raw_sample() > 0 ? par.bits_per_raw_sample() : par.bits_per_coded_sample();
            long bitRate = par.bit_rate() > 0 ? par.bit_rate() : Math.max(0, fmt.bit_rate());
            AVRational tb = stream.time_base();
            double duration = Double.NaN;
            if (stream.duration() != AV_NOPTS_VALUE && stream.duration() > 0 && tb.den() > 0) {
                duration = stream.duration() * (double) tb.num() / tb.den();
            } else if (fmt.duration() != AV_NOPTS_VALUE && fmt.duration() > 0) {
                duration = fmt.duration() / (double) AV_TIME_BASE;
            }
            return new AudioInfo(file, Ffmpeg.string(fmt.iformat().name(), "unknown"),
                    Ffmpeg.string(avcodec_get_name(par.codec_id()), "unknown"), par.sample_rate(),
                    par.ch_layout().nb_channels(), layoutName, sampleFormat, Math.max(0, bits), bitRate,
                    duration, fmt.duration_estimation_method() != AVFMT_DURATION_FROM_STREAM);
        }

        private void checkWavLength() throws AudioIOException {
            try {
                long end = WavHeader.declaredDataEnd(file);
                long size = Files.size(file);
                if (end > size) {
                    throw new AudioIOException(operation, file, Reason.TRUNCATED, "the WAV data chunk ends at byte "
                            + end + " but the file has only " + size + " bytes");
                }
            } catch (AudioIOException e) {
                throw e;
            } catch (java.io.IOException e) {
                throw new AudioIOException(operation, file, Reason.READ_FAILED, e.toString(), null, 0, null, e);
            }
        }

        private void checkOggEnd() throws AudioIOException {
            OggTail.End end;
            try {
                end = OggTail.inspect(file);
            } catch (java.io.IOException e) {
                throw new AudioIOException(operation, file, Reason.READ_FAILED, e.toString(), null, 0, null, e);
            }
            if (end == OggTail.End.PARTIAL_PAGE) {
                throw new AudioIOException(operation, file, Reason.TRUNCATED, "the file ends inside an Ogg page");
            }
            if (end == OggTail.End.NO_END_OF_STREAM) {
                throw new AudioIOException(operation, file, Reason.TRUNCATED,
                        "the last Ogg page is not flagged end-of-stream");
            }
        }

        /**
         * The stream's length in samples at its own rate, when a header states it (not when FFmpeg
         * estimated it); -1 otherwise.
         */
        private long declaredSourceSamples() {
            AVRational tb = stream.time_base();
            int rate = stream.codecpar().sample_rate();
            if (fmt.duration_estimation_method() != AVFMT_DURATION_FROM_STREAM
                    || stream.duration() == AV_NOPTS_VALUE || stream.duration() <= 0 || tb.den() <= 0 || rate <= 0) {
                return -1;
            }
            return Math.round(stream.duration() * (double) tb.num() * rate / tb.den());
        }

        DecodedAudio decode(DecodeOptions options) throws AudioIOException {
            Collector out = new Collector(options.offsetSamples(), options.maxSamples());
            Decoding d = begin(options, out);
            while (d.pump()) {
                // every packet goes through the decoder and the resampler into the collector
            }
            d.finish();
            return new DecodedAudio(out.toArray(), options.targetSampleRate(), info);
        }

        /**
         * Checks the file's length where it can be read off the file (strict mode), opens the
         * decoder and returns the packet loop, which hands every converted sample to {@code out}.
         */
        Decoding begin(DecodeOptions options, Resampler.Sink out) throws AudioIOException {
            if (options.strict() && "wav".equals(info.container())) {
                checkWavLength();
            }
            if (options.strict() && "ogg".equals(info.container())) {
                checkOggEnd();
            }
            dec = avcodec_alloc_context3(codec);
            if (dec == null || dec.isNull()) {
                dec = null;
                throw new AudioIOException(operation, file, Reason.READ_FAILED, "out of memory (avcodec_alloc_context3)");
            }
            int ret = avcodec_parameters_to_context(dec, stream.codecpar());
            if (ret < 0) {
                throw error(Reason.UNSUPPORTED_CODEC, null, "avcodec_parameters_to_context", ret);
            }
            // As the command line does: the decoder gets the stream's time base, so it can trim
            // priming and padding samples given as timestamps.
            dec.pkt_timebase(stream.time_base());
            ret = avcodec_open2(dec, codec, (PointerPointer<?>) null);
            if (ret < 0) {
                Reason reason = ret == AVERROR_INVALIDDATA ? Reason.CORRUPT_DATA : Reason.UNSUPPORTED_CODEC;
                throw error(reason, "decoder " + Ffmpeg.string(codec.name(), "?"), "avcodec_open2", ret);
            }
            pkt = av_packet_alloc();
            frame = av_frame_alloc();
            if (pkt == null || pkt.isNull() || frame == null || frame.isNull()) {
                throw new AudioIOException(operation, file, Reason.READ_FAILED, "out of memory (av_packet_alloc/av_frame_alloc)");
            }
            return new Decoding(options, out);
        }

        /** The packet/frame loop state of one decode call. */
        final class Decoding {
            final DecodeOptions options;
            final Resampler.Sink out;
            long sourceSamples;
            int corruptPackets;
            int decodeErrors;
            String firstErrorFunction;
            int firstErrorCode;
            boolean rateChanged;

            /** False once the input ended or the sink asked for no more samples. */
            boolean complete = true;
            private boolean ended;

            Decoding(DecodeOptions options, Resampler.Sink out) {
                this.options = options;
                this.out = out;
            }

            /**
             * Reads one packet and converts what it decodes to (at the end of the input: flushes
             * the decoder and the resampler).
             *
             * @return false when the input has ended or the sink is full; then call {@link #finish}
             */
            boolean pump() throws AudioIOException {
                if (ended) {
                    return false;
                }
                try {
                    int ret = av_read_frame(fmt, pkt);
                    if (ret < 0 && ret != AVERROR_EOF && options.strict()) {
                        Reason reason = ret == AVERROR_INVALIDDATA ? Reason.CORRUPT_DATA : Reason.READ_FAILED;
                        throw error(reason, null, "av_read_frame", ret);
                    }
                    if (ret < 0) {
                        // the end, or (lenient) a read error, which the command line treats as the end
                        ended = true;
                        complete = send(null) && (resampler == null || resampler.drain(out));
                        return false;
                    }
                    if (pkt.stream_index() != streamIndex) {
                        av_packet_unref(pkt);
                        return true;
                    }
                    if ((pkt.flags() & AV_PKT_FLAG_CORRUPT) != 0) {
                        corruptPackets++;
                    }
                    boolean more = send(pkt);
                    av_packet_unref(pkt);
                    if (!more) {
                        complete = false;
                        ended = true;
                        return false;
                    }
                    return true;
                } catch (Resampler.FfmpegCallException e) {
                    ended = true;
                    throw error(Reason.CORRUPT_DATA, "resampling failed", e.function, e.code);
                } catch (Collector.TooLongException e) {
                    ended = true;
                    throw new AudioIOException(operation, file, Reason.TOO_LONG,
                            "more than " + MAX_ARRAY_LENGTH + " samples at " + options.targetSampleRate() + " Hz");
                }
            }

            /** The checks that need the whole input read: truncation, decoder errors, no samples. */
            void finish() throws AudioIOException {
                if (options.strict()) {
                    long declared = complete && !rateChanged ? declaredSourceSamples() : -1;
                    String errors = decodeErrors == 0 ? "" : "; the decoder failed on " + decodeErrors + " packet(s)";
                    String corrupt = corruptPackets == 0 ? ""
                            : "; the demuxer flagged " + corruptPackets + " packet(s) as corrupt";
                    String function = decodeErrors == 0 ? null : firstErrorFunction;
                    String text = decodeErrors == 0 ? null : Ffmpeg.errorString(firstErrorCode);
                    if (declared > 0 && sourceSamples + TRUNCATION_SLACK_SAMPLES < declared) {
                        throw new AudioIOException(operation, file, Reason.TRUNCATED, "the header declares "
                                + declared + " samples at " + stream.codecpar().sample_rate() + " Hz but only "
                                + sourceSamples + " could be decoded" + errors + corrupt,
                                function, firstErrorCode, text, null);
                    }
                    if (decodeErrors > 0) {
                        throw new AudioIOException(operation, file, Reason.CORRUPT_DATA,
                                (errors + corrupt).substring(2), function, firstErrorCode, text, null);
                    }
                }
                if (sourceSamples == 0) {
                    throw new AudioIOException(operation, file, Reason.NO_AUDIO_DATA, null);
                }
            }

            void decodeError(String function, int code) {
                if (decodeErrors++ == 0) {
                    firstErrorFunction = function;
                    firstErrorCode = code;
                }
            }

            /** Sends one packet (null = flush) and converts every frame it yields; false = collector full. */
            boolean send(AVPacket packet) throws AudioIOException, Resampler.FfmpegCallException {
                while (true) {
                    int ret = avcodec_send_packet(dec, packet);
                    if (ret == avutil.AVERROR_EAGAIN()) {
                        // The decoder holds frames we have not taken yet: take them, then resend.
                        if (!receive()) {
                            return false;
                        }
                        continue;
                    }
                    if (ret < 0 && ret != AVERROR_EOF) {
                        // Like the command line, go on with the next packet; strict mode reports
                        // the first error once the whole file has been read (see decode()).
                        decodeError("avcodec_send_packet", ret);
                    }
                    return receive();
                }
            }

            private boolean receive() throws AudioIOException, Resampler.FfmpegCallException {
                while (true) {
                    int ret = avcodec_receive_frame(dec, frame);
                    if (ret == avutil.AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                        return true;
                    }
                    if (ret < 0) {
                        decodeError("avcodec_receive_frame", ret);
                        return true;
                    }
                    try {
                        if (!convert()) {
                            return false;
                        }
                    } finally {
                        av_frame_unref(frame);
                    }
                }
            }

            private boolean convert() throws Resampler.FfmpegCallException {
                int n = frame.nb_samples();
                if (n <= 0) {
                    return true;
                }
                sourceSamples += n;
                if (frame.sample_rate() != stream.codecpar().sample_rate()) {
                    rateChanged = true;
                }
                if (resampler == null || !resampler.accepts(frame.ch_layout(), frame.format(), frame.sample_rate())) {
                    // A mid-stream change of rate, format or layout: finish the old resampler's
                    // tail, then start a new one for the new parameters.
                    if (resampler != null) {
                        boolean more = resampler.drain(out);
                        resampler.close();
                        resampler = null;
                        if (!more) {
                            return false;
                        }
                    }
                    resampler = Resampler.create(frame.ch_layout(), frame.format(), frame.sample_rate(),
                            options.targetSampleRate(), options.downmix());
                }
                return resampler.convert(frame.extended_data(), n, out);
            }
        }

        @Override
        public void close() {
            if (resampler != null) {
                resampler.close();
                resampler = null;
            }
            if (frame != null) {
                av_frame_free(frame);
                frame = null;
            }
            if (pkt != null) {
                av_packet_free(pkt);
                pkt = null;
            }
            if (dec != null) {
                avcodec_free_context(dec);
                dec = null;
            }
            if (fmt != null) {
                avformat_close_input(fmt);
                fmt = null;
            }
        }
    }

    private static Reason openReason(int code) {
        if (code == AVERROR_INVALIDDATA) {
            return Reason.UNRECOGNIZED_FORMAT;
        }
        if (code == AVERROR_EOF) {
            return Reason.TRUNCATED;
        }
        if (code == avutil.AVERROR_ENOENT()) {
            return Reason.FILE_NOT_FOUND;
        }
        if (code == avutil.AVERROR_EACCES() || code == avutil.AVERROR_EPERM()) {
            return Reason.NOT_READABLE;
        }
        return Reason.READ_FAILED;
    }

    /**
     * The demuxer FFmpeg's content probe picks for the file's first {@value #PROBE_BYTES} bytes, or
     * null when none matches. Used only to explain a failed open.
     */
    private static String probeFormatName(Path file) {
        byte[] head;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(PROBE_BYTES);
        } catch (java.io.IOException e) {
            return null;
        }
        try (AVProbeData pd = new AVProbeData();
                BytePointer name = new BytePointer(file.toString(), StandardCharsets.UTF_8);
                BytePointer buf = new BytePointer(head.length + AVPROBE_PADDING_SIZE)) {
            Pointer.memset(pd, 0, pd.sizeof());
            Pointer.memset(buf, 0, buf.capacity());
            buf.put(head, 0, head.length);
            pd.filename(name).buf(buf).buf_size(head.length);
            int[] score = new int[1];
            AVInputFormat f = av_probe_input_format3(pd, 1, score);
            return f == null || f.isNull() || score[0] <= 0 ? null : Ffmpeg.string(f.name(), null);
        }
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** Collects resampled samples, applying the offset and the length limit. */
    private static final class Collector implements Resampler.Sink {
        /** Thrown when the output would not fit in one Java array. */
        static final class TooLongException extends RuntimeException {
            private static final long serialVersionUID = 1L;

            TooLongException() {
                super(null, null, false, false);
            }
        }

        private long toSkip;
        private long remaining;
        private float[] buffer = new float[1 << 14];
        private int size;

        Collector(long offsetSamples, long maxSamples) {
            this.toSkip = offsetSamples;
            this.remaining = maxSamples;
        }

        @Override
        public boolean accept(FloatPointer samples, int count) {
            int start = 0;
            if (toSkip > 0) {
                start = (int) Math.min(toSkip, count);
                toSkip -= start;
            }
            int take = (int) Math.min(count - start, remaining);
            if (take > 0) {
                if ((long) size + take > MAX_ARRAY_LENGTH) {
                    throw new TooLongException();
                }
                if (size + take > buffer.length) {
                    long grown = Math.max((long) buffer.length * 2, (long) size + take);
                    buffer = Arrays.copyOf(buffer, (int) Math.min(grown, MAX_ARRAY_LENGTH));
                }
                long position = samples.position();
                samples.position(start).get(buffer, size, take);
                samples.position(position);
                size += take;
                remaining -= take;
            }
            return remaining > 0;
        }

        float[] toArray() {
            return Arrays.copyOf(buffer, size);
        }
    }
}
