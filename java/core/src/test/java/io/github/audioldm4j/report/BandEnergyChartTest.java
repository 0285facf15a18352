package io.github.audioldm4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.analysis.FrequencyBand;
import io.github.audioldm4j.testing.TestOutput;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BandEnergyChartTest {
    private static final List<FrequencyBand> BANDS = FrequencyBand.standardBands(16000);

    /** Height in pixels of the run of {@code colour} in column {@code x}. */
    private static int barHeight(BufferedImage img, int x, int colour) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            if ((img.getRGB(x, y) & 0xFFFFFF) == colour) {
                n++;
            }
        }
        return n;
    }

    @Test
    void barHeightsFollowTheLevels() throws IOException {
        List<BandEnergyChart.Series> series = List.of(
                new BandEnergyChart.Series("reference", new double[] {-20, -20, -20, -20}),
                new BandEnergyChart.Series("stage", new double[] {-20, -30, -40, -60}));
        BufferedImage img = BandEnergyChart.render("levels", BANDS, series);
        BandEnergyChart.writePng(img, TestOutput.dir("chart").resolve("bands.png"));
        // axis: floor((-60 - 5) / 10) * 10 = -70 to ceil((-20 + 3) / 10) * 10 = -10 over 320 px: 5.333 px per dB
        double pxPerDb = 320 / 60.0;
        double groupWidth = 720 / 4.0;
        double barWidth = groupWidth * 0.8 / 2;
        for (int b = 0; b < 4; b++) {
            int xRef = (int) (84 + b * groupWidth + groupWidth * 0.1 + barWidth / 2);
            int xStage = (int) (xRef + barWidth);
            assertEquals(50 * pxPerDb, barHeight(img, xRef, BandEnergyChart.colour(0)), 1.5, "reference band " + b);
            double level = series.get(1).levelsDb()[b];
            assertEquals((level + 70) * pxPerDb, barHeight(img, xStage, BandEnergyChart.colour(1)), 1.5,
                    "stage band " + b);
        }
        assertArrayEquals(SpectrogramImage.toPng(img),
                SpectrogramImage.toPng(BandEnergyChart.render("levels", BANDS, series)), "deterministic");
    }

    @Test
    void paletteCyclesAfterTheReference() {
        assertEquals(0x666666, BandEnergyChart.colour(0));
        assertEquals(0xE69F00, BandEnergyChart.colour(1));
        assertEquals(BandEnergyChart.colour(1), BandEnergyChart.colour(BandEnergyChart.DISTINCT_COLOURS));
        assertTrue(BandEnergyChart.colour(2) != BandEnergyChart.colour(1));
    }

    @Test
    void invalidInputsAreRejected() {
        List<BandEnergyChart.Series> one = List.of(new BandEnergyChart.Series("a", new double[] {1, 2, 3, 4}));
        assertEquals("series \"b\" must have 4 levels (one per band), got 2", assertThrows(
                IllegalArgumentException.class, () -> BandEnergyChart.render("", BANDS,
                        List.of(new BandEnergyChart.Series("b", new double[] {1, 2})))).getMessage());
        assertEquals("levelsDb of series \"c\" must contain only finite values, got -Infinity at index 1",
                assertThrows(IllegalArgumentException.class, () -> new BandEnergyChart.Series("c",
                        new double[] {0, Double.NEGATIVE_INFINITY})).getMessage());
        assertEquals("name must not be blank, got \"\"", assertThrows(IllegalArgumentException.class,
                () -> new BandEnergyChart.Series("", new double[0])).getMessage());
        assertEquals("series must not be empty, got an empty collection", assertThrows(
                IllegalArgumentException.class, () -> BandEnergyChart.render("", BANDS, List.of())).getMessage());
        assertEquals("bands must not be empty, got an empty collection", assertThrows(
                IllegalArgumentException.class, () -> BandEnergyChart.render("", List.of(), one)).getMessage());
        assertEquals("plotWidth must be in [160, 8192], got 100", assertThrows(IllegalArgumentException.class,
                () -> BandEnergyChart.render("", BANDS, one, 100, 200)).getMessage());
        assertEquals("title must not be null", assertThrows(NullPointerException.class,
                () -> BandEnergyChart.render(null, BANDS, one)).getMessage());
    }

    @Test
    void everySeriesOfTheStudyHasItsOwnColour() {
        // the reference and the study's 8 stages (resample-16k and cascade used to share one)
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int i = 0; i < BandEnergyChart.DISTINCT_COLOURS; i++) {
            colours.add(BandEnergyChart.colour(i));
        }
        org.junit.jupiter.api.Assertions.assertEquals(BandEnergyChart.DISTINCT_COLOURS, colours.size());
        org.junit.jupiter.api.Assertions.assertTrue(BandEnergyChart.DISTINCT_COLOURS >= 9);
    }
}
