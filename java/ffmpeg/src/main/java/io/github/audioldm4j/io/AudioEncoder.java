package io.github.audioldm4j.io;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_CAP_SMALL_LAST_FRAME;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_CAP_VARIABLE_FRAME_SIZE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_CONFIG_SAMPLE_RATE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_BITEXACT;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_supported_config;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S32;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set;

import io.github.audioldm4j.io.AudioIOException.Reason;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.presets.avutil;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.ShortPointer;

/**
 * Writes mono float32 audio to WAV (16/24-bit PCM, 32-bit float), FLAC (16/24-bit), MP3 or Ogg
 * Opus.
 *
 * <pre>{@code
 * AudioEncoder.encode(samples, 16_000, Path.of("out.flac"));                 // format from the extension
 * AudioEncoder.encode(samples, 16_000, Path.of("out.wav"), AudioFormat.WAV_PCM24);
 * }</pre>
 *
 * <h2>Sample values</h2>
 * Integer PCM (WAV and FLAC) clamps every sample to [-1, 1] and rounds {@code x · 2^(b-1)} to the
 * nearest integer (ties to even), saturating at {@code 2^(b-1) - 1}; decoding gives back
 * {@code q / 2^(b-1)}, so a round trip differs from the input by at most half a step
 * ({@code 2^-b}) inside the range. {@link AudioFormat#WAV_FLOAT32} stores the values exactly,
 * including values outside [-1, 1]. MP3 and Opus clamp to [-1, 1] before encoding.
 *
 * <h2>Sample rates</h2>
 * WAV and FLAC keep the given rate. MP3 and Opus support a fixed set of rates; any other rate is
 * first resampled (swresample, default filter) to the next higher supported rate, and the returned
 * {@link AudioInfo} shows the rate actually written.
 *
 * <h2>Files, threads and memory</h2>
 * The output is written to a hidden temporary file in the target directory and moved over the
 * target only after the encoder and muxer finished, so a failed call never leaves a partial file
 * and never destroys an existing one. Output is bit-exact mode ({@code +bitexact}): no FFmpeg
 * version strings are embedded, so the same input gives the same bytes. All methods are static and
 * thread-safe; each call frees all native memory it allocated, on every path.
 */
public final class AudioEncoder {
    private static final int PCM_CHUNK = 4096;
    private static final int RESAMPLE_BLOCK = 1 << 16;

    /** Carries an encoder error out of a resampler callback. */
    private static final class UncheckedAudioIOException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedAudioIOException(AudioIOException cause) {
            super(cause);
        }

