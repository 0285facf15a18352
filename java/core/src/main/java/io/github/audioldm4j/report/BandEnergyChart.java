package io.github.audioldm4j.report;

import io.github.audioldm4j.analysis.FrequencyBand;
import io.github.audioldm4j.util.Check;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A grouped bar chart of band levels: one group per {@link FrequencyBand}, one bar per series (e.g. the reference and
 * each pipeline stage), with a dB axis, grid, band labels, a legend and a title. Colours follow the Okabe-Ito
 * colour-blind-safe palette (the first series is drawn in grey, as a reference). Deterministic output, headless,
 * no system fonts (see {@link SpectrogramImage}). Thread-safe (stateless).
 */
public final class BandEnergyChart {
    private static final int FONT = 2;
    private static final int LEFT = 84;
    private static final int TOP = 40;
    private static final int BOTTOM = 62;
    private static final int LEGEND_GAP = 24;
    private static final int SWATCH = 14;
    private static final int MAX_NAME_CHARS = 24;
    /** Reference grey, then Okabe & Ito (2008) "Color Universal Design": orange, sky blue, bluish green, blue,
     * vermillion, reddish purple, yellow; then Paul Tol's "muted" indigo, wine, green, olive and black, so the
     * reference and up to 12 stages (the study has 8) each get their own colour. */
    private static final int[] PALETTE = {0x666666, 0xE69F00, 0x56B4E9, 0x009E73, 0x0072B2, 0xD55E00, 0xCC79A7,
            0xF0E442, 0x332288, 0x882255, 0x117733, 0x999933, 0x000000};

    /** How many series get distinct colours (the reference included). */
    static final int DISTINCT_COLOURS = PALETTE.length;

    private BandEnergyChart() {}

    /**
     * One set of bars: a name for the legend and a level per band.
     *
     * @param name     legend text, not blank
     * @param levelsDb one finite level per band, in dB
     */
    public record Series(String name, double[] levelsDb) {
        /** Validates and copies. */
        public Series {
            Check.notBlank("name", name);
            Check.notNull("levelsDb", levelsDb);
            for (int i = 0; i < levelsDb.length; i++) {
                if (!Double.isFinite(levelsDb[i])) {
                    throw new IllegalArgumentException("levelsDb of series \"" + name
                            + "\" must contain only finite values, got " + levelsDb[i] + " at index " + i);
                }
            }
            levelsDb = levelsDb.clone();
        }

        /** A copy of the levels. */
        @Override
        public double[] levelsDb() {
            return levelsDb.clone();
        }
    }

    /**
     * Renders the chart with a 720 x 320 plot area.
     *
     * @param title  text above the chart, not null (may be empty)
     * @param bands  the bands, at least one
     * @param series at least one series, each with one level per band
     * @return the image
     */
    public static BufferedImage render(String title, List<FrequencyBand> bands, List<Series> series) {
        return render(title, bands, series, 720, 320);
    }

