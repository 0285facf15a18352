package io.github.audioldm4j.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.analysis.Metric;
import io.github.audioldm4j.analysis.MetricRegistry;
import io.github.audioldm4j.analysis.MetricSet;
import io.github.audioldm4j.analysis.Metrics;
import io.github.audioldm4j.analysis.SeamMeter;
import io.github.audioldm4j.io.SampleInput;
import io.github.audioldm4j.io.SampleSource;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.AudioToAudioRequest;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.LatentSampling;
import io.github.audioldm4j.pipeline.LongAudio;
import io.github.audioldm4j.pipeline.WindowPlan;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The reconstruction study for inputs of any length: the stages that have a chunked form
 * ({@link LongAudio}: mel-vocoder, vae, sdedit, guided, band-split, cascade) run over the whole
 * input in windows, and each stage's output is compared with the input segment by segment
 * (metrics of {@link MetricSet} per segment of {@code segmentSeconds}, at 16 kHz, then mean,
 * minimum, maximum and the worst segment per metric) and at its seams ({@link SeamMeter}), in one
 * streaming pass: memory is bounded by the window and the segment, not by the input. The input
 * is read once per stage plus once for its level. Results go to JSON and a small HTML table.
 */
public final class LongStudy {
    /** The stages with a chunked form, in study order. */
    public static final List<String> STAGE_NAMES = List.of("mel-vocoder", "vae", "sdedit", "guided", "band-split",
            "cascade");

    /** What the long study runs. */
    public record Options(ReconstructionStudy.Options study, WindowPlan plan, double segmentSeconds) {
        /** Validates the fields. */
        public Options {
            Check.notNull("study", study);
            Check.notNull("plan", plan);
            Check.inRange("segmentSeconds", segmentSeconds, 1.0, 600.0);
        }
    }

    /** Progress: stage starts and ends, and every window joined. */
    public interface Listener {
        /** No-op. */
        Listener NONE = new Listener() { };

        default void onStage(int index, int total, String stage, String status) {
        }

        default void onWindow(String stage, int windows, long samples, long samplesHint) {
        }
    }

    /**
     * Aggregates of one metric over the segments.
     *
     * @param mean mean over the segments where the metric is defined
     * @param min smallest value
     * @param max largest value
     * @param worstSegment index of the worst segment (by the metric's direction), -1 if none
     * @param segments segments where it is defined
     */
    public record Summary(double mean, double min, double max, int worstSegment, int segments) {}

    /**
     * One stage.
     *
     * @param name stage name
     * @param ran false when skipped
     * @param skipReason why it was skipped, or null
     * @param elapsedSeconds wall time of the stage
     * @param samples output samples
     * @param windows windows the stage ran
     * @param summaries per metric key
     * @param segmentValues per segment, per metric key (NaN where undefined)
     * @param seams the seam report against the input
     */
    public record StageResult(String name, boolean ran, String skipReason, double elapsedSeconds, long samples,
            int windows, Map<String, Summary> summaries, List<Map<String, Double>> segmentValues,
            SeamMeter.Report seams) {}

    /** The study's result. */
    public record Result(String input, double seconds, Options options, List<StageResult> stages) {}

    private LongStudy() {}

