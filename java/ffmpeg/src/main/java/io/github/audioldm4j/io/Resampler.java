package io.github.audioldm4j.io;

import static org.bytedeco.ffmpeg.global.avutil.AV_CHANNEL_ORDER_UNSPEC;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_compare;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set_double;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_out_samples;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;
import static org.bytedeco.ffmpeg.global.swresample.swr_set_matrix;

import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One swresample context converting any sample format, channel layout and rate to packed mono
 * float32 at a fixed output rate. It is configured as the ffmpeg command line's auto-inserted
 * {@code aresample} filter configures its context: {@code swr_alloc_set_opts2} with the input and
 * output parameters and every other option at its default (filter_size 32, phase_shift 10,
 * linear_interp 1, exact_rational 1, cutoff 0 which means 0.97 for the swr engine, Kaiser window
 * beta 9, no dither for float output), plus {@code rematrix_maxval} for {@link Downmix#NORMALIZED}
 * or a one-hot matrix for {@link Downmix#FIRST_CHANNEL}.
 *
 * <p>Not thread-safe; owns native memory, so always close it.
 */
final class Resampler implements AutoCloseable {
    /** Receives converted samples; the pointer is valid only during the call. */
    interface Sink {
        /** Returns false to ask for no more samples. */
        boolean accept(FloatPointer samples, int count);
    }

    /** A failed FFmpeg call inside the resampler. */
    static final class FfmpegCallException extends Exception {
        private static final long serialVersionUID = 1L;
        final String function;
        final int code;

        FfmpegCallException(String function, int code) {
            super(function + " failed: " + Ffmpeg.errorString(code) + " (" + code + ")");
            this.function = function;
            this.code = code;
        }
    }

    private final AVChannelLayout inLayout;
    private final int inFormat;
    private final int inRate;
    private SwrContext swr;
    private FloatPointer out;
    private int outCapacity;
    private final PointerPointer<Pointer> outPlanes;
    private final PointerPointer<SwrContext> swrHolder;

    private Resampler(AVChannelLayout inLayout, int inFormat, int inRate) {
        this.inLayout = inLayout;
        this.inFormat = inFormat;
        this.inRate = inRate;
        this.outPlanes = Ffmpeg.retained(new PointerPointer<>(1L));
        this.swrHolder = Ffmpeg.retained(new PointerPointer<>(1L));
        this.swrHolder.put(0, (Pointer) null);
    }

    /**
     * Creates a resampler for the given input parameters. An input layout with unspecified order
     * (e.g. a plain WAV header) is replaced by FFmpeg's default layout for its channel count, as
     * the ffmpeg command line does ("Guessed Channel Layout").
     */
    static Resampler create(AVChannelLayout layout, int inFormat, int inRate, int outRate, Downmix downmix)
            throws FfmpegCallException {
        AVChannelLayout copy = Ffmpeg.retained(zeroedLayout());
        int ret;
        if (layout.order() == AV_CHANNEL_ORDER_UNSPEC) {
            av_channel_layout_default(copy, layout.nb_channels());
            ret = 0;
        } else {
            ret = av_channel_layout_copy(copy, layout);
        }
        Resampler r = new Resampler(copy, inFormat, inRate);
        try {
            if (ret < 0) {
                throw new FfmpegCallException("av_channel_layout_copy", ret);
            }
            r.init(outRate, downmix);
            return r;
        } catch (FfmpegCallException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /**
     * Resamples mono float32 samples from one rate to another, including the filter's tail, with
     * swresample's default filter (the same one the decoder uses).
     */
    static float[] resampleMono(float[] samples, int inRate, int outRate) throws FfmpegCallException {
        AVChannelLayout mono = zeroedLayout();
        av_channel_layout_default(mono, 1);
        float[][] result = {new float[(int) Math.min(Integer.MAX_VALUE - 16,
                (long) samples.length * outRate / inRate + 4096)]};
        int[] size = {0};
        Sink sink = (p, n) -> {
            if (size[0] + n > result[0].length) {
                result[0] = java.util.Arrays.copyOf(result[0], Math.max(result[0].length * 2, size[0] + n));
            }
            p.get(result[0], size[0], n);
            size[0] += n;
            return true;
        };
        final int chunk = 1 << 16;
        try (Resampler r = create(mono, AV_SAMPLE_FMT_FLT, inRate, outRate, Downmix.NORMALIZED);
                FloatPointer in = new FloatPointer(chunk);
                PointerPointer<Pointer> planes = new PointerPointer<>(1L)) {
            planes.put(0, in);
            for (int off = 0; off < samples.length; off += chunk) {
                int n = Math.min(chunk, samples.length - off);
                in.put(samples, off, n);
                r.convert(planes, n, sink);
            }
            r.drain(sink);
        } finally {
            av_channel_layout_uninit(mono);
            mono.close();
        }
        return java.util.Arrays.copyOf(result[0], size[0]);
    }

    private static AVChannelLayout zeroedLayout() {
        AVChannelLayout l = new AVChannelLayout();
        Pointer.memset(l, 0, l.sizeof());
        return l;
    }

    private void init(int outRate, Downmix downmix) throws FfmpegCallException {
        AVChannelLayout mono = zeroedLayout();
        av_channel_layout_default(mono, 1);
        int ret = swr_alloc_set_opts2(swrHolder, mono, AV_SAMPLE_FMT_FLT, outRate,
                inLayout, inFormat, inRate, 0, null);
        mono.close();
        swr = swrHolder.get(SwrContext.class, 0);
        if (ret < 0 || swr == null || swr.isNull()) {
            throw new FfmpegCallException("swr_alloc_set_opts2", ret);
        }
        int channels = inLayout.nb_channels();
        if (channels > 1) {
            if (downmix == Downmix.NORMALIZED) {
                ret = av_opt_set_double(swr, "rematrix_maxval", 1.0, 0);
                if (ret < 0) {
                    throw new FfmpegCallException("av_opt_set_double(rematrix_maxval)", ret);
                }
            } else if (downmix == Downmix.FIRST_CHANNEL) {
                double[] matrix = new double[channels];
                matrix[0] = 1.0;
                ret = swr_set_matrix(swr, matrix, channels);
                if (ret < 0) {
                    throw new FfmpegCallException("swr_set_matrix", ret);
                }
            }
        }
        ret = swr_init(swr);
        if (ret < 0) {
            throw new FfmpegCallException("swr_init", ret);
        }
    }

    /** True if frames with these parameters can go through this resampler. */
    boolean accepts(AVChannelLayout layout, int format, int rate) {
        if (format != inFormat || rate != inRate) {
            return false;
        }
        if (layout.order() == AV_CHANNEL_ORDER_UNSPEC) {
            AVChannelLayout guessed = zeroedLayout();
            av_channel_layout_default(guessed, layout.nb_channels());
            boolean same = av_channel_layout_compare(guessed, inLayout) == 0;
            guessed.close();
            return same;
        }
        return av_channel_layout_compare(layout, inLayout) == 0;
    }

    /**
     * Converts {@code count} input samples per channel (planes as in {@code AVFrame.extended_data})
     * and hands the output to the sink.
     *
     * @return false if the sink asked to stop
     */
    boolean convert(PointerPointer<?> inPlanes, int count, Sink sink) throws FfmpegCallException {
        int needed = swr_get_out_samples(swr, count);
        if (needed < 0) {
            throw new FfmpegCallException("swr_get_out_samples", needed);
        }
        ensureCapacity(Math.max(needed, 1));
        int got = swr_convert(swr, outPlanes, outCapacity, inPlanes, count);
        if (got < 0) {
            throw new FfmpegCallException("swr_convert", got);
        }
        return got == 0 || sink.accept(out, got);
    }

    /** Flushes the samples still inside the filter (the end of the signal). */
    boolean drain(Sink sink) throws FfmpegCallException {
        ensureCapacity(4096);
        while (true) {
            int got = swr_convert(swr, outPlanes, outCapacity, (PointerPointer<?>) null, 0);
            if (got < 0) {
                throw new FfmpegCallException("swr_convert(flush)", got);
            }
            if (got == 0) {
                return true;
            }
            if (!sink.accept(out, got)) {
                return false;
            }
        }
    }

    private void ensureCapacity(int samples) {
        if (samples <= outCapacity) {
            return;
        }
        int capacity = Math.max(samples, 4096);
        FloatPointer bigger = Ffmpeg.retained(new FloatPointer(capacity));
        if (out != null) {
            out.close();
        }
        out = bigger;
        outCapacity = capacity;
        outPlanes.put(0, out);
    }

    @Override
    public void close() {
        if (swr != null && !swr.isNull()) {
            swr_free(swrHolder);
        }
        swr = null;
        av_channel_layout_uninit(inLayout);
        inLayout.close();
        if (out != null) {
            out.close();
            out = null;
        }
        outPlanes.close();
        swrHolder.close();
    }
}
