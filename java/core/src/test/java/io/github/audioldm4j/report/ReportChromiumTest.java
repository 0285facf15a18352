package io.github.audioldm4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.audioldm4j.testing.TestOutput;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Renders the HTML report in headless Chromium and checks the screenshot. Skipped (JUnit assumption) when
 * {@code /usr/bin/chromium} is not installed (Debian package {@code chromium}; CI installs it). The screenshot stays
 * in {@code java/target/analysis-test-output/chromium/report.png}.
 */
class ReportChromiumTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void reportRendersInHeadlessChromium() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed at " + CHROMIUM);
        Path dir = TestOutput.dir("chromium");
        Path html = ReportWriter.write(ComparisonReportTest.sampleReport(), dir.resolve("report"));
        Path shot = dir.resolve("report.png");
        Files.deleteIfExists(shot);
        Path profile = Files.createTempDirectory("audioldm4j-chromium-");
        List<String> cmd = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--screenshot=" + shot.toAbsolutePath(), "--window-size=1280,2000",
                html.toAbsolutePath().toUri().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("chromium.log").toFile()).start();
        boolean finished;
        try {
            finished = p.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
        } finally {
            deleteTree(profile);
        }
        assertTrue(finished, "chromium did not finish within 120 s; see " + dir.resolve("chromium.log"));
        assertEquals(0, p.exitValue(), "chromium exit code; see " + dir.resolve("chromium.log"));
        assertTrue(Files.exists(shot), "no screenshot written");
        long size = Files.size(shot);
        assertTrue(size > 50_000, "screenshot is only " + size + " bytes");
        BufferedImage img = ImageIO.read(shot.toFile());
        assertEquals(1280, img.getWidth());
        assertEquals(2000, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        int orange = 0; // the chart's second series colour (Okabe-Ito orange): the embedded PNGs were drawn
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                if (near(rgb, BandEnergyChart.colour(1))) {
                    orange++;
                }
            }
        }
        assertTrue(colours.size() > 200, "screenshot has only " + colours.size() + " colours");
        assertTrue(orange > 500, "band chart bars visible: " + orange + " orange samples");
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static boolean near(int a, int b) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF)) > 4) {
                return false;
            }
        }
        return true;
    }
}
