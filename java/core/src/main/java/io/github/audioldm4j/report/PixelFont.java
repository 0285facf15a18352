package io.github.audioldm4j.report;

import java.awt.Color;
import java.awt.Graphics2D;

/**
 * A built-in 5x7 pixel font (with 2-row descenders for g, j, p, q, y and punctuation) for printable ASCII, drawn with
 * filled rectangles. Rendering therefore needs no system fonts (headless servers and minimal containers often have
 * none) and produces identical pixels on every machine. Each glyph is 5 columns by 9 rows (7 above the baseline, 2
 * below) in a 6-column cell, scaled by an integer factor; characters outside {@code 32..126} are drawn as
 * {@code '?'}. The glyph shapes are this project's own, in the style of the classic HD44780 LCD character set.
 */
final class PixelFont {
    /** Cell width in font pixels (5 columns + 1 spacing). */
    static final int CELL_WIDTH = 6;
    /** Rows per glyph: 7 above the baseline and 2 for descenders. */
    static final int ROWS = 9;
    /** Height of capitals and digits in font pixels (what text is centred on). */
    static final int CAP_HEIGHT = 7;

    /** Glyphs for ASCII 32..126: 9 rows of 5 bits, first row in the highest bits, leftmost column in bit 4. */
    private static final long[] GLYPHS = {
            0x000000000000L, 0x042108401000L, 0x0a5280000000L, 0x0a57d5f52800L, 0x047d1c5f1000L, 0x18c888898c00L,
            0x0c9511593400L, 0x042200000000L, 0x022210820800L, 0x082084222000L, 0x00255d520000L, 0x00213e420000L,
            0x000000063088L, 0x00003e000000L, 0x000000063000L, 0x000888880000L, 0x0e8ceb98b800L, 0x046108423800L,
            0x0e8844447c00L, 0x1f110418b800L, 0x0232a5f10800L, 0x1f878218b800L, 0x06443d18b800L, 0x1f0888842000L,
            0x0e8c5d18b800L, 0x0e8c5e113000L, 0x006300c60000L, 0x000318063088L, 0x022220820800L, 0x0007c1f00000L,
            0x082082222000L, 0x0e8844401000L, 0x0e885b5ab800L, 0x0e8c7f18c400L, 0x1e8c7d18f800L, 0x0e8c2108b800L,
            0x1c9463197000L, 0x1f843d087c00L, 0x1f843d084000L, 0x0e8c2f18bc00L, 0x118c7f18c400L, 0x0e2108423800L,
            0x071084293000L, 0x119531494400L, 0x108421087c00L, 0x11dd6b18c400L, 0x118e6b38c400L, 0x0e8c6318b800L,
            0x1e8c7d084000L, 0x0e8c63593400L, 0x1e8c7d494400L, 0x0f841c10f800L, 0x1f2108421000L, 0x118c6318b800L,
            0x118c63151000L, 0x118c6b5aa800L, 0x118a88a8c400L, 0x118c54421000L, 0x1f0888887c00L, 0x0e4210843800L,
            0x008208208000L, 0x0e1084213800L, 0x045440000000L, 0x000000007c00L, 0x082080000000L, 0x000382f8bc00L,
            0x1085b318f800L, 0x0003a108b800L, 0x010b6718bc00L, 0x0003a3f83800L, 0x064a38842000L, 0x0003e318bc2eL,
            0x1085b318c400L, 0x040308423800L, 0x020184210a4cL, 0x1084a98a4800L, 0x0c2108423800L, 0x0006ab58c400L,
            0x0005b318c400L, 0x0003a318b800L, 0x0007a318fa10L, 0x0003e318bc21L, 0x0005b3084000L, 0x0003a0e0f800L,
            0x084710849800L, 0x00046319b400L, 0x000463151000L, 0x0004635aa800L, 0x000454454400L, 0x00046318bc2eL,
            0x0007c4447c00L, 0x022110420800L, 0x042108421000L, 0x082104422000L, 0x00022a200000L
    };

    private PixelFont() {}

    /** Width in device pixels of {@code text} at {@code scale}. */
    static int width(String text, int scale) {
        return text.isEmpty() ? 0 : (text.length() * CELL_WIDTH - 1) * scale;
    }

    /** Height in device pixels of capitals and digits at {@code scale} (descenders go below it). */
    static int height(int scale) {
        return CAP_HEIGHT * scale;
    }

    /** Draws {@code text} with its top-left corner at {@code (x, y)}. */
    static void draw(Graphics2D g, String text, int x, int y, int scale, Color color) {
        g.setColor(color);
        for (int i = 0; i < text.length(); i++) {
            long bits = glyph(text.charAt(i));
            int cx = x + i * CELL_WIDTH * scale;
            for (int row = 0; row < ROWS; row++) {
                int rowBits = (int) (bits >>> (5 * (ROWS - 1 - row))) & 0x1F;
                for (int col = 0; col < 5; col++) {
                    if ((rowBits & (0x10 >>> col)) != 0) {
                        g.fillRect(cx + col * scale, y + row * scale, scale, scale);
                    }
                }
            }
        }
    }

    /**
     * Draws {@code text} rotated 90 degrees counter-clockwise (reading bottom to top) with the top of its capitals at
     * column {@code x} and its first character at the bottom of the span {@code [y, y + width(text, scale))}.
     */
    static void drawVertical(Graphics2D g, String text, int x, int y, int scale, Color color) {
        g.setColor(color);
        int total = width(text, scale);
        for (int i = 0; i < text.length(); i++) {
            long bits = glyph(text.charAt(i));
            for (int row = 0; row < ROWS; row++) {
                int rowBits = (int) (bits >>> (5 * (ROWS - 1 - row))) & 0x1F;
                for (int col = 0; col < 5; col++) {
                    if ((rowBits & (0x10 >>> col)) != 0) {
                        int along = (i * CELL_WIDTH + col) * scale; // distance from the start of the text
                        g.fillRect(x + row * scale, y + total - along - scale, scale, scale);
                    }
                }
            }
        }
    }

    /** Draws {@code text} centred horizontally on {@code centerX}. */
    static void drawCentered(Graphics2D g, String text, int centerX, int y, int scale, Color color) {
        draw(g, text, centerX - width(text, scale) / 2, y, scale, color);
    }

    /** Draws {@code text} with its right edge at {@code rightX}. */
    static void drawRight(Graphics2D g, String text, int rightX, int y, int scale, Color color) {
        draw(g, text, rightX - width(text, scale), y, scale, color);
    }

    /** Cuts {@code text} to fit {@code maxWidth} pixels at {@code scale}, ending it with {@code ".."} when cut. */
    static String fit(String text, int maxWidth, int scale) {
        int maxChars = (maxWidth / scale + 1) / CELL_WIDTH;
        if (text.length() <= maxChars) {
            return text;
        }
        return maxChars <= 2 ? text.substring(0, Math.max(0, maxChars)) : text.substring(0, maxChars - 2) + "..";
    }

    private static long glyph(char c) {
        return c >= 32 && c <= 126 ? GLYPHS[c - 32] : GLYPHS['?' - 32];
    }
}