    /**
     * Checks every stage's schedule (strength x steps) against the scheduler config, with no model work: a strength
     * too low for the step count fails here, naming the stage, instead of after the earlier stages ran.
     *
     * @param stages which of {@link #STAGE_NAMES} will run (empty: all)
     * @throws IllegalArgumentException "stage NAME: ..." for the first stage whose schedule is empty
     */
    public static void checkSchedules(Options options, io.github.audioldm4j.scheduler.SchedulerConfig config,
            Set<String> stages) {
        Check.notNull("options", options);
        Check.notNull("config", config);
        Check.notNull("stages", stages);
        ReconstructionStudy.Options o = options.study();
        for (String name : stages.isEmpty() ? STAGE_NAMES : stages) {
            double strength = switch (name) {
                case "sdedit", "band-split" -> o.strength();
                case "guided" -> 1.0;
                case "cascade" -> o.cascadeStrength();
                default -> Double.NaN;
            };
            if (Double.isNaN(strength)) {
                continue;
            }
            try {
                io.github.audioldm4j.scheduler.Scheduler s = io.github.audioldm4j.scheduler.Schedulers.create(config);
                s.setTimesteps(o.numInferenceSteps());
                io.github.audioldm4j.scheduler.Img2Img.getTimesteps(s, o.numInferenceSteps(), strength);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("stage " + name + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Runs the chunked stages over the input (16 kHz).
     *
     * @param pipeline the models; required (every chunked stage is a model stage)
     * @param stages which of {@link #STAGE_NAMES} to run (empty: all)
     */
    public static Result run(SampleInput input, AudioLdm2Pipeline pipeline, Options options, Set<String> stages,
            Listener listener, CancellationToken cancel) throws IOException {
        Check.notNull("input", input);
        Check.notNull("pipeline", pipeline);
        Check.notNull("options", options);
        Check.notNull("stages", stages);
        Check.notNull("listener", listener);
        Check.notNull("cancel", cancel);
        for (String s : stages) {
            if (!STAGE_NAMES.contains(s)) {
                throw new IllegalArgumentException("stages must be among " + STAGE_NAMES + " (the stages with a chunked "
                        + "form), got \"" + s + "\"");
            }
        }
        Set<String> run = stages.isEmpty() ? new LinkedHashSet<>(STAGE_NAMES) : stages;
        ReconstructionStudy.Options o = options.study();
        LongAudio la = new LongAudio(pipeline, options.plan());
        AudioToAudioRequest base = AudioToAudioRequest.builder().prompt(o.prompt()).strength(o.strength())
                .numInferenceSteps(o.numInferenceSteps()).guidanceScale(o.guidanceScale()).seed(o.seed())
                .latentSampling(LatentSampling.MODE).normalizeInput(true).build();
        checkSchedules(options, pipeline.models().bundle().manifest().scheduler(), run);
        List<StageResult> results = new ArrayList<>();
        long seconds = -1;
        int index = 0;
        for (String name : STAGE_NAMES) {
            if (!run.contains(name)) {
                continue;
            }
            index++;
            cancel.throwIfCancelled("before stage " + name);
            listener.onStage(index, run.size(), name, "running");
            LongAudio.Progress progress = (w, s, h) -> listener.onWindow(name, w, s, h);
            long t0 = System.nanoTime();
            SampleSource out = switch (name) {
                case "mel-vocoder" -> la.vocoderRoundTrip(input, true, progress);
                case "vae" -> la.vaeRoundTrip(input, LatentSampling.MODE, true, o.seed(), progress);
                case "sdedit" -> la.refine(input, base, progress, cancel);
                case "guided" -> la.guidedReconstructBelow(input, base.withStrength(1.0), o.cutoffHz(), progress, cancel);
                case "band-split" -> la.bandSplit(input, base, o.cutoffHz(), o.transitionHz(), progress, cancel);
                default -> la.cascade(input, base.withStrength(o.cascadeStrength()), progress, cancel);
            };
            StageResult r = measure(name, input, out, options, t0);
            seconds = r.samples();
            results.add(r);
            listener.onStage(index, run.size(), name, String.format(Locale.ROOT, "done in %.1f s, %d windows",
                    r.elapsedSeconds(), r.windows()));
        }
        return new Result(input.description(), seconds / (double) input.sampleRate(), options, results);
    }

    /** Reads the stage's output and the input side by side, segment by segment. */
    private static StageResult measure(String name, SampleInput input, SampleSource out, Options options, long t0)
            throws IOException {
        int rate = input.sampleRate();
        int seg = (int) Math.round(options.segmentSeconds() * rate);
        SeamMeter seams = new SeamMeter(rate, options.plan().nearSeam(1024));
        List<Map<String, Double>> perSegment = new ArrayList<>();
        long samples = 0;
        try (SampleSource o = out; SampleSource ref = input.open()) {
            float[] y = new float[seg];
            float[] x = new float[seg];
            while (true) {
                int n = fill(o, y);
                if (n == 0) {
                    break;
                }
                int m = fill(ref, x, n);
                if (m != n) {
                    throw new IllegalStateException("stage " + name + " gave more samples than the input has ("
                            + (samples + n) + " > " + (samples + m) + ")");
                }
                seams.accept(x, y, 0, n);
                samples += n;
                if (n >= Metrics.minimumLength(rate)) {
                    float[] xs = n == seg ? x : java.util.Arrays.copyOf(x, n);
                    float[] ys = n == seg ? y : java.util.Arrays.copyOf(y, n);
                    MetricSet ms = MetricSet.compute(clip(xs), ys, rate);
                    Map<String, Double> v = new LinkedHashMap<>();
                    for (Metric metric : MetricRegistry.all()) {
                        v.put(metric.key(), ms.value(metric).orElse(Double.NaN));
                    }
                    perSegment.add(v);
                }
                if (n < seg) {
                    break;
                }
            }
        }
        Map<String, Summary> summaries = new LinkedHashMap<>();
        for (Metric metric : MetricRegistry.all()) {
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            int count = 0;
            int worst = -1;
            for (int i = 0; i < perSegment.size(); i++) {
                double v = perSegment.get(i).get(metric.key());
                if (!Double.isFinite(v)) {
                    continue;
                }
                sum += v;
                count++;
                if (v < min) {
                    min = v;
                    if (metric.direction() == io.github.audioldm4j.analysis.Direction.HIGHER) {
                        worst = i;
                    }
                }
                if (v > max) {
                    max = v;
                    if (metric.direction() != io.github.audioldm4j.analysis.Direction.HIGHER) {
                        worst = i;
                    }
                }
            }
            summaries.put(metric.key(), count == 0 ? new Summary(Double.NaN, Double.NaN, Double.NaN, -1, 0)
                    : new Summary(sum / count, min, max, worst, count));
        }
        return new StageResult(name, true, null, (System.nanoTime() - t0) / 1e9, samples,
                samples == 0 ? 0 : options.plan().windowsFor(samples), summaries, perSegment, seams.report());
    }

    /** The metrics' reference must lie in [-1, 1]; decoded audio can exceed it slightly. */
    private static float[] clip(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(-1f, Math.min(1f, x[i]));
        }
        return y;
    }

    private static int fill(SampleSource s, float[] buf) throws IOException {
        return fill(s, buf, buf.length);
    }

    private static int fill(SampleSource s, float[] buf, int want) throws IOException {
        int got = 0;
        while (got < want) {
            int k = s.read(buf, got, want - got);
            if (k < 0) {
                break;
            }
            got += k;
        }
        return got;
    }

    /** The result as JSON (NaN and infinities as null). */
    public static String toJson(Result r) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("input", r.input());
        root.put("seconds", r.seconds());
        root.put("window_seconds", r.options().plan().windowSamples() / 16000.0);
        root.put("overlap_seconds", r.options().plan().overlapSamples() / 16000.0);
        root.put("segment_seconds", r.options().segmentSeconds());
        ArrayNode stages = root.putArray("stages");
        for (StageResult s : r.stages()) {
            ObjectNode st = stages.addObject();
            st.put("name", s.name());
            st.put("ran", s.ran());
            st.put("elapsed_seconds", s.elapsedSeconds());
            st.put("samples", s.samples());
            st.put("windows", s.windows());
            ObjectNode sum = st.putObject("metrics");
            s.summaries().forEach((k, v) -> {
                ObjectNode m = sum.putObject(k);
                num(m, "mean", v.mean());
                num(m, "min", v.min());
                num(m, "max", v.max());
                m.put("worst_segment", v.worstSegment());
                m.put("segments", v.segments());
            });
            SeamMeter.Report sr = s.seams();
            ObjectNode seams = st.putObject("seams");
            seams.put("frames_near_seams", sr.framesNearSeams());
            seams.put("frames_elsewhere", sr.framesElsewhere());
            num(seams, "lsd_near_seams", sr.lsdNearSeams());
            num(seams, "lsd_elsewhere", sr.lsdElsewhere());
            num(seams, "max_band_level_excess_db", sr.maxBandLevelExcessDb());
            num(seams, "rms_difference_near_seams", sr.rmsDifferenceNearSeams());
            num(seams, "rms_difference_elsewhere", sr.rmsDifferenceElsewhere());
            ArrayNode segs = st.putArray("segments");
            for (Map<String, Double> v : s.segmentValues()) {
                ObjectNode o = segs.addObject();
                v.forEach((k, d) -> num(o, k, d));
            }
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void num(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) {
            o.put(k, v);
        } else {
            o.putNull(k);
        }
    }

    /** A one-page HTML table of the stages' mean metrics and seams. */
    public static String toHtml(Result r) {
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>AudioLDM2 long-audio "
                + "reconstruction study</title><style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}"
                + "th{background:#eee}</style></head><body><h1>AudioLDM2 long-audio reconstruction study</h1>");
        h.append("<p>").append(escape(r.input())).append(String.format(Locale.ROOT, ", %.1f s; windows of %.2f s with "
                + "%.2f s overlap; metrics per %.2f s segment (mean, worst segment)</p>", r.seconds(),
                r.options().plan().windowSamples() / 16000.0, r.options().plan().overlapSamples() / 16000.0,
                r.options().segmentSeconds()));
        h.append("<table><tr><th>stage</th><th>windows</th><th>s</th>");
        List<Metric> metrics = MetricRegistry.applicableAt(16000);
        for (Metric m : metrics) {
            h.append("<th>").append(escape(m.label())).append("</th>");
        }
        h.append("<th>LSD near seams / elsewhere</th></tr>");
        for (StageResult s : r.stages()) {
            h.append("<tr><td style=\"text-align:left\">").append(escape(s.name())).append("</td><td>").append(s.windows())
                    .append(String.format(Locale.ROOT, "</td><td>%.1f</td>", s.elapsedSeconds()));
            for (Metric m : metrics) {
                Summary v = s.summaries().get(m.key());
                h.append(String.format(Locale.ROOT, "<td>%.3f (#%d)</td>", v.mean(), v.worstSegment()));
            }
            h.append(String.format(Locale.ROOT, "<td>%.3f / %.3f</td></tr>", s.seams().lsdNearSeams(),
                    s.seams().lsdElsewhere()));
        }
        return h.append("</table></body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Writes {@code long-study.json} and {@code long-study.html} into {@code dir}. */
    public static void write(Result r, Path dir) throws IOException {
        Check.notNull("dir", dir);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("long-study.json"), toJson(r), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("long-study.html"), toHtml(r), StandardCharsets.UTF_8);
    }
}
