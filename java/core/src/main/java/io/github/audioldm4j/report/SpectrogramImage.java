package io.github.audioldm4j.report;

import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.MelScale;
import io.github.audioldm4j.dsp.PadMode;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.dsp.Stft;
import io.github.audioldm4j.dsp.WindowFunction;
import io.github.audioldm4j.util.Check;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Renders spectrograms as images: a log-magnitude STFT of a waveform ({@link #logMagnitude}) or an AudioLDM2 log-mel
 * ({@link #logMel}), coloured with a perceptual {@link Colormap}, with a title, time and frequency axes with ticks and
 * labels, and a dB colour bar.
 *
 * <p>Levels: the log-magnitude image shows {@code 20 log10(2 |X| / sum(w))} (a full-scale sine reads 0 dB; silence is
 * floored at {@value #FLOOR_DB} dB); the log-mel image shows the natural-log mel values in dB
 * ({@code 20 log10(e) L}). The colour range is {@code [dbMax - dynamicRange, dbMax]} with {@code dbMax} the largest
 * value in the image unless {@link Options.Builder#dbRange(double, double)} fixes it (use a fixed range to compare
 * several images). When the plot is smaller than the spectrogram, each pixel shows the maximum of the cells it
 * covers, so narrow peaks stay visible.
 *
 * <p>Output is deterministic: the same input and options give the same pixels on every machine (text is drawn with
 * a built-in pixel font; no antialiasing), and the same PNG bytes. Rendering is headless: {@code java.awt.headless} is
 * set to {@code true} unless the application set it already. Thread-safe (stateless).
 */
public final class SpectrogramImage {
    /** Level of silent cells in the log-magnitude image. */
    public static final double FLOOR_DB = -200.0;
    private static final int FONT = 2; // pixel font scale
    private static final int LEFT = 84;
    private static final int TOP = 40;
    private static final int BOTTOM = 58;
    private static final int RIGHT = 116;
    private static final double DB_PER_NEPER = 20.0 / Math.log(10.0);

    private SpectrogramImage() {}

    /** Rendering options; build with {@link #builder()}. Immutable. */
    public static final class Options {
        private final String title;
        private final Colormap colormap;
        private final double dynamicRangeDb;
        private final Double dbMin;
        private final Double dbMax;
        private final int plotWidth;
        private final int plotHeight;
        private final int nFft;
        private final int hopLength;
        private final double maxFrequencyHz;

        private Options(Builder b) {
            this.title = b.title;
            this.colormap = b.colormap;
            this.dynamicRangeDb = b.dynamicRangeDb;
            this.dbMin = b.dbMin;
            this.dbMax = b.dbMax;
            this.plotWidth = b.plotWidth;
            this.plotHeight = b.plotHeight;
            this.nFft = b.nFft;
            this.hopLength = b.hopLength;
            this.maxFrequencyHz = b.maxFrequencyHz;
        }

        /** Starts with the defaults: no title, viridis, 80 dB range, 800 x 300 plot, n_fft 1024, hop 256. */
        public static Builder builder() {
            return new Builder();
        }

        /** The defaults. */
        public static Options defaults() {
            return builder().build();
        }

        /** A builder starting from these options. */
        public Builder toBuilder() {
            Builder b = new Builder();
            b.title = title;
            b.colormap = colormap;
            b.dynamicRangeDb = dynamicRangeDb;
            b.dbMin = dbMin;
            b.dbMax = dbMax;
            b.plotWidth = plotWidth;
            b.plotHeight = plotHeight;
            b.nFft = nFft;
            b.hopLength = hopLength;
            b.maxFrequencyHz = maxFrequencyHz;
            return b;
        }

        /** Title drawn above the plot (may be empty). */
        public String title() {
            return title;
        }

        /** The colormap. */
        public Colormap colormap() {
            return colormap;
        }

        /** Builder of {@link Options}. */
        public static final class Builder {
            private String title = "";
            private Colormap colormap = Colormap.VIRIDIS;
            private double dynamicRangeDb = 80.0;
            private Double dbMin;
            private Double dbMax;
            private int plotWidth = 800;
            private int plotHeight = 300;
            private int nFft = 1024;
            private int hopLength = 256;
            private double maxFrequencyHz = Double.POSITIVE_INFINITY;

            private Builder() {}

            /**
             * @param title text above the plot, not null (printable ASCII; other characters show as '?')
             * @return this builder
             */
            public Builder title(String title) {
                this.title = Check.notNull("title", title);
                return this;
            }

            /**
             * @param colormap the colour map
             * @return this builder
             */
            public Builder colormap(Colormap colormap) {
                this.colormap = Check.notNull("colormap", colormap);
                return this;
            }

            /**
             * Colour range below the image's maximum when no fixed range is set.
             *
             * @param decibels finite, {@code > 0}
             * @return this builder
             */
            public Builder dynamicRangeDb(double decibels) {
                this.dynamicRangeDb = Check.positive("dynamicRangeDb", decibels);
                return this;
            }

            /**
             * A fixed colour range (values outside are clamped to the end colours).
             *
             * @param min finite
             * @param max finite, {@code > min}
             * @return this builder
             */
            public Builder dbRange(double min, double max) {
                Check.finite("dbMin", min);
                Check.finite("dbMax", max);
                if (!(max > min)) {
                    throw new IllegalArgumentException("dbMax must be > dbMin " + min + ", got " + max);
                }
                this.dbMin = min;
                this.dbMax = max;
                return this;
            }

            /**
             * Plot area size in pixels (the image adds margins for the title, axes and colour bar).
             *
             * @param width  in {@code [64, 8192]}
             * @param height in {@code [32, 8192]}
             * @return this builder
             */
            public Builder plotSize(int width, int height) {
                this.plotWidth = Check.inRange("plotWidth", width, 64, 8192);
                this.plotHeight = Check.inRange("plotHeight", height, 32, 8192);
                return this;
            }

            /**
             * STFT of {@link #logMagnitude} (periodic Hann, centred, zero padding).
             *
             * @param nFft      power of two in {@code [16, 65536]}
             * @param hopLength in {@code [1, nFft]}
             * @return this builder
             */
            public Builder stft(int nFft, int hopLength) {
                Check.inRange("nFft", nFft, 16, 65536);
                if (Integer.bitCount(nFft) != 1) {
                    throw new IllegalArgumentException("nFft must be a power of two, got " + nFft);
                }
                this.nFft = nFft;
                this.hopLength = Check.inRange("hopLength", hopLength, 1, nFft);
                return this;
            }

            /**
             * Highest frequency shown by {@link #logMagnitude} (default: Nyquist).
             *
             * @param hz finite, {@code > 0}
             * @return this builder
             */
            public Builder maxFrequencyHz(double hz) {
                this.maxFrequencyHz = Check.positive("maxFrequencyHz", hz);
                return this;
            }

            /** The options. */
            public Options build() {
                return new Options(this);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ entry points

    /**
     * The log-magnitude STFT of a waveform, linear frequency axis from 0 Hz to Nyquist (or the options' maximum).
     *
     * @param waveform   finite samples, at least 1
     * @param sampleRate Hz, {@code > 0}
     * @param options    rendering options
     * @return the image
     */
    public static BufferedImage logMagnitude(float[] waveform, int sampleRate, Options options) {
        LevelGrid grid = logMagnitudeDb(waveform, sampleRate, options);
        double binHz = (double) sampleRate / options.nFft;
        double framesPerSecond = (double) sampleRate / options.hopLength;
        // bin k is centred on k * binHz: position (in bins from the bottom edge) of frequency f is f / binHz + 0.5
        FrequencyAxis axis = new FrequencyAxis(f -> f / binHz + 0.5, 0.0, (grid.bins - 1) * binHz, false);
        return render(grid.db, grid.frames, grid.bins, framesPerSecond, axis, options);
    }

    /**
     * The highest level {@link #logMagnitude} would show for these inputs, e.g. to give several images the same
     * {@link Options.Builder#dbRange(double, double) range}.
     *
     * @param waveform   finite samples, at least 1
     * @param sampleRate Hz, {@code > 0}
     * @param options    rendering options (the STFT and maximum frequency matter)
     * @return the peak level in dB ({@link #FLOOR_DB} for silence)
     */
    public static double peakLevelDb(float[] waveform, int sampleRate, Options options) {
        double max = FLOOR_DB;
        for (double v : logMagnitudeDb(waveform, sampleRate, options).db) {
            max = Math.max(max, v);
        }
        return max;
    }

    /** A time-major grid of levels in dB. */
    private record LevelGrid(double[] db, int frames, int bins) {}

    private static LevelGrid logMagnitudeDb(float[] waveform, int sampleRate, Options options) {
        Check.positive("sampleRate", sampleRate);
        Check.waveform("waveform", waveform, 1);
        Check.notNull("options", options);
        Stft stft = Stft.builder(options.nFft).hopLength(options.hopLength).window(WindowFunction.HANN, true)
                .center(true).padMode(PadMode.CONSTANT).build();
        Spectrogram mag = stft.magnitude(waveform);
        double windowSum = 0.0;
        for (double w : stft.window()) {
            windowSum += w;
        }
        double binHz = (double) sampleRate / options.nFft;
        double fMax = Math.min(options.maxFrequencyHz, sampleRate / 2.0);
        int bins = Math.min(mag.numBins(), (int) Math.floor(fMax / binHz) + 1);
        int frames = mag.numFrames();
        float[] m = mag.toArray();
        double[] db = new double[frames * bins];
        for (int t = 0; t < frames; t++) {
            for (int k = 0; k < bins; k++) {
                double a = 2.0 * m[t * mag.numBins() + k] / windowSum;
                db[t * bins + k] = a > 0 ? Math.max(FLOOR_DB, 20.0 * Math.log10(a)) : FLOOR_DB;
            }
        }
        return new LevelGrid(db, frames, bins);
    }

    /**
     * An AudioLDM2 log-mel spectrogram ({@code frames x 64}, natural log, Slaney mel scale 0-8 kHz, 100 frames per
     * second as {@link AudioLdm2MelExtractor} produces), frequency axis labelled in Hz on the mel scale.
     *
     * @param logMel  the log-mel; its bins are taken as {@link AudioLdm2MelExtractor#N_MELS} Slaney mel bands from
     *                {@link AudioLdm2MelExtractor#F_MIN} to {@link AudioLdm2MelExtractor#F_MAX}
     * @param options rendering options (the STFT settings are unused)
     * @return the image
     */
    public static BufferedImage logMel(Spectrogram logMel, Options options) {
        return logMel(logMel, (double) AudioLdm2MelExtractor.SAMPLE_RATE / AudioLdm2MelExtractor.HOP_LENGTH,
                AudioLdm2MelExtractor.F_MIN, AudioLdm2MelExtractor.F_MAX, MelScale.SLANEY, options);
    }

    /**
     * A natural-log mel spectrogram with explicit framing and mel layout.
     *
     * @param logMel          {@code frames x mels}, natural-log values (finite)
     * @param framesPerSecond frame rate, finite and {@code > 0}
     * @param fMin            lowest mel edge in Hz, {@code >= 0}
     * @param fMax            highest mel edge in Hz, {@code > fMin}
     * @param scale           the mel scale the bands are spaced on
     * @param options         rendering options
     * @return the image
     */
    public static BufferedImage logMel(Spectrogram logMel, double framesPerSecond, double fMin, double fMax,
            MelScale scale, Options options) {
        Check.notNull("logMel", logMel);
        Check.positive("framesPerSecond", framesPerSecond);
        Check.nonNegative("fMin", fMin);
        Check.finite("fMax", fMax);
        if (!(fMax > fMin)) {
            throw new IllegalArgumentException("fMax must be > fMin " + fMin + ", got " + fMax);
        }
        Check.notNull("scale", scale);
        Check.notNull("options", options);
        float[] v = logMel.toArray();
        double[] db = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException("logMel must contain only finite values, got " + v[i]
                        + " at frame " + i / logMel.numBins() + ", bin " + i % logMel.numBins());
            }
            db[i] = DB_PER_NEPER * v[i];
        }
        int mels = logMel.numBins();
        double melLo = scale.hzToMel(fMin);
        double melHi = scale.hzToMel(fMax);
        // band m is centred on mel point m+1 of linspace(melLo, melHi, mels + 2)
        double melStep = (melHi - melLo) / (mels + 1);
        DoubleUnaryOperator position = f -> (scale.hzToMel(f) - melLo) / melStep - 1 + 0.5;
        FrequencyAxis axis = new FrequencyAxis(position, scale.melToHz(melLo + melStep),
                scale.melToHz(melLo + mels * melStep), true);
        return render(db, logMel.numFrames(), mels, framesPerSecond, axis, options);
    }

    /**
     * PNG bytes of an image (deterministic for the same pixels).
     *
     * @param image the image
     * @return the encoded PNG
     */
    public static byte[] toPng(BufferedImage image) {
        return Png.encode(image);
    }

    /**
     * Writes an image as PNG, creating parent directories.
     *
     * @param image the image
     * @param file  destination
     * @throws IOException when writing fails
     */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Png.write(image, file);
    }

    // ------------------------------------------------------------------------------------------------ rendering

    /**
     * Maps a frequency in Hz to a position in bins from the bottom edge; {@code [lowHz, highHz]} is labelled, with
     * evenly spaced ticks when {@code logTicks} is false and octave-like ticks (0.1, 0.25, 0.5, 1, 2, 4, 8, 16 kHz)
     * for a mel axis.
     */
    private record FrequencyAxis(DoubleUnaryOperator position, double lowHz, double highHz, boolean logTicks) {}

    private static final double[] MEL_TICKS_HZ = {100, 250, 500, 1000, 2000, 4000, 8000, 16000};

    private static BufferedImage render(double[] db, int frames, int bins, double framesPerSecond,
            FrequencyAxis axis, Options o) {
        int w = o.plotWidth;
        int h = o.plotHeight;
        double hi;
        double lo;
        if (o.dbMax != null) {
            hi = o.dbMax;
            lo = o.dbMin;
        } else {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : db) {
                max = Math.max(max, v);
            }
            // silence: keep the floor at the bottom of the range so it shows as the darkest colour
            hi = max <= FLOOR_DB ? FLOOR_DB + o.dynamicRangeDb : max;
            lo = hi - o.dynamicRangeDb;
        }
        BufferedImage img = Png.blank(LEFT + w + RIGHT, TOP + h + BOTTOM);
        int[] lut = o.colormap.table();
        for (int px = 0; px < w; px++) {
            int t0 = (int) ((long) px * frames / w);
            int t1 = Math.max(t0 + 1, (int) ((long) (px + 1) * frames / w));
            for (int row = 0; row < h; row++) { // row 0 = bottom
                int k0 = (int) ((long) row * bins / h);
                int k1 = Math.max(k0 + 1, (int) ((long) (row + 1) * bins / h));
                double v = Double.NEGATIVE_INFINITY;
                for (int t = t0; t < t1; t++) {
                    for (int k = k0; k < k1; k++) {
                        v = Math.max(v, db[t * bins + k]);
                    }
                }
                int idx = (int) Math.round(255 * Math.max(0.0, Math.min(1.0, (v - lo) / (hi - lo))));
                img.setRGB(LEFT + px, TOP + h - 1 - row, lut[idx]);
            }
        }
        Graphics2D g = Png.graphics(img);
        try {
            drawFrame(g, w, h);
            drawTitle(g, o.title, w);
            drawTimeAxis(g, frames, framesPerSecond, w, h);
            drawFrequencyAxis(g, axis, bins, h);
            drawColorBar(g, lut, lo, hi, w, h);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawFrame(Graphics2D g, int w, int h) {
        g.setColor(Png.INK);
        g.drawRect(LEFT - 1, TOP - 1, w + 1, h + 1);
    }

    /** The title is centred over the plot and cut to its width, leaving the colour bar's label free. */
    private static void drawTitle(Graphics2D g, String title, int w) {
        if (!title.isEmpty()) {
            PixelFont.drawCentered(g, PixelFont.fit(title, w, FONT), LEFT + w / 2, 10, FONT, Png.INK);
        }
    }

    private static void drawTimeAxis(Graphics2D g, int frames, double fps, int w, int h) {
        // frame t is centred at t / fps seconds and spans pixels [t w / T, (t+1) w / T)
        double duration = Math.max((frames - 1) / fps, 1e-9);
        int labelWidth = PixelFont.width("00.00", FONT) + 16;
        List<Double> ticks = Png.ticks(0.0, duration, Math.max(2, Math.min(10, w / labelWidth)));
        double step = ticks.size() > 1 ? ticks.get(1) - ticks.get(0) : 1.0;
        int y = TOP + h;
        for (double s : ticks) {
            int x = LEFT + (int) Math.round((s * fps + 0.5) * w / frames);
            if (x < LEFT || x > LEFT + w) {
                continue;
            }
            g.setColor(Png.INK);
            g.drawLine(x, y, x, y + 5);
            PixelFont.drawCentered(g, Png.format(s, step), x, y + 9, FONT, Png.INK);
        }
        PixelFont.drawCentered(g, "time (s)", LEFT + w / 2, y + 34, FONT, Png.INK);
    }

    private static void drawFrequencyAxis(Graphics2D g, FrequencyAxis axis, int bins, int h) {
        boolean khz = axis.logTicks() || axis.highHz() >= 2000;
        double unit = khz ? 1000.0 : 1.0;
        List<Double> ticks;
        double step;
        if (axis.logTicks()) {
            ticks = new java.util.ArrayList<>();
            for (double f : MEL_TICKS_HZ) {
                if (f >= axis.lowHz() && f <= axis.highHz()) {
                    ticks.add(f / unit);
                }
            }
            step = 0.01; // labels such as 0.25 need two decimals; trailing zeros are dropped below
        } else {
            ticks = Png.ticks(axis.lowHz() / unit, axis.highHz() / unit, Math.max(2, Math.min(8, h / 40)));
            step = ticks.size() > 1 ? ticks.get(1) - ticks.get(0) : 1.0;
        }
        int lastY = Integer.MAX_VALUE;
        for (double f : ticks) {
            double pos = axis.position().applyAsDouble(f * unit);
            int y = TOP + h - (int) Math.round(pos * h / bins);
            if (y < TOP || y > TOP + h || lastY - y < PixelFont.height(FONT) + 4) {
                continue; // outside the plot, or too close to the previous label
            }
            lastY = y;
            g.setColor(Png.INK);
            g.drawLine(LEFT - 6, y, LEFT - 1, y);
            String label = axis.logTicks() ? Png.trimZeros(Png.format(f, step)) : Png.format(f, step);
            PixelFont.drawRight(g, label, LEFT - 10, y - PixelFont.height(FONT) / 2, FONT, Png.INK);
        }
        String label = khz ? "frequency (kHz)" : "frequency (Hz)";
        if (axis.logTicks()) {
            label = "mel frequency (kHz)";
        }
        int textHeight = PixelFont.width(label, FONT);
        PixelFont.drawVertical(g, label, 8, TOP + (h - textHeight) / 2, FONT, Png.INK);
    }

    private static void drawColorBar(Graphics2D g, int[] lut, double lo, double hi, int w, int h) {
        int x = LEFT + w + 16;
        int barWidth = 16;
        for (int row = 0; row < h; row++) {
            int idx = (int) Math.round(255.0 * row / Math.max(1, h - 1));
            g.setColor(new java.awt.Color(lut[idx]));
            g.drawLine(x, TOP + h - 1 - row, x + barWidth - 1, TOP + h - 1 - row);
        }
        g.setColor(Png.INK);
        g.drawRect(x - 1, TOP - 1, barWidth + 1, h + 1);
        List<Double> ticks = Png.ticks(lo, hi, Math.max(2, Math.min(8, h / 40)));
        double step = ticks.size() > 1 ? ticks.get(1) - ticks.get(0) : 1.0;
        for (double v : ticks) {
            int y = TOP + h - 1 - (int) Math.round((v - lo) / (hi - lo) * (h - 1));
            g.drawLine(x + barWidth, y, x + barWidth + 4, y);
            PixelFont.draw(g, Png.format(v, step), x + barWidth + 8, y - PixelFont.height(FONT) / 2, FONT, Png.INK);
        }
        PixelFont.draw(g, "dB", x, TOP - 24, FONT, Png.INK);
    }
}