    /**
     * Renders the chart.
     *
     * @param title      text above the chart, not null (may be empty)
     * @param bands      the bands, at least one
     * @param series     at least one series, each with one level per band
     * @param plotWidth  plot area width in pixels, in {@code [160, 8192]}
     * @param plotHeight plot area height in pixels, in {@code [80, 8192]}
     * @return the image
     */
    public static BufferedImage render(String title, List<FrequencyBand> bands, List<Series> series, int plotWidth,
            int plotHeight) {
        Check.notNull("title", title);
        Check.notEmpty("bands", bands);
        Check.notEmpty("series", series);
        Check.inRange("plotWidth", plotWidth, 160, 8192);
        Check.inRange("plotHeight", plotHeight, 80, 8192);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < series.size(); s++) {
            Series ser = Check.requireNonNullElement("series", series.get(s), s);
            if (ser.levelsDb.length != bands.size()) {
                throw new IllegalArgumentException("series \"" + ser.name() + "\" must have " + bands.size()
                        + " levels (one per band), got " + ser.levelsDb.length);
            }
            for (double v : ser.levelsDb) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        for (int b = 0; b < bands.size(); b++) {
            Check.requireNonNullElement("bands", bands.get(b), b);
        }
        // axis: whole 10 dB steps with some head room; bars grow up from the bottom of the axis
        double lo = Math.floor((min - 5) / 10) * 10;
        double hi = Math.ceil((max + 3) / 10) * 10;
        int legendWidth = 0;
        for (Series s : series) {
            legendWidth = Math.max(legendWidth, PixelFont.width(legendName(s), FONT));
        }
        legendWidth += SWATCH + 8;
        int width = LEFT + plotWidth + LEGEND_GAP + legendWidth + 16;
        int legendHeight = series.size() * 22 + TOP;
        int height = Math.max(TOP + plotHeight + BOTTOM, legendHeight + 8);
        BufferedImage img = Png.blank(width, height);
        Graphics2D g = Png.graphics(img);
        try {
            drawAxes(g, lo, hi, plotWidth, plotHeight);
            drawBars(g, bands, series, lo, hi, plotWidth, plotHeight);
            drawLegend(g, series, LEFT + plotWidth + LEGEND_GAP);
            if (!title.isEmpty()) {
                PixelFont.drawCentered(g, PixelFont.fit(title, plotWidth, FONT), LEFT + plotWidth / 2, 10, FONT,
                        Png.INK);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /**
     * Writes a chart as PNG, creating parent directories.
     *
     * @param image the chart
     * @param file  destination
     * @throws IOException when writing fails
     */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Png.write(image, file);
    }

    /** The colour of series {@code index} ({@code 0xRRGGBB}). */
    static int colour(int index) {
        return index == 0 ? PALETTE[0] : PALETTE[1 + (index - 1) % (PALETTE.length - 1)];
    }

    private static String legendName(Series s) {
        String n = s.name();
        return n.length() <= MAX_NAME_CHARS ? n : n.substring(0, MAX_NAME_CHARS - 2) + "..";
    }

    private static int yOf(double db, double lo, double hi, int h) {
        return TOP + h - (int) Math.round((db - lo) / (hi - lo) * h);
    }

    private static void drawAxes(Graphics2D g, double lo, double hi, int w, int h) {
        List<Double> ticks = Png.ticks(lo, hi, Math.max(2, Math.min(10, h / 36)));
        double step = ticks.size() > 1 ? ticks.get(1) - ticks.get(0) : 10.0;
        for (double v : ticks) {
            int y = yOf(v, lo, hi, h);
            g.setColor(Png.GRID);
            g.drawLine(LEFT, y, LEFT + w - 1, y);
            g.setColor(Png.INK);
            g.drawLine(LEFT - 6, y, LEFT - 1, y);
            PixelFont.drawRight(g, Png.format(v, step), LEFT - 10, y - PixelFont.height(FONT) / 2, FONT, Png.INK);
        }
        g.setColor(Png.INK);
        g.drawLine(LEFT - 1, TOP, LEFT - 1, TOP + h);
        g.drawLine(LEFT - 1, TOP + h, LEFT + w, TOP + h);
        String label = "level (dB)";
        PixelFont.drawVertical(g, label, 8, TOP + (h - PixelFont.width(label, FONT)) / 2, FONT, Png.INK);
    }

    private static void drawBars(Graphics2D g, List<FrequencyBand> bands, List<Series> series, double lo, double hi,
            int w, int h) {
        int groups = bands.size();
        double groupWidth = (double) w / groups;
        double barWidth = groupWidth * 0.8 / series.size();
        for (int b = 0; b < groups; b++) {
            double x0 = LEFT + b * groupWidth + groupWidth * 0.1;
            for (int s = 0; s < series.size(); s++) {
                int x = (int) Math.round(x0 + s * barWidth);
                int x1 = (int) Math.round(x0 + (s + 1) * barWidth);
                int y = yOf(series.get(s).levelsDb[b], lo, hi, h);
                g.setColor(new Color(colour(s)));
                g.fillRect(x, y, Math.max(1, x1 - x - 1), TOP + h - y);
            }
            String label = PixelFont.fit(bands.get(b).label(), (int) groupWidth - 4, FONT);
            PixelFont.drawCentered(g, label, (int) Math.round(LEFT + (b + 0.5) * groupWidth), TOP + h + 10, FONT,
                    Png.INK);
        }
        PixelFont.drawCentered(g, "frequency band", LEFT + w / 2, TOP + h + 38, FONT, Png.INK);
    }

    private static void drawLegend(Graphics2D g, List<Series> series, int x) {
        int y = TOP;
        for (int s = 0; s < series.size(); s++) {
            g.setColor(new Color(colour(s)));
            g.fillRect(x, y, SWATCH, SWATCH);
            PixelFont.draw(g, legendName(series.get(s)), x + SWATCH + 8, y, FONT, Png.INK);
            y += 22;
        }
    }
}
