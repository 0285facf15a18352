package io.github.audioldm4j.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.analysis.Metric;
import io.github.audioldm4j.analysis.MetricRegistry;
import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.bundle.ModelBundle;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * The corpus outputs: {@code clips.csv} and {@code clips.jsonl} (one row per clip and stage),
 * {@code summary.json} (schema version 1: spec, versions, per-stage statistics with bootstrap
 * CIs, FAD and KAD on CLAP embeddings, paired differences between consecutive stages) and
 * {@code report.html} (per-stage box plots of every metric, the corpus table, FAD/KAD, the worst
 * clips per stage with players). Everything is computed from the result store, so it is the same
 * for a resumed run as for an uninterrupted one.
 */
public final class CorpusReport {
    public static final int SCHEMA_VERSION = 1;
    public static final String SUMMARY = "summary.json";
    public static final String HTML = "report.html";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CorpusReport() {}

    static String safeName(String id) {
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static void write(CorpusSpec spec, List<CorpusInput.Clip> clips, ResultStore store, Path out, ModelBundle bundle)
            throws IOException {
        write(spec, clips, store.all(), out, bundle);
    }

    /**
     * Writes {@code clips.csv}, {@code clips.jsonl}, {@code summary.json} and {@code report.html}
     * into {@code out} from result rows (any order; of rows with the same key the last counts, as
     * in the local store), for the {@code clips} of the corpus and the settings of {@code spec}
     * (rows of other settings in the same store are left out). The output depends only on the
     * rows' content, not on their order, so a job run locally and one run on Spark write the
     * same files.
     *
     * @param bundle the bundle that computed the rows (its versions go into the summary), or null
     */
    public static void write(CorpusSpec spec, List<CorpusInput.Clip> clips, java.util.Collection<ObjectNode> rows,
            Path out, ModelBundle bundle) throws IOException {
        io.github.audioldm4j.util.Check.notNull("spec", spec);
        io.github.audioldm4j.util.Check.notEmpty("clips", clips);
        io.github.audioldm4j.util.Check.notNull("rows", rows);
        io.github.audioldm4j.util.Check.notNull("out", out);
        clips = CorpusInput.expand(clips, spec); // idempotent: a job's clips come expanded already
        Map<String, ObjectNode> byKey = new LinkedHashMap<>();
        for (ObjectNode r : rows) {
            if (r == null || !r.hasNonNull("key") || !r.hasNonNull("clip_id") || !r.hasNonNull("stage")) {
                throw new IllegalArgumentException("rows must each have key, clip_id and stage, got " + r);
            }
            byKey.put(r.get("key").asText(), r);
        }
        Files.createDirectories(out);
        Set<String> ids = clips.stream().map(CorpusInput.Clip::id).collect(Collectors.toSet());
        // by clip id: the failure list and the embedding pairs come out in the same order whatever the row order
        Map<String, ObjectNode> refs = new java.util.TreeMap<>();
        // per stage by clip id; of two results of one clip (its file changed between runs) the later counts
        Map<String, Map<String, ObjectNode>> perStage = new LinkedHashMap<>();
        for (String stage : spec.stages()) {
            perStage.put(stage, new java.util.TreeMap<>());
        }
        for (ObjectNode r : byKey.values()) {
            String id = r.get("clip_id").asText();
            if (!ids.contains(id)) {
                continue;
            }
            String stage = r.get("stage").asText();
            if (!r.get("key").asText().equals(spec.resultKey(r.path("content_sha256").asText(), id, stage))) {
                continue; // a result of other settings kept in the same output folder
            }
            if ("reference".equals(stage)) {
                refs.put(id, r);
            } else if (perStage.containsKey(stage)) {
                perStage.get(stage).put(id, r);
            }
        }
        Map<String, List<ObjectNode>> byStage = new LinkedHashMap<>();
        perStage.forEach((stage, m) -> byStage.put(stage, new ArrayList<>(m.values())));
        writeTables(byStage, out);
        ObjectNode summary = summary(spec, clips, refs, byStage, bundle);
        Files.writeString(out.resolve(SUMMARY), MAPPER.writeValueAsString(summary), StandardCharsets.UTF_8);
        pruneAudio(spec, byStage, out);
        Files.writeString(out.resolve(HTML), html(spec, summary, byStage, out), StandardCharsets.UTF_8);
    }

    private static void writeTables(Map<String, List<ObjectNode>> byStage, Path out) throws IOException {
        StringBuilder csv = new StringBuilder("clip_id,stage,status,reason");
        for (Metric m : MetricRegistry.all()) {
            csv.append(',').append(m.key());
        }
        csv.append(",clap_audio_cosine,clap_text_score\n");
        StringBuilder jsonl = new StringBuilder();
        for (List<ObjectNode> rows : byStage.values()) {
            for (ObjectNode r : rows) {
                csv.append(csvField(r.get("clip_id").asText())).append(',').append(r.get("stage").asText()).append(',')
                        .append(r.path("status").asText()).append(',').append(csvField(r.path("reason").asText("")));
                for (Metric m : MetricRegistry.all()) {
                    JsonNode v = r.path("metrics").path(m.key());
                    csv.append(',').append(v.isNumber() ? Double.toString(v.asDouble()) : "");
                }
                csv.append(',').append(r.has("clap_audio_cosine") ? r.get("clap_audio_cosine").asText() : "")
                        .append(',').append(r.has("clap_text_score") ? r.get("clap_text_score").asText() : "")
                        .append('\n');
                ObjectNode copy = r.deepCopy();
                copy.remove("clap_embedding");
                jsonl.append(copy.toString()).append('\n');
            }
        }
        Files.writeString(out.resolve("clips.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("clips.jsonl"), jsonl, StandardCharsets.UTF_8);
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static ObjectNode summary(CorpusSpec spec, List<CorpusInput.Clip> clips, Map<String, ObjectNode> refs,
            Map<String, List<ObjectNode>> byStage, ModelBundle bundle) {
        ObjectNode s = MAPPER.createObjectNode();
        s.put("schema_version", SCHEMA_VERSION);
        s.set("spec", spec.toJson());
        ObjectNode v = s.putObject("versions");
        String lib = CorpusReport.class.getPackage().getImplementationVersion();
        v.put("audioldm4j", lib == null ? "development build" : lib);
        v.put("java", System.getProperty("java.version"));
        if (bundle != null) {
            v.put("model_id", bundle.manifest().modelId());
            ObjectNode comps = v.putObject("components_sha256");
            for (ComponentSpec c : bundle.manifest().components().values()) {
                comps.put(c.name(), c.sha256());
            }
        }
        s.put("clips", clips.size());
        s.put("clips_failed", refs.values().stream().filter(r -> "failed".equals(r.path("status").asText())).count());
        ArrayNode failures = s.putArray("failures");
        refs.values().stream().filter(r -> "failed".equals(r.path("status").asText())).forEach(r -> failures.addObject()
                .put("clip_id", r.get("clip_id").asText()).put("reason", r.path("reason").asText()));
        ObjectNode stages = s.putObject("stages");
        String previous = null;
        for (Map.Entry<String, List<ObjectNode>> e : byStage.entrySet()) {
            String stage = e.getKey();
            List<ObjectNode> ran = e.getValue().stream().filter(r -> "ran".equals(r.path("status").asText()))
                    .collect(Collectors.toList());
            ObjectNode st = stages.putObject(stage);
            st.put("ran", ran.size());
            st.put("skipped", e.getValue().stream().filter(r -> "skipped".equals(r.path("status").asText())).count());
            st.put("failed", e.getValue().stream().filter(r -> "failed".equals(r.path("status").asText())).count());
            if (!ran.isEmpty() && ran.stream().allMatch(r -> r.has("reason"))) {
                st.put("reason", ran.get(0).get("reason").asText());
            }
            e.getValue().stream().filter(r -> !"ran".equals(r.path("status").asText())).findFirst()
                    .ifPresent(r -> st.put("first_skip_reason", r.path("reason").asText()));
            ObjectNode metrics = st.putObject("metrics");
            long seed = spec.seed() * 31 + stage.hashCode();
            for (String key : metricKeys()) {
                double[] values = ran.stream().map(r -> value(r, key)).filter(d -> d != null)
                        .mapToDouble(Double::doubleValue).toArray();
                if (values.length > 0) {
                    metrics.set(key, stats(Stats.summarize(values, seed)));
                }
            }
            // FAD / KAD on CLAP embeddings of the clips that have both
            List<double[]> a = new ArrayList<>();
            List<double[]> b = new ArrayList<>();
            for (ObjectNode r : ran) {
                ObjectNode ref = refs.get(r.get("clip_id").asText());
                if (r.has("clap_embedding") && ref != null && ref.has("clap_embedding")) {
                    a.add(vector(ref.get("clap_embedding")));
                    b.add(vector(r.get("clap_embedding")));
                }
            }
            if (a.size() >= 2) {
                st.put("fad", EmbeddingDistances.frechet(a.toArray(new double[0][]), b.toArray(new double[0][])));
                st.put("kad", EmbeddingDistances.kernel(a.toArray(new double[0][]), b.toArray(new double[0][])));
                st.put("embedding_pairs", a.size());
            } else {
                st.putNull("fad");
                st.putNull("kad");
                st.put("embedding_pairs", a.size());
            }
            if (previous != null) {
                ObjectNode paired = st.putObject("paired_difference_to_" + previous);
                Map<String, ObjectNode> prev = byStage.get(previous).stream()
                        .filter(r -> "ran".equals(r.path("status").asText()))
                        .collect(Collectors.toMap(r -> r.get("clip_id").asText(), r -> r));
                for (String key : metricKeys()) {
                    List<Double> diffs = new ArrayList<>();
                    for (ObjectNode r : ran) {
                        ObjectNode q = prev.get(r.get("clip_id").asText());
                        Double x = value(r, key);
                        Double y = q == null ? null : value(q, key);
                        if (x != null && y != null) {
                            diffs.add(x - y);
                        }
                    }
                    if (!diffs.isEmpty()) {
                        paired.set(key, stats(Stats.summarize(diffs.stream().mapToDouble(Double::doubleValue).toArray(),
                                seed + 1)));
                    }
                }
            }
            previous = stage;
        }
        ObjectNode files = files(clips, byStage);
        if (files != null) {
            s.set("files", files);
        }
        return s;
    }

    /**
     * Per long file cut into segments: how many segments, and per stage the mean of every metric
     * over the segments that ran and the worst segment by LSD (its offset in the file). Null when no
     * clip is a segment.
     */
    private static ObjectNode files(List<CorpusInput.Clip> clips, Map<String, List<ObjectNode>> byStage) {
        Map<String, List<CorpusInput.Clip>> bySource = new java.util.TreeMap<>();
        for (CorpusInput.Clip c : clips) {
            if (c.segment()) {
                bySource.computeIfAbsent(c.source(), k -> new ArrayList<>()).add(c);
            }
        }
        if (bySource.isEmpty()) {
            return null;
        }
        Map<String, CorpusInput.Clip> clipById = clips.stream().collect(Collectors.toMap(CorpusInput.Clip::id, c -> c));
        ObjectNode files = MAPPER.createObjectNode();
        for (Map.Entry<String, List<CorpusInput.Clip>> e : bySource.entrySet()) {
            ObjectNode f = files.putObject(e.getKey());
            f.put("segments", e.getValue().size());
            Set<String> ids = e.getValue().stream().map(CorpusInput.Clip::id).collect(Collectors.toSet());
            ObjectNode stages = f.putObject("stages");
            for (Map.Entry<String, List<ObjectNode>> st : byStage.entrySet()) {
                List<ObjectNode> ran = st.getValue().stream().filter(r -> ids.contains(r.get("clip_id").asText())
                        && "ran".equals(r.path("status").asText())).collect(Collectors.toList());
                ObjectNode o = stages.putObject(st.getKey());
                o.put("ran", ran.size());
                ObjectNode means = o.putObject("mean");
                for (String key : metricKeys()) {
                    double[] v = ran.stream().map(r -> value(r, key)).filter(d -> d != null)
                            .mapToDouble(Double::doubleValue).toArray();
                    if (v.length > 0) {
                        means.put(key, java.util.Arrays.stream(v).sum() / v.length);
                    }
                }
                ran.stream().filter(r -> value(r, "lsd") != null)
                        .max(Comparator.comparing((ObjectNode r) -> value(r, "lsd"))
                                .thenComparing(r -> r.get("clip_id").asText(), Comparator.reverseOrder()))
                        .ifPresent(r -> {
                            o.put("worst_lsd", value(r, "lsd"));
                            o.put("worst_clip_id", r.get("clip_id").asText());
                            o.put("worst_offset_seconds", clipById.get(r.get("clip_id").asText()).offsetSeconds());
                        });
            }
        }
        return files;
    }

    static List<String> metricKeys() {
        List<String> k = MetricRegistry.all().stream().map(Metric::key).collect(Collectors.toList());
        k.add("clap_audio_cosine");
        k.add("clap_text_score");
        return k;
    }

    private static Double value(ObjectNode r, String key) {
        JsonNode v = key.startsWith("clap_") ? r.path(key) : r.path("metrics").path(key);
        return v.isNumber() && Double.isFinite(v.asDouble()) ? v.asDouble() : null;
    }

    private static double[] vector(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    private static ObjectNode stats(Stats.Summary s) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("n", s.n());
        o.put("mean", s.mean());
        o.put("ci95_low", s.ciLow());
        o.put("ci95_high", s.ciHigh());
        o.put("median", s.median());
        o.put("p5", s.p5());
        o.put("p95", s.p95());
        return o;
    }

    /** Keeps the audio of the worst clips per stage (by LSD) and deletes the others. */
    private static void pruneAudio(CorpusSpec spec, Map<String, List<ObjectNode>> byStage, Path out) throws IOException {
        for (Map.Entry<String, List<ObjectNode>> e : byStage.entrySet()) {
            Set<String> keep = worst(spec, e.getValue()).stream().map(r -> r.path("audio_file").asText())
                    .collect(Collectors.toSet());
            for (ObjectNode r : e.getValue()) {
                String f = r.path("audio_file").asText("");
                if (!f.isEmpty() && !keep.contains(f)) {
                    Files.deleteIfExists(out.resolve(f));
                }
            }
        }
    }

    private static List<ObjectNode> worst(CorpusSpec spec, List<ObjectNode> rows) {
        return rows.stream().filter(r -> value(r, "lsd") != null)
                .sorted(Comparator.comparing((ObjectNode r) -> -value(r, "lsd")).thenComparing(r -> r.get("clip_id")
                        .asText())).limit(spec.worstClips()).collect(Collectors.toList());
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String fmt(JsonNode v) {
        return v == null || !v.isNumber() ? "&ndash;" : String.format(Locale.ROOT, "%.4g", v.asDouble());
    }

    private static String html(CorpusSpec spec, ObjectNode summary, Map<String, List<ObjectNode>> byStage, Path out)
            throws IOException {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>audioldm4j corpus report</title><style>body{font-family:sans-serif;margin:2em;color:#222}"
                + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 7px;"
                + "text-align:right}th{background:#f2f2f2}td.name{text-align:left}.muted{color:#777}</style></head><body>\n");
        h.append("<h1>Corpus report</h1>\n<p>").append(summary.get("clips").asInt()).append(" clips, ")
                .append(summary.get("clips_failed").asInt()).append(" failed; stages ").append(esc(spec.stages()
                        .toString())).append("; ").append(spec.numInferenceSteps()).append(" steps, seed ")
                .append(spec.seed()).append(". Mean with 95% bootstrap interval (").append(Stats.BOOTSTRAP)
                .append(" resamples), median, p5, p95.</p>\n");
        h.append("<h2>Distribution distances (CLAP audio embeddings, stage vs reference)</h2>\n<table><tr><th>stage</th>"
                + "<th>FAD</th><th>KAD (x1000)</th><th>pairs</th><th>ran</th><th>skipped</th><th>failed</th></tr>\n");
        for (String stage : byStage.keySet()) {
            JsonNode st = summary.get("stages").get(stage);
            h.append("<tr><td class=\"name\">").append(esc(stage)).append("</td><td>").append(fmt(st.get("fad")))
                    .append("</td><td>").append(fmt(st.get("kad"))).append("</td><td>").append(st.get("embedding_pairs"))
                    .append("</td><td>").append(st.get("ran")).append("</td><td>").append(st.get("skipped"))
                    .append(st.has("first_skip_reason") ? " <span class=\"muted\">(" + esc(st.get("first_skip_reason")
                            .asText()) + ")</span>" : "").append("</td><td>").append(st.get("failed")).append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (summary.has("files")) {
            h.append("<h2>Long files (segments of ").append(spec.maxSeconds()).append(" s, aggregated per file)</h2>\n"
                    + "<table><tr><th>file</th><th>segments</th>");
            for (String stage : byStage.keySet()) {
                h.append("<th>").append(esc(stage)).append(" LSD mean</th><th>worst (at s)</th>");
            }
            h.append("</tr>\n");
            summary.get("files").fields().forEachRemaining(f -> {
                h.append("<tr><td class=\"name\">").append(esc(f.getKey())).append("</td><td>")
                        .append(f.getValue().get("segments")).append("</td>");
                for (String stage : byStage.keySet()) {
                    JsonNode st = f.getValue().get("stages").get(stage);
                    h.append("<td>").append(fmt(st.get("mean").get("lsd"))).append("</td><td>")
                            .append(fmt(st.get("worst_lsd"))).append(st.has("worst_offset_seconds")
                                    ? String.format(Locale.ROOT, " (%.2f)", st.get("worst_offset_seconds").asDouble())
                                    : "").append("</td>");
                }
                h.append("</tr>\n");
            });
            h.append("</table>\n");
        }
        for (String key : metricKeys()) {
            boolean any = byStage.keySet().stream().anyMatch(s -> summary.get("stages").get(s).get("metrics").has(key));
            if (!any) {
                continue;
            }
            h.append("<h2>").append(esc(key)).append("</h2>\n<table><tr><th>stage</th><th>n</th><th>mean</th>"
                    + "<th>95% CI</th><th>median</th><th>p5</th><th>p95</th></tr>\n");
            List<String> names = new ArrayList<>();
            List<double[]> dists = new ArrayList<>();
            for (String stage : byStage.keySet()) {
                JsonNode m = summary.get("stages").get(stage).get("metrics").get(key);
                if (m == null) {
                    continue;
                }
                h.append("<tr><td class=\"name\">").append(esc(stage)).append("</td><td>").append(m.get("n"))
                        .append("</td><td>").append(fmt(m.get("mean"))).append("</td><td>[").append(fmt(m.get("ci95_low")))
                        .append(", ").append(fmt(m.get("ci95_high"))).append("]</td><td>").append(fmt(m.get("median")))
                        .append("</td><td>").append(fmt(m.get("p5"))).append("</td><td>").append(fmt(m.get("p95")))
                        .append("</td></tr>\n");
                names.add(stage);
                dists.add(new double[] {m.get("p5").asDouble(), quartile(byStage.get(stage), key, 0.25),
                    m.get("median").asDouble(), quartile(byStage.get(stage), key, 0.75), m.get("p95").asDouble()});
            }
            h.append("</table>\n<img alt=\"").append(esc(key)).append(" per stage\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(boxPlot(key, names, dists))).append("\">\n");
        }
        h.append("<h2>Worst clips per stage (by LSD)</h2>\n");
        for (Map.Entry<String, List<ObjectNode>> e : byStage.entrySet()) {
            List<ObjectNode> worst = worst(spec, e.getValue());
            if (worst.isEmpty()) {
                continue;
            }
            h.append("<h3>").append(esc(e.getKey())).append("</h3>\n<table><tr><th>clip</th><th>LSD</th><th>audio</th>"
                    + "</tr>\n");
            for (ObjectNode r : worst) {
                h.append("<tr><td class=\"name\">").append(esc(r.get("clip_id").asText())).append("</td><td>")
                        .append(fmt(r.path("metrics").path("lsd"))).append("</td><td>");
                String f = r.path("audio_file").asText("");
                if (!f.isEmpty() && Files.exists(out.resolve(f))) {
                    h.append("<audio controls preload=\"none\" src=\"").append(esc(f)).append("\"></audio><br>");
                    try {
                        io.github.audioldm4j.io.DecodedAudio a = io.github.audioldm4j.io.AudioDecoder.decode(
                                out.resolve(f), io.github.audioldm4j.io.DecodeOptions.of(16000));
                        BufferedImage img = io.github.audioldm4j.report.SpectrogramImage.logMagnitude(a.samples(),
                                16000, io.github.audioldm4j.report.SpectrogramImage.Options.defaults());
                        h.append("<img alt=\"spectrogram\" height=\"120\" src=\"data:image/png;base64,")
                                .append(Base64.getEncoder().encodeToString(io.github.audioldm4j.report.SpectrogramImage
                                        .toPng(img))).append("\">");
                    } catch (io.github.audioldm4j.io.AudioIOException | RuntimeException ex) {
                        h.append("<span class=\"muted\">no spectrogram: ").append(esc(String.valueOf(ex.getMessage())))
                                .append("</span>");
                    }
                }
                h.append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("<p class=\"muted\">Per-clip rows: clips.csv, clips.jsonl; statistics: summary.json (schema version ")
                .append(SCHEMA_VERSION).append(").</p>\n</body></html>\n");
        return h.toString();
    }

    private static double quartile(List<ObjectNode> rows, String key, double q) {
        double[] v = rows.stream().filter(r -> "ran".equals(r.path("status").asText())).map(r -> value(r, key))
                .filter(d -> d != null).mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length == 0 ? Double.NaN : Stats.quantile(v, q);
    }

    /** A box plot per stage: whiskers p5..p95, box the quartiles, the median line. */
    static byte[] boxPlot(String title, List<String> names, List<double[]> dists) throws IOException {
        int w = 120 + 90 * names.size();
        int hgt = 260;
        BufferedImage img = new BufferedImage(w, hgt, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, hgt);
        double lo = dists.stream().mapToDouble(d -> d[0]).filter(Double::isFinite).min().orElse(0);
        double hiRaw = dists.stream().mapToDouble(d -> d[4]).filter(Double::isFinite).max().orElse(1);
        double hi = hiRaw > lo ? hiRaw : lo + 1;
        int top = 20;
        int bottom = hgt - 50;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(Color.DARK_GRAY);
        g.drawString(title, 10, 14);
        g.drawString(String.format(Locale.ROOT, "%.3g", hi), 10, top + 4);
        g.drawString(String.format(Locale.ROOT, "%.3g", lo), 10, bottom + 4);
        for (int i = 0; i < names.size(); i++) {
            double[] d = dists.get(i);
            int x = 100 + 90 * i;
            java.util.function.DoubleToIntFunction y = v -> (int) Math.round(bottom - (v - lo) / (hi - lo) * (bottom - top));
            g.setColor(new Color(0x0072B2));
            g.setStroke(new BasicStroke(1.5f));
            g.drawLine(x + 25, y.applyAsInt(d[0]), x + 25, y.applyAsInt(d[4]));
            int q1 = y.applyAsInt(d[1]);
            int q3 = y.applyAsInt(d[3]);
            g.setColor(new Color(0xCFE3F2));
            g.fillRect(x + 10, Math.min(q1, q3), 30, Math.max(1, Math.abs(q1 - q3)));
            g.setColor(new Color(0x0072B2));
            g.drawRect(x + 10, Math.min(q1, q3), 30, Math.max(1, Math.abs(q1 - q3)));
            g.setColor(new Color(0xD55E00));
            g.drawLine(x + 10, y.applyAsInt(d[2]), x + 40, y.applyAsInt(d[2]));
            g.setColor(Color.DARK_GRAY);
            String n = names.get(i).length() > 14 ? names.get(i).substring(0, 14) : names.get(i);
            g.drawString(n, x, bottom + 18);
        }
        g.dispose();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bos);
        return bos.toByteArray();
    }
}
