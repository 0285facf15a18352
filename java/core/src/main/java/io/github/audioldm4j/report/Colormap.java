package io.github.audioldm4j.report;

/**
 * Perceptually uniform colormaps for spectrograms, interpolated linearly in sRGB between 33 control points taken at
 * every 8th entry (and the last) of the published 256-entry tables by Nathaniel J. Smith, Stefan van der Walt and
 * (viridis) Eric Firing (BIDS/colormap {@code colormaps.py}, CC0; the same tables as matplotlib's
 * {@code _cm_listed.py}), rounded to 8 bits. The interpolated maps differ from the 256-entry originals by less than
 * 2/255 per channel.
 */
public enum Colormap {
    /** viridis: dark blue to yellow. */
    VIRIDIS(new int[] {
            0x440154, 0x470d60, 0x48186a, 0x482374, 0x472d7b, 0x453781, 0x424086, 0x3e4989, 0x3b528b, 0x375b8d,
            0x33638d, 0x2f6b8e, 0x2c728e, 0x297a8e, 0x26828e, 0x23898e, 0x21918c, 0x1f988b, 0x1fa088, 0x22a785,
            0x28ae80, 0x32b67a, 0x3fbc73, 0x4ec36b, 0x5ec962, 0x70cf57, 0x84d44b, 0x98d83e, 0xaddc30, 0xc2df23,
            0xd8e219, 0xece51b, 0xfde725}),
    /** magma: black through purple and orange to light yellow. */
    MAGMA(new int[] {
            0x000004, 0x030312, 0x0a0822, 0x130d34, 0x1d1147, 0x29115a, 0x36106b, 0x440f76, 0x51127c, 0x5d177f,
            0x6a1c81, 0x762181, 0x832681, 0x902a81, 0x9c2e7f, 0xaa337d, 0xb73779, 0xc43c75, 0xd0416f, 0xdc4869,
            0xe75263, 0xef5d5e, 0xf56b5c, 0xf9795d, 0xfc8961, 0xfd9869, 0xfea772, 0xfeb67c, 0xfec488, 0xfed395,
            0xfde2a3, 0xfcf0b2, 0xfcfdbf});

    private final int[] points;

    Colormap(int[] points) {
        this.points = points;
    }

    /**
     * The colour at {@code t}: 0 is the first control point, 1 the last; values outside {@code [0, 1]} are clamped
     * and NaN maps to 0.
     *
     * @param t position along the map
     * @return {@code 0xRRGGBB}
     */
    public int rgb(double t) {
        double c = Double.isNaN(t) ? 0.0 : Math.max(0.0, Math.min(1.0, t));
        double pos = c * (points.length - 1);
        int i = Math.min((int) pos, points.length - 2);
        double f = pos - i;
        int a = points[i];
        int b = points[i + 1];
        int r = mix((a >> 16) & 0xFF, (b >> 16) & 0xFF, f);
        int g = mix((a >> 8) & 0xFF, (b >> 8) & 0xFF, f);
        int bl = mix(a & 0xFF, b & 0xFF, f);
        return (r << 16) | (g << 8) | bl;
    }

    /**
     * A 256-entry lookup table of {@link #rgb(double)} at {@code i / 255}.
     *
     * @return 256 colours {@code 0xRRGGBB}
     */
    public int[] table() {
        int[] out = new int[256];
        for (int i = 0; i < 256; i++) {
            out[i] = rgb(i / 255.0);
        }
        return out;
    }

    /** Number of control points (33). */
    int numControlPoints() {
        return points.length;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
