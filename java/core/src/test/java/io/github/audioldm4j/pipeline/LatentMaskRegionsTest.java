package io.github.audioldm4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Multi-region inpainting masks: several time x mel-band regions in one mask. */
class LatentMaskRegionsTest {

    @Test
    void regionsClearExactlyTheirCells() {
        // 10 frames, 16 latent bins, 64 mel bins (4 per latent bin)
        LatentMask m = LatentMask.regenerate(10, 16, 64, List.of(new LatentMask.Region(0.0, 0.2, 0, 8),
                new LatentMask.Region(0.5, 0.7, 30, 64)));
        for (int f = 0; f < 10; f++) {
            for (int b = 0; b < 16; b++) {
                boolean first = f < 2 && b < 2;
                boolean second = f >= 5 && f < 7 && b >= 7; // mel 30 lies in latent bin 7
                assertEquals(first || second ? 0f : 1f, m.get(f, b), "frame " + f + " bin " + b);
            }
        }
        assertEquals(1.0 - (2 * 2 + 2 * 9) / 160.0, m.keptFraction(), 1e-12);
        // a time-only region is regenerateTime
        LatentMask t = LatentMask.regenerate(10, 16, 64, List.of(LatentMask.Region.time(0.4, 0.6, 64)));
        LatentMask u = LatentMask.regenerateTime(10, 16, 0.4, 0.6);
        for (int f = 0; f < 10; f++) {
            for (int b = 0; b < 16; b++) {
                assertEquals(u.get(f, b), t.get(f, b));
            }
        }
    }

    @Test
    void badRegionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LatentMask.Region(0.5, 0.5, 0, 64));
        assertEquals("endFraction must be > startFraction (0.5), got 0.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LatentMask.Region(0, 1, 10, 10));
        assertEquals("melHigh must be > melLow (10), got 10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LatentMask.regenerate(10, 16, 64, List.of(new LatentMask.Region(0, 1, 0, 65))));
        assertEquals("regions[0].melHigh must be <= melBins 64, got 65", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LatentMask.regenerate(10, 16, 64, List.of()));
        assertTrue(e.getMessage().startsWith("regions must not be empty"), e.getMessage());
    }
}
