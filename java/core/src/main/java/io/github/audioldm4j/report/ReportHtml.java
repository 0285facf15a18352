package io.github.audioldm4j.report;

import io.github.audioldm4j.analysis.FrequencyBand;
import io.github.audioldm4j.analysis.Metric;
import io.github.audioldm4j.analysis.MetricRegistry;
import io.github.audioldm4j.analysis.Metrics;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Writes a {@link ComparisonReport} as one self-contained HTML page: inline CSS, no scripts, images embedded as PNG
 * data URIs, audio players referring to the WAV files written next to the page.
 */
public final class ReportHtml {
    private static final double SPECTROGRAM_RANGE_DB = 80.0;

    private static final String CSS = """
            :root { color-scheme: light; }
            body { margin: 0; background: #f4f5f7; color: #1f2328;
                   font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
            main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 40px; }
            h1 { font-size: 1.6em; margin: 8px 0 4px; }
            h2 { font-size: 1.2em; margin: 0 0 12px; }
            h3 { font-size: 1.05em; margin: 0 0 6px; }
            .muted { color: #59636e; font-size: 0.92em; }
            .card { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 16px 18px;
                    margin: 16px 0; }
            table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
            table.metrics { font-size: 14px; }
            th, td { padding: 6px 7px; border-bottom: 1px solid #e6e9ed; text-align: right; white-space: nowrap; }
            th { background: #f6f8fa; font-weight: 600; vertical-align: bottom; white-space: normal; }
            th.name, td.name { text-align: left; white-space: normal; }
            td.best { background: #d3f3dd; font-weight: 700; }
            tr.reference td { color: #59636e; font-style: italic; }
            tr.skipped td { color: #8a4b00; background: #fff8e6; }
            td.reason { text-align: left; white-space: normal; }
            .table-wrap { overflow-x: auto; }
            img { max-width: 100%; height: auto; display: block; margin: 8px 0; }
            audio { width: 100%; max-width: 520px; margin: 6px 0; }
            .stage { border-top: 1px solid #e6e9ed; padding-top: 12px; margin-top: 12px; }
            .stage:first-of-type { border-top: none; margin-top: 0; padding-top: 0; }
            .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8em;
                     font-weight: 600; vertical-align: middle; margin-left: 6px; }
            .badge.ran { background: #dafbe1; color: #116329; }
            .badge.skipped { background: #fff1c2; color: #7d4e00; }
            dl { margin: 0; } dt { font-weight: 600; margin-top: 8px; } dd { margin: 2px 0 0 16px; }
            code { font-size: 0.92em; }
            """;

    private ReportHtml() {}