        @Override
        public synchronized AudioIOException getCause() {
            return (AudioIOException) super.getCause();
        }
    }

    private AudioEncoder() {}

    /**
     * Encodes in the format given by the file's extension ({@link AudioFormat#forFile(Path)}).
     *
     * @param samples mono samples, not empty, all finite
     * @param sampleRate their rate in Hz, in [1000, 768000]
     * @param file the output file; replaced if it exists
     * @return what {@link AudioDecoder#probe(Path)} reads from the written file
     * @throws AudioIOException if the encoder fails or the file cannot be written
     */
    public static AudioInfo encode(float[] samples, int sampleRate, Path file) throws AudioIOException {
        Check.notNull("file", file);
        return encode(samples, sampleRate, file, EncodeOptions.of(AudioFormat.forFile(file)));
    }

    /**
     * Encodes in an explicit format at its default bit rate, whatever the file's extension.
     *
     * @see #encode(float[], int, Path, EncodeOptions)
     */
    public static AudioInfo encode(float[] samples, int sampleRate, Path file, AudioFormat format)
            throws AudioIOException {
        Check.notNull("format", format);
        return encode(samples, sampleRate, file, EncodeOptions.of(format));
    }

    /**
     * Encodes mono samples to a file.
     *
     * @param samples mono samples, not empty, all finite (NaN and infinities are rejected)
     * @param sampleRate their rate in Hz, in [1000, {@code format.maxSampleRate()}]
     * @param file the output file; replaced if it exists
     * @param options format and bit rate
     * @return what {@link AudioDecoder#probe(Path)} reads from the written file
     * @throws AudioIOException if the encoder fails or the file cannot be written
     */
    public static AudioInfo encode(float[] samples, int sampleRate, Path file, EncodeOptions options)
            throws AudioIOException {
        Check.notEmpty("samples", samples);
        Check.allFinite("samples", samples);
        Check.notNull("file", file);
        Check.notNull("options", options);
        AudioFormat format = options.format();
        Check.inRange("sampleRate", sampleRate, DecodeOptions.MIN_SAMPLE_RATE, format.maxSampleRate());
        try (AudioWriter w = AudioWriter.open(file, sampleRate, options)) {
            w.write(samples, 0, samples.length);
            return w.finish();
        }
    }

    /**
     * The rate the encoder will get: {@code requested} when the encoder accepts it (or accepts any
     * rate), otherwise the smallest supported rate above it, otherwise the highest supported rate.
     */
    static int chooseRate(int requested, int[] supported) {
        if (supported == null || supported.length == 0) {
            return requested;
        }
        TreeSet<Integer> rates = new TreeSet<>();
        for (int r : supported) {
            rates.add(r);
        }
        if (rates.contains(requested)) {
            return requested;
        }
        Integer higher = rates.higher(requested);
        return higher != null ? higher : rates.last();
    }

    /** Rounds to the nearest step of a {@code bits}-bit signed integer after clamping to [-1, 1]. */
    static int quantize(float x, int bits) {
        double scale = (double) (1L << (bits - 1));
        double v = Math.rint(Math.max(-1.0, Math.min(1.0, x)) * scale);
        return (int) Math.max(-scale, Math.min(scale - 1, v));
    }

    /** The FFmpeg state of one encode call; close() frees everything. */
    static final class Session implements AutoCloseable {
        private final Path file;
        private final AudioFormat format;
        private AVCodecContext enc;
        private AVFormatContext oc;
        private final PointerPointer<AVIOContext> pb = new PointerPointer<>(1L);
        private AVFrame frame;
        private AVPacket pkt;
        private AVStream stream;

        Session(Path file, AudioFormat format) {
            this.file = file;
            this.format = format;
            pb.put(0, (Pointer) null);
        }

        private AudioIOException error(Reason reason, String detail, String function, int code) {
            return new AudioIOException("encode", file, reason, detail, function, code, Ffmpeg.errorString(code), null);
        }

        private Resampler resampler;
        private FloatPointer resampleIn;
        private PointerPointer<Pointer> resamplePlanes;
        private int frameSize;
        private boolean shortLastFrame;
        private float[] pending;
        private int pendingSize;
        private long pts;
        int rate;

        /** Opens the encoder and the muxer on {@code temp} and writes the header. */
        void start(int sampleRate, Path temp, int bitRate) throws AudioIOException {
            AVCodec codec = avcodec_find_encoder_by_name(format.encoder());
            if (codec == null || codec.isNull()) {
                throw new AudioIOException("encode", file, Reason.ENCODE_FAILED,
                        "this FFmpeg build has no " + format.encoder() + " encoder");
            }
            rate = chooseRate(sampleRate, supportedRates(codec));
            if (rate != sampleRate) {
                // streaming swresample, default filter: the same samples for any block sizes
                AVChannelLayout mono = new AVChannelLayout();
                Pointer.memset(mono, 0, mono.sizeof());
                av_channel_layout_default(mono, 1);
                try {
                    resampler = Resampler.create(mono, AV_SAMPLE_FMT_FLT, sampleRate, rate, Downmix.NORMALIZED);
                } catch (Resampler.FfmpegCallException e) {
                    throw error(Reason.ENCODE_FAILED, "resampling " + sampleRate + " Hz to " + rate + " Hz failed",
                            e.function, e.code);
                } finally {
                    av_channel_layout_uninit(mono);
                    mono.close();
                }
                resampleIn = Ffmpeg.retained(new FloatPointer(RESAMPLE_BLOCK));
                resamplePlanes = Ffmpeg.retained(new PointerPointer<>(1L));
                resamplePlanes.put(0, resampleIn);
            }

            enc = avcodec_alloc_context3(codec);
            if (enc == null || enc.isNull()) {
                enc = null;
                throw new AudioIOException("encode", file, Reason.ENCODE_FAILED, "out of memory (avcodec_alloc_context3)");
            }
            enc.sample_fmt(format.sampleFormat());
            enc.sample_rate(rate);
            av_channel_layout_default(enc.ch_layout(), 1);
            enc.time_base(av_make_q(1, rate));
            if (format.bitsPerSample() == 24) {
                enc.bits_per_raw_sample(24);
            }
            if (bitRate > 0) {
                enc.bit_rate(bitRate);
            }
            enc.flags(enc.flags() | AV_CODEC_FLAG_BITEXACT);

            PointerPointer<AVFormatContext> ocHolder = new PointerPointer<>(1L);
            ocHolder.put(0, (Pointer) null);
            int ret = avformat_alloc_output_context2(ocHolder, null, new BytePointer(format.muxer()), (BytePointer) null);
            oc = ocHolder.get(AVFormatContext.class, 0);
            if (ret < 0 || oc == null || oc.isNull()) {
                oc = null;
                throw error(Reason.ENCODE_FAILED, "muxer " + format.muxer(), "avformat_alloc_output_context2", ret);
            }
            av_opt_set(oc, "fflags", "+bitexact", 0);
            if ((oc.oformat().flags() & AVFMT_GLOBALHEADER) != 0) {
                enc.flags(enc.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
            }
            ret = avcodec_open2(enc, codec, (PointerPointer<?>) null);
            if (ret < 0) {
                throw error(Reason.ENCODE_FAILED, "encoder " + format.encoder() + " at " + rate + " Hz",
                        "avcodec_open2", ret);
            }
            stream = avformat_new_stream(oc, null);
            if (stream == null || stream.isNull()) {
                throw new AudioIOException("encode", file, Reason.ENCODE_FAILED, "out of memory (avformat_new_stream)");
            }
            ret = avcodec_parameters_from_context(stream.codecpar(), enc);
            if (ret < 0) {
                throw error(Reason.ENCODE_FAILED, null, "avcodec_parameters_from_context", ret);
            }
            stream.time_base(enc.time_base());

            BytePointer url = Ffmpeg.fileUrl(temp);
            ret = avio_open(pb, url, AVIO_FLAG_WRITE);
            if (ret < 0) {
                throw error(Reason.WRITE_FAILED, "cannot create " + temp, "avio_open", ret);
            }
            oc.pb(pb.get(AVIOContext.class, 0));
            ret = avformat_write_header(oc, (PointerPointer<?>) null);
            if (ret < 0) {
                throw error(Reason.WRITE_FAILED, null, "avformat_write_header", ret);
            }

            pkt = av_packet_alloc();
            frame = av_frame_alloc();
            if (pkt == null || pkt.isNull() || frame == null || frame.isNull()) {
                throw new AudioIOException("encode", file, Reason.ENCODE_FAILED, "out of memory (av_frame_alloc)");
            }
            frameSize = enc.frame_size() > 0 ? enc.frame_size() : PCM_CHUNK;
            shortLastFrame = (codec.capabilities()
                    & (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE)) != 0
                    || enc.frame_size() == 0;
            frame.nb_samples(frameSize);
            frame.format(format.sampleFormat());
            frame.sample_rate(rate);
            av_channel_layout_default(frame.ch_layout(), 1);
            ret = av_frame_get_buffer(frame, 0);
            if (ret < 0) {
                throw error(Reason.ENCODE_FAILED, null, "av_frame_get_buffer", ret);
            }

            pending = new float[frameSize];
        }

        /** Takes samples at the caller's rate: resamples them if needed and encodes every full frame. */
        void push(float[] x, int off, int n) throws AudioIOException {
            if (resampler == null) {
                append(x, off, n);
                return;
            }
            for (int done = 0; done < n; ) {
                int m = Math.min(RESAMPLE_BLOCK, n - done);
                resampleIn.put(x, off + done, m);
                try {
                    resampler.convert(resamplePlanes, m, this::acceptResampled);
                } catch (Resampler.FfmpegCallException e) {
                    throw error(Reason.ENCODE_FAILED, "resampling to " + rate + " Hz failed", e.function, e.code);
                } catch (UncheckedAudioIOException e) {
                    throw e.getCause();
                }
                done += m;
            }
        }

        private boolean acceptResampled(FloatPointer samples, int count) {
            float[] tmp = new float[count];
            samples.get(tmp, 0, count);
            try {
                append(tmp, 0, count);
            } catch (AudioIOException e) {
                throw new UncheckedAudioIOException(e);
            }
            return true;
        }

        private void append(float[] x, int off, int n) throws AudioIOException {
            int done = 0;
            while (done < n) {
                int m = Math.min(frameSize - pendingSize, n - done);
                System.arraycopy(x, off + done, pending, pendingSize, m);
                pendingSize += m;
                done += m;
                if (pendingSize == frameSize) {
                    emit(frameSize);
                }
            }
        }

        /** Encodes the pending samples as one frame (zero-padded to a full frame where the codec needs it). */
        private void emit(int n) throws AudioIOException {
            int ret = av_frame_make_writable(frame);
            if (ret < 0) {
                throw error(Reason.ENCODE_FAILED, null, "av_frame_make_writable", ret);
            }
            int count = n < frameSize && !shortLastFrame ? frameSize : n;
            fill(pending, 0, n, count);
            frame.nb_samples(count);
            frame.pts(pts);
            pts += n;
            send(frame);
            pendingSize = 0;
        }

        /** Drains the resampler, encodes the last partial frame, flushes the encoder and writes the trailer. */
        void end() throws AudioIOException {
            if (resampler != null) {
                try {
                    resampler.drain(this::acceptResampled);
                } catch (Resampler.FfmpegCallException e) {
                    throw error(Reason.ENCODE_FAILED, "resampling to " + rate + " Hz failed", e.function, e.code);
                } catch (UncheckedAudioIOException e) {
                    throw e.getCause();
                }
            }
            if (pendingSize > 0) {
                emit(pendingSize);
            }
            send(null);
            int ret = av_write_trailer(oc);
            if (ret < 0) {
                throw error(Reason.WRITE_FAILED, null, "av_write_trailer", ret);
            }
            oc.pb(null);
            ret = avio_closep(pb);
            if (ret < 0) {
                throw error(Reason.WRITE_FAILED, null, "avio_closep", ret);
            }
        }

        private int[] supportedRates(AVCodec codec) {
            PointerPointer<Pointer> out = new PointerPointer<>(1L);
            out.put(0, (Pointer) null);
            IntPointer count = new IntPointer(1L);
            int ret = avcodec_get_supported_config(null, codec, AV_CODEC_CONFIG_SAMPLE_RATE, 0, out, count);
            Pointer list = out.get(0);
            if (ret < 0 || list == null || list.isNull() || count.get() <= 0) {
                return null;
            }
            int[] rates = new int[count.get()];
            new IntPointer(list).get(rates);
            return rates;
        }

        /** Writes {@code n} samples from {@code input[off..]} into the frame, zero-padded to {@code count}. */
        private void fill(float[] input, int off, int n, int count) {
            BytePointer data = frame.data(0);
            int fmt = format.sampleFormat();
            if (fmt == AV_SAMPLE_FMT_S16) {
                short[] q = new short[count];
                for (int i = 0; i < n; i++) {
                    q[i] = (short) quantize(input[off + i], 16);
                }
                new ShortPointer(data).put(q, 0, count);
            } else if (fmt == AV_SAMPLE_FMT_S32) {
                // 24-bit samples live in the top 24 bits of an int32 (FFmpeg's convention)
                int[] q = new int[count];
                for (int i = 0; i < n; i++) {
                    q[i] = quantize(input[off + i], 24) << 8;
                }
                new IntPointer(data).put(q, 0, count);
            } else {
                float[] f = new float[count];
                boolean clamp = format != AudioFormat.WAV_FLOAT32;
                for (int i = 0; i < n; i++) {
                    float x = input[off + i];
                    f[i] = clamp ? Math.max(-1f, Math.min(1f, x)) : x;
                }
                new FloatPointer(data).put(f, 0, count);
            }
        }

        /** Sends one frame (null = flush) and writes every packet the encoder returns. */
        private void send(AVFrame f) throws AudioIOException {
            int ret = avcodec_send_frame(enc, f);
            if (ret < 0) {
                throw error(Reason.ENCODE_FAILED, null, "avcodec_send_frame", ret);
            }
            while (true) {
                ret = avcodec_receive_packet(enc, pkt);
                if (ret == avutil.AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                    return;
                }
                if (ret < 0) {
                    throw error(Reason.ENCODE_FAILED, null, "avcodec_receive_packet", ret);
                }
                av_packet_rescale_ts(pkt, enc.time_base(), stream.time_base());
                pkt.stream_index(stream.index());
                ret = av_interleaved_write_frame(oc, pkt);
                av_packet_unref(pkt);
                if (ret < 0) {
                    throw error(Reason.WRITE_FAILED, null, "av_interleaved_write_frame", ret);
                }
            }
        }

        private boolean sessionClosed;

        /** Frees everything; safe to call more than once. */
        @Override
        public void close() {
            if (sessionClosed) {
                return;
            }
            sessionClosed = true;
            if (resampler != null) {
                resampler.close();
                resampler = null;
            }
            if (resampleIn != null) {
                resampleIn.close();
                resampleIn = null;
            }
            if (resamplePlanes != null) {
                resamplePlanes.close();
                resamplePlanes = null;
            }
            if (frame != null) {
                av_frame_free(frame);
                frame = null;
            }
            if (pkt != null) {
                av_packet_free(pkt);
                pkt = null;
            }
            if (enc != null) {
                avcodec_free_context(enc);
                enc = null;
            }
            if (oc != null) {
                oc.pb(null);
            }
            if (pb.get(0) != null && !pb.get(0).isNull()) {
                avio_closep(pb);
            }
            if (oc != null) {
                avformat_free_context(oc);
                oc = null;
            }
            pb.close();
        }
    }
}
