package io.github.audioldm4j.report;

import io.github.audioldm4j.util.Check;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** PNG encoding and the drawing helpers shared by the plots (headless AWT, no system fonts). */
final class Png {
    static final Color BACKGROUND = Color.WHITE;
    static final Color INK = new Color(0x22, 0x22, 0x22);
    static final Color GRID = new Color(0xDD, 0xDD, 0xDD);

    static {
        // rendering never opens a window; set before any AWT class initialises the toolkit
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        ImageIO.setUseCache(false);
    }

    private Png() {}

    /** A white RGB image and its graphics with antialiasing off (crisp, machine-independent pixels). */
    static BufferedImage blank(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, width, height);
        } finally {
            g.dispose();
        }
        return img;
    }

    static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        return g;
    }

    /** Encodes an image as PNG bytes. */
    static byte[] encode(BufferedImage image) {
        Check.notNull("image", image);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer available in this JRE");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e);
        }
        return out.toByteArray();
    }

    /** Writes an image as a PNG file (parent directories are created). */
    static void write(BufferedImage image, Path file) throws IOException {
        Check.notNull("file", file);
        byte[] bytes = encode(image);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, bytes);
    }

    /**
     * "Nice" tick values covering {@code [min, max]}: multiples of 1, 2, 2.5 or 5 times a power of ten, about
     * {@code target} of them.
     */
    static List<Double> ticks(double min, double max, int target) {
        List<Double> out = new ArrayList<>();
        if (!(max > min) || !Double.isFinite(min) || !Double.isFinite(max)) {
            out.add(min);
            return out;
        }
        double step = niceStep((max - min) / Math.max(1, target));
        double first = Math.ceil(min / step - 1e-9) * step;
        for (int i = 0; ; i++) {
            double v = first + i * step;
            if (v > max + step * 1e-9) {
                break;
            }
            out.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return out;
    }

    static double niceStep(double raw) {
        double exp = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / exp;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nice * exp;
    }

    /** Drops trailing zeros after a decimal point ({@code "0.50"} to {@code "0.5"}, {@code "2.00"} to {@code "2"}). */
    static String trimZeros(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        String t = s.replaceAll("0+$", "");
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }

    /** Formats a tick value with just enough decimals for {@code step}. */
    static String format(double value, double step) {
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        if (step * Math.pow(10, decimals) % 1 > 1e-6) {
            decimals++; // e.g. 2.5 steps need one more decimal
        }
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", value);
    }
}
