package io.github.audioldm4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.testing.TestOutput;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PixelFontTest {
    /** The pixels a single character sets at scale 1, as a string of '#' and '.'. */
    private static String pixels(char c) {
        BufferedImage img = Png.blank(8, 12);
        Graphics2D g = Png.graphics(img);
        PixelFont.draw(g, String.valueOf(c), 1, 1, 1, Png.INK);
        g.dispose();
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 8; x++) {
                sb.append((img.getRGB(x, y) & 0xFFFFFF) == 0xFFFFFF ? '.' : '#');
            }
        }
        return sb.toString();
    }

    @Test
    void everyPrintableCharacterHasItsOwnGlyph() throws IOException {
        Set<String> seen = new HashSet<>();
        for (char c = 33; c <= 126; c++) {
            String p = pixels(c);
            assertTrue(p.contains("#"), "glyph for '" + c + "' is empty");
            assertTrue(seen.add(p), "glyph for '" + c + "' duplicates another");
        }
        assertTrue(!pixels(' ').contains("#"));
        assertEquals(pixels('?'), pixels('\u00e9'), "non-ASCII draws as '?'");
        // a sheet to look at
        StringBuilder all = new StringBuilder();
        for (char c = 32; c <= 126; c++) {
            all.append(c);
        }
        BufferedImage sheet = Png.blank(PixelFont.width(all.substring(0, 48), 3) + 20, 90);
        Graphics2D g = Png.graphics(sheet);
        PixelFont.draw(g, all.substring(0, 48), 10, 10, 3, Png.INK);
        PixelFont.draw(g, all.substring(48), 10, 50, 3, Png.INK);
        g.dispose();
        Png.write(sheet, TestOutput.dir("font").resolve("sheet.png"));
    }

    @Test
    void geometry() {
        assertEquals(0, PixelFont.width("", 2));
        assertEquals((3 * 6 - 1) * 2, PixelFont.width("abc", 2));
        assertEquals(14, PixelFont.height(2));
        assertEquals("abcd..", PixelFont.fit("abcdefghijkl", 6 * 6 * 2, 2));
        assertEquals("abc", PixelFont.fit("abc", 1000, 2));
        // vertical text covers the same number of pixels as horizontal text
        BufferedImage a = Png.blank(60, 60);
        BufferedImage b = Png.blank(60, 60);
        Graphics2D ga = Png.graphics(a);
        Graphics2D gb = Png.graphics(b);
        PixelFont.draw(ga, "Hz5", 2, 2, 2, Png.INK);
        PixelFont.drawVertical(gb, "Hz5", 2, 2, 2, Png.INK);
        ga.dispose();
        gb.dispose();
        assertEquals(countInk(a), countInk(b));
        assertTrue(countInk(b) > 0);
        // rotation reads bottom to top: the vertical text's box is 14 px wide and width("Hz5") tall
        assertEquals(inkBounds(a)[2], inkBounds(b)[3]);
        assertEquals(inkBounds(a)[3], inkBounds(b)[2]);
    }

    /** {minX, minY, width, height} of the non-white pixels. */
    private static int[] inkBounds(BufferedImage img) {
        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    minX = Math.min(minX, x);
                    minY = Math.min(minY, y);
                    maxX = Math.max(maxX, x);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        return new int[] {minX, minY, maxX - minX + 1, maxY - minY + 1};
    }

    private static int countInk(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    n++;
                }
            }
        }
        return n;
    }
}
