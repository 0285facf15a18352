package io.github.audioldm4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.analysis.Metrics;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.testing.TestOutput;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class SpectrogramImageTest {
    private static final int SR = 16000;

    /** A chirp from 200 Hz to 6 kHz over 2 s plus a steady 1 kHz tone. */
    static float[] chirp() {
        int n = 2 * SR;
        float[] x = new float[n];
        double phase = 0;
        for (int i = 0; i < n; i++) {
            double f = 200 + (6000 - 200) * i / (double) n;
            phase += 2 * Math.PI * f / SR;
            x[i] = (float) (0.4 * Math.sin(phase) + 0.1 * Math.sin(2 * Math.PI * 1000 * i / SR));
        }
        return x;
    }

    @Test
    void rendersDeterministicPngWithColormapPixels() throws IOException {
        SpectrogramImage.Options o = SpectrogramImage.Options.builder().title("chirp 200 Hz - 6 kHz + 1 kHz tone")
                .build();
        BufferedImage a = SpectrogramImage.logMagnitude(chirp(), SR, o);
        BufferedImage b = SpectrogramImage.logMagnitude(chirp(), SR, o);
        byte[] pa = SpectrogramImage.toPng(a);
        assertArrayEquals(pa, SpectrogramImage.toPng(b), "same input -> same PNG bytes");
        assertEquals(84 + 800 + 116, a.getWidth());
        assertEquals(40 + 300 + 58, a.getHeight());
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(pa));
        assertEquals(a.getWidth(), decoded.getWidth());
        Path out = TestOutput.dir("spectrogram").resolve("chirp.png");
        SpectrogramImage.writePng(a, out);
        assertTrue(Files.size(out) > 10_000, "PNG size " + Files.size(out));
        // the plot area uses many colours; the 1 kHz tone row is bright (viridis yellow end) along the whole time axis
        Set<Integer> colours = new HashSet<>();
        for (int x = 84; x < 884; x += 7) {
            for (int y = 40; y < 340; y += 5) {
                colours.add(a.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertTrue(colours.size() > 50, "distinct colours " + colours.size());
        int toneRow = 40 + 300 - 1 - (int) (300 * (1000.0 / 15.625 + 0.5) / 513);
        int bright = 0;
        for (int x = 100; x < 860; x += 10) {
            int rgb = a.getRGB(x, toneRow);
            if (((rgb >> 8) & 0xFF) > 0x90) {
                bright++; // viridis green channel is high for the upper half of the map
            }
        }
        assertTrue(bright > 70, "tone row bright pixels " + bright);
        // the background stays white and the frame is drawn
        assertEquals(0xFFFFFF, a.getRGB(2, a.getHeight() - 2) & 0xFFFFFF);
    }

    @Test
    void fixedDbRangeAndMagmaChangeTheImage() {
        float[] x = chirp();
        BufferedImage auto = SpectrogramImage.logMagnitude(x, SR, SpectrogramImage.Options.defaults());
        BufferedImage fixed = SpectrogramImage.logMagnitude(x, SR,
                SpectrogramImage.Options.builder().dbRange(-60, 0).colormap(Colormap.MAGMA).build());
        assertNotEquals(auto.getRGB(300, 200), fixed.getRGB(300, 200));
    }

    @Test
    void silenceRendersTheDarkestColour() {
        BufferedImage img = SpectrogramImage.logMagnitude(new float[8000], SR, SpectrogramImage.Options.defaults());
        assertEquals(Colormap.VIRIDIS.rgb(0), img.getRGB(400, 200) & 0xFFFFFF);
    }

    @Test
    void rendersAudioLdm2LogMel() throws IOException {
        Spectrogram mel = Metrics.audioLdm2LogMel(chirp(), SR);
        BufferedImage img = SpectrogramImage.logMel(mel,
                SpectrogramImage.Options.builder().title("AudioLDM2 log-mel").colormap(Colormap.MAGMA).build());
        SpectrogramImage.writePng(img, TestOutput.dir("spectrogram").resolve("chirp_logmel.png"));
        assertEquals(1000, img.getWidth());
    }

    @Test
    void colormapsMatchThePublishedEndPoints() {
        // viridis[0] = (0.267004, 0.004874, 0.329415), viridis[255] = (0.993248, 0.906157, 0.143936)
        assertEquals(0x440154, Colormap.VIRIDIS.rgb(0));
        assertEquals(0xfde725, Colormap.VIRIDIS.rgb(1));
        // viridis[128] = (0.127568, 0.566949, 0.550556) -> (33, 145, 140): control point 16
        assertEquals(0x21918c, Colormap.VIRIDIS.rgb(16 / 32.0));
        assertEquals(0x000004, Colormap.MAGMA.rgb(-3));
        assertEquals(0xfcfdbf, Colormap.MAGMA.rgb(Double.POSITIVE_INFINITY));
        assertEquals(Colormap.MAGMA.rgb(0), Colormap.MAGMA.rgb(Double.NaN));
        assertEquals(256, Colormap.VIRIDIS.table().length);
        assertEquals(33, Colormap.VIRIDIS.numControlPoints());
        // halfway between two control points is the channel-wise mean
        int a = Colormap.VIRIDIS.rgb(0);
        int b = Colormap.VIRIDIS.rgb(1 / 32.0);
        int mid = Colormap.VIRIDIS.rgb(0.5 / 32.0);
        assertEquals(Math.round(((a >> 16) + (b >> 16)) / 2.0), mid >> 16, 1);
    }

    @Test
    void invalidOptionsAndInputsAreRejected() {
        assertEquals("plotWidth must be in [64, 8192], got 10", assertThrows(IllegalArgumentException.class,
                () -> SpectrogramImage.Options.builder().plotSize(10, 100)).getMessage());
        assertEquals("dbMax must be > dbMin 0.0, got -10.0", assertThrows(IllegalArgumentException.class,
                () -> SpectrogramImage.Options.builder().dbRange(0, -10)).getMessage());
        assertEquals("nFft must be a power of two, got 1000", assertThrows(IllegalArgumentException.class,
                () -> SpectrogramImage.Options.builder().stft(1000, 100)).getMessage());
        assertEquals("dynamicRangeDb must be finite and > 0, got NaN", assertThrows(IllegalArgumentException.class,
                () -> SpectrogramImage.Options.builder().dynamicRangeDb(Double.NaN)).getMessage());
        assertEquals("title must not be null", assertThrows(NullPointerException.class,
                () -> SpectrogramImage.Options.builder().title(null)).getMessage());
        assertEquals("waveform must not be empty, got length 0", assertThrows(IllegalArgumentException.class,
                () -> SpectrogramImage.logMagnitude(new float[0], SR, SpectrogramImage.Options.defaults()))
                .getMessage());
        assertEquals("sampleRate must be > 0, got 0", assertThrows(IllegalArgumentException.class,
                () -> SpectrogramImage.logMagnitude(new float[10], 0, SpectrogramImage.Options.defaults()))
                .getMessage());
        assertEquals("options must not be null", assertThrows(NullPointerException.class,
                () -> SpectrogramImage.logMagnitude(new float[10], SR, null)).getMessage());
        float[] bad = new float[64];
        bad[65 % 64] = Float.NaN;
        assertEquals("logMel must contain only finite values, got NaN at frame 0, bin 1", assertThrows(
                IllegalArgumentException.class, () -> SpectrogramImage.logMel(new Spectrogram(1, 64, bad),
                        SpectrogramImage.Options.defaults())).getMessage());
    }
}
