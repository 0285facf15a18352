package io.github.audioldm4j.analysis;

import io.github.audioldm4j.util.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A frequency band {@code [lowHz, highHz)}; the top band of a signal also includes its upper edge (the Nyquist bin).
 *
 * @param lowHz  lower edge in Hz, finite and {@code >= 0}
 * @param highHz upper edge in Hz, {@code > lowHz}
 */
public record FrequencyBand(double lowHz, double highHz) {
    /** The standard band edges in Hz: 0-1, 1-2, 2-4, 4-8 kHz and above 8 kHz (up to Nyquist). */
    private static final double[] STANDARD_EDGES = {0, 1000, 2000, 4000, 8000};

    /** Validates the edges. */
    public FrequencyBand {
        Check.nonNegative("lowHz", lowHz);
        Check.positive("highHz", highHz);
        if (!(highHz > lowHz)) {
            throw new IllegalArgumentException("highHz must be > lowHz " + lowHz + ", got " + highHz);
        }
    }

    /**
     * The standard analysis bands that exist at {@code sampleRate}: {@code 0-1, 1-2, 2-4, 4-8 kHz} and
     * {@code 8 kHz-Nyquist}, keeping only bands whose lower edge is below Nyquist and cutting the last one at
     * Nyquist. At 16 kHz: four bands (the last is 4-8 kHz); at 44.1 kHz: five (the last is 8-22.05 kHz).
     *
     * @param sampleRate Hz, {@code > 0}
     * @return the bands, in increasing frequency
     */
    public static List<FrequencyBand> standardBands(int sampleRate) {
        Check.positive("sampleRate", sampleRate);
        double nyquist = sampleRate / 2.0;
        List<FrequencyBand> bands = new ArrayList<>();
        for (int i = 0; i < STANDARD_EDGES.length; i++) {
            double lo = STANDARD_EDGES[i];
            if (lo >= nyquist) {
                break;
            }
            double hi = i + 1 < STANDARD_EDGES.length ? Math.min(STANDARD_EDGES[i + 1], nyquist) : nyquist;
            bands.add(new FrequencyBand(lo, hi));
        }
        return List.copyOf(bands);
    }

    /** A short label such as {@code "0-1 kHz"} or {@code "8-22.05 kHz"}. */
    public String label() {
        return khz(lowHz) + "-" + khz(highHz) + " kHz";
    }

    private static String khz(double hz) {
        String s = String.format(Locale.ROOT, "%.3f", hz / 1000.0);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