    /**
     * The self-contained HTML page of a report: inline CSS, images embedded as PNG data URIs; audio players refer
     * to the WAV files {@link ReportWriter#write} puts next to it ({@code audio/...}).
     */
    public static String toHtml(ComparisonReport r) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta name=\"generator\" content=\"").append(ComparisonReport.GENERATOR).append("\">\n")
                .append("<title>").append(esc(r.title())).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n<main>\n");
        header(h, r);
        metricsTable(h, r);
        bands(h, r);
        spectrograms(h, r);
        definitions(h);
        h.append("</main>\n</body>\n</html>\n");
        return h.toString();
    }

    // ------------------------------------------------------------------------------------------------ sections

    private static void header(StringBuilder h, ComparisonReport r) {
        long ran = r.stages().stream().filter(ComparisonReport.Stage::ran).count();
        long skipped = r.stages().size() - ran;
        h.append("<h1>").append(esc(r.title())).append("</h1>\n<p class=\"muted\">");
        if (!r.inputDescription().isEmpty()) {
            h.append("Input: ").append(esc(r.inputDescription())).append(" &middot; ");
        }
        h.append(r.sampleRate()).append(" Hz &middot; ")
                .append(String.format(Locale.ROOT, "%.2f s", (double) r.referenceLength() / r.sampleRate()))
                .append(" &middot; ").append(r.stages().size()).append(" stage").append(r.stages().size() == 1 ? "" : "s")
                .append(" (").append(ran).append(" ran, ").append(skipped).append(" skipped)</p>\n");
    }

    /** The registry's metrics that apply at the report's rate (no loss above 8 kHz at 16 kHz). */
    private static List<Metric> columns(ComparisonReport r) {
        return MetricRegistry.applicableAt(r.sampleRate());
    }

    private static void metricsTable(StringBuilder h, ComparisonReport r) {
        List<Metric> cols = columns(r);
        List<ComparisonReport.Stage> ran = r.stages().stream().filter(ComparisonReport.Stage::ran).toList();
        h.append("<section class=\"card\">\n<h2>Metrics against the reference</h2>\n<div class=\"table-wrap\">\n")
                .append("<table class=\"metrics\">\n<thead><tr><th class=\"name\">stage</th><th>time (s)</th>");
        for (Metric c : cols) {
            h.append("<th title=\"").append(esc(direction(c))).append("\">").append(esc(c.label()));
            if (!c.unit().isEmpty()) {
                h.append(" (").append(esc(c.unit())).append(")");
            }
            h.append("<br><span class=\"muted\">").append(arrow(c)).append("</span></th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        // the reference row: only the columns that compare against the reference's own value
        h.append("<tr class=\"reference\"><td class=\"name\">reference</td><td>&ndash;</td>");
        for (Metric c : cols) {
            double v = c.referenceValue(r.referenceFeatures());
            h.append("<td>").append(Double.isNaN(v) ? "&ndash;" : fmt(v)).append("</td>");
        }
        h.append("</tr>\n");
        for (ComparisonReport.Stage s : r.stages()) {
            if (!s.ran()) {
                h.append("<tr class=\"skipped\"><td class=\"name\">").append(esc(s.name()))
                        .append("</td><td>&ndash;</td><td class=\"reason\" colspan=\"").append(cols.size())
                        .append("\">skipped: ").append(esc(s.skipReason())).append("</td></tr>\n");
                continue;
            }
            h.append("<tr><td class=\"name\">").append(esc(s.name())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.2f", s.elapsedSeconds())).append("</td>");
            for (Metric c : cols) {
                OptionalDouble v = s.metrics().value(c);
                boolean best = ran.size() > 1 && v.isPresent() && isBest(c, v.getAsDouble(), ran, r);
                h.append(best ? "<td class=\"best\">" : "<td>")
                        .append(v.isPresent() ? fmt(v.getAsDouble()) : "&ndash;").append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n</div>\n<p class=\"muted\">&darr; lower is better, &uarr; higher is better, "
                + "&rarr;0 closest to zero is best, &asymp;ref closest to the reference is best. The best value of "
                + "each column is highlighted (when two or more stages ran). HF loss: stage minus reference level of "
                + "everything above the frequency (negative = lost). Time: wall-clock seconds of the stage.</p>\n"
                + "</section>\n");
    }

    private static boolean isBest(Metric c, double v, List<ComparisonReport.Stage> ran, ComparisonReport r) {
        double mine = c.badness(v, r.referenceFeatures());
        if (Double.isNaN(mine)) {
            return false;
        }
        for (ComparisonReport.Stage other : ran) {
            OptionalDouble o = other.metrics().value(c);
            if (o.isPresent()) {
                double theirs = c.badness(o.getAsDouble(), r.referenceFeatures());
                if (theirs < mine && !(Math.abs(theirs - mine) <= 1e-12 * Math.max(1, Math.abs(mine)))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void bands(StringBuilder h, ComparisonReport r) {
        List<FrequencyBand> bands = r.referenceBands().bands();
        List<BandEnergyChart.Series> series = new ArrayList<>();
        series.add(new BandEnergyChart.Series("reference", r.referenceBands().levelsDb()));
        for (ComparisonReport.Stage s : r.stages()) {
            if (s.ran()) {
                series.add(new BandEnergyChart.Series(s.name(), s.metrics().candidateBands().levelsDb()));
            }
        }
        BufferedImage chart = BandEnergyChart.render("Band levels (dB re full-scale mean square)", bands, series);
        h.append("<section class=\"card\">\n<h2>Energy per frequency band</h2>\n");
        image(h, chart, "Grouped bar chart of the band levels of the reference and each stage");
        h.append("<div class=\"table-wrap\">\n<table class=\"bands\">\n<thead><tr><th class=\"name\">stage</th>");
        for (FrequencyBand b : bands) {
            h.append("<th>").append(esc(b.label())).append(" (dB)</th>");
        }
        h.append("</tr></thead>\n<tbody>\n<tr class=\"reference\"><td class=\"name\">reference</td>");
        for (double v : r.referenceBands().levelsDb()) {
            h.append("<td>").append(String.format(Locale.ROOT, "%.1f", tenths(v))).append("</td>");
        }
        h.append("</tr>\n");
        for (ComparisonReport.Stage s : r.stages()) {
            if (!s.ran()) {
                continue;
            }
            h.append("<tr><td class=\"name\">").append(esc(s.name())).append("</td>");
            double[] levels = s.metrics().candidateBands().levelsDb();
            double[] diff = s.metrics().bandDifferenceDb();
            for (int b = 0; b < levels.length; b++) {
                h.append("<td>").append(String.format(Locale.ROOT, "%.1f (%+.1f)", tenths(levels[b]), tenths(diff[b])))
                        .append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n</div>\n<p class=\"muted\">Level of each band relative to a full-scale mean "
                + "square (a full-scale sine reads -3 dB); in brackets the stage minus the reference.</p>\n"
                + "</section>\n");
    }

    private static void spectrograms(StringBuilder h, ComparisonReport r) {
        int sr = r.sampleRate();
        int nFft = Integer.highestOneBit(Math.max(64, (int) (sr * 0.064))); // ~64 ms
        SpectrogramImage.Options base = SpectrogramImage.Options.builder().stft(nFft, nFft / 4).plotSize(880, 200)
                .build();
        float[] ref = r.referenceView();
        // one colour range for every image, set by the reference, so the images compare
        double peak = SpectrogramImage.peakLevelDb(ref, sr, base);
        if (peak <= SpectrogramImage.FLOOR_DB) {
            peak = SpectrogramImage.FLOOR_DB + SPECTROGRAM_RANGE_DB;
        }
        SpectrogramImage.Options.Builder ob = base.toBuilder().dbRange(peak - SPECTROGRAM_RANGE_DB, peak);
        h.append("<section class=\"card\">\n<h2>Stages</h2>\n");
        h.append("<div class=\"stage\">\n<h3>reference</h3>\n");
        audio(h, ComparisonReport.referenceAudioFileName());
        image(h, SpectrogramImage.logMagnitude(ref, sr, ob.title("reference").build()),
                "Spectrogram of the reference");
        h.append("</div>\n");
        for (ComparisonReport.Stage s : r.stages()) {
            h.append("<div class=\"stage\">\n<h3>").append(s.index()).append(". ").append(esc(s.name()))
                    .append("<span class=\"badge ").append(s.status().jsonName()).append("\">")
                    .append(s.status().jsonName()).append("</span></h3>\n");
            if (!s.description().isEmpty()) {
                h.append("<p class=\"muted\">").append(esc(s.description())).append("</p>\n");
            }
            if (s.ran()) {
                h.append("<p class=\"muted\">")
                        .append(String.format(Locale.ROOT, "%.2f s &middot; %d samples", s.elapsedSeconds(),
                                s.numSamples()));
                if (s.comparedSamples() != s.numSamples() || s.comparedSamples() != r.referenceLength()) {
                    h.append(" &middot; compared over the first ").append(s.comparedSamples()).append(" samples");
                }
                h.append("</p>\n");
                audio(h, s.audioFileName());
                image(h, SpectrogramImage.logMagnitude(s.waveformView(), sr, ob.title(s.name()).build()),
                        "Spectrogram of " + s.name());
            } else {
                h.append("<p>Skipped: ").append(esc(s.skipReason())).append("</p>\n");
            }
            h.append("</div>\n");
        }
        h.append("<p class=\"muted\">Spectrograms: ").append(nFft).append("-point STFT, hop ").append(nFft / 4)
                .append(", Hann; colour range ").append(String.format(Locale.ROOT, "%.0f to %.0f dB",
                        peak - SPECTROGRAM_RANGE_DB, peak))
                .append(" (re a full-scale sine), the same for every image.</p>\n</section>\n");
    }

    private static void definitions(StringBuilder h) {
        h.append("""
                <section class="card">
                <h2>Metric definitions</h2>
                <dl>
                <dt>LSD</dt><dd>Log-spectral distance as AudioSR / NVSR compute it: mean over frames of
                sqrt(mean over bins of (log10(|R|&sup2; / (|E| + 1e-8)&sup2; + 1e-8))&sup2;), 2048-point STFT, hop 512
                (haoheliu/versatile_audio_super_resolution, haoheliu/ssr_eval).</dd>
                <dt>MR-STFT</dt><dd>auraloss <code>MultiResolutionSTFTLoss</code> defaults: spectral convergence + mean
                |log magnitude difference| at FFT sizes 1024/2048/512, hops 120/240/50, windows 600/1200/240,
                averaged.</dd>
                <dt>log-mel L1</dt><dd>Mean absolute difference of the AudioLDM2 log-mel spectrograms (16 kHz, 64 mel
                bins, natural log).</dd>
                <dt>SI-SDR</dt><dd>Scale-invariant signal-to-distortion ratio of the zero-mean signals (Le Roux et al.
                2019); +&infin; for an exact match.</dd>
                <dt>spectral conv.</dt><dd>Spectral convergence ||R| &minus; |E||<sub>F</sub> / ||R||<sub>F</sub>,
                1024-point STFT, hop 256 (auraloss <code>STFTLoss</code> defaults).</dd>
                <dt>MCD</dt><dd>Mel cepstral distortion: cepstra c1..c24 of the AudioLDM2 log-mel (DCT-II),
                (10&radic;2 / ln 10) &middot; sqrt(&sum; &Delta;c<sub>d</sub>&sup2;) averaged over aligned frames.</dd>
                <dt>HF loss</dt><dd>Stage minus reference level of all energy above 4 kHz (and 8 kHz), in dB.</dd>
                <dt>centroid, roll-off 85%</dt><dd>Frame-averaged spectral centroid and 85% roll-off frequency of the
                stage output (librosa definitions, 2048-point STFT); the reference row holds the reference's
                values.</dd>
                </dl>
                </section>
                """);
    }

    // ------------------------------------------------------------------------------------------------ pieces

    private static void audio(StringBuilder h, String file) {
        h.append("<audio controls preload=\"none\" src=\"").append(ComparisonReport.AUDIO_DIR).append('/')
                .append(esc(file)).append("\"></audio>\n");
    }

    private static void image(StringBuilder h, BufferedImage img, String alt) {
        h.append("<img alt=\"").append(esc(alt)).append("\" width=\"").append(img.getWidth()).append("\" height=\"")
                .append(img.getHeight()).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(Png.encode(img))).append("\">\n");
    }

    private static String arrow(Metric c) {
        return switch (c.direction()) {
            case LOWER -> "&darr;";
            case HIGHER -> "&uarr;";
            case CLOSER_TO_ZERO -> "&rarr;0";
            case CLOSER_TO_REFERENCE -> "&asymp;ref";
        };
    }

    private static String direction(Metric c) {
        return c.direction().description();
    }

    /** Rounds to 0.1 and turns -0.0 into 0.0, so a tiny negative value does not print as "-0.0". */
    static double tenths(double v) {
        double r = Math.round(v * 10) / 10.0;
        return r == 0 ? 0.0 : r;
    }

    /** About four significant digits; infinities as symbols. */
    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+&infin;" : "&minus;&infin;";
        }
        double a = Math.abs(v);
        if (a != 0 && a < 1e-3) {
            return String.format(Locale.ROOT, "%.2e", v); // tiny but not zero: do not print as 0.0000
        }
        String f = a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 1 || a == 0 ? "%.3f" : "%.4f";
        return String.format(Locale.ROOT, f, v);
    }

    /** Escapes text for HTML element content and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
