package io.github.audioldm4j.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.analysis.Metric;
import io.github.audioldm4j.analysis.MetricRegistry;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.SincResampler;
import io.github.audioldm4j.io.AudioDecoder;
import io.github.audioldm4j.io.AudioEncoder;
import io.github.audioldm4j.io.AudioIOException;
import io.github.audioldm4j.io.AudioInfo;
import io.github.audioldm4j.io.DecodeOptions;
import io.github.audioldm4j.io.DecodedAudio;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.AudioLength;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.GenerationRequest;
import io.github.audioldm4j.pipeline.PipelineCancelledException;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.report.ComparisonReport;
import io.github.audioldm4j.study.ReconstructionStudy;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The per-clip work of a corpus job, shared by the local runner ({@link CorpusJob}) and the Spark
 * runner: hash and decode a clip, then compute its result rows (the reference row and one row
 * per pending stage). A worker holds no results of its own: what is done is asked through a
 * predicate on result keys, so the caller keeps the store (a JSONL file, a Parquet table).
 * The rows of a clip depend only on the spec, the clip and the bundle, never on which worker,
 * thread or machine computed them. Not thread-safe (the pipeline is not).
 */
public final class ClipWorker implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * A clip ready to compute: its content hash, the stages whose result is missing, and the
     * decoded audio or the reason it could not be had.
     *
     * @param content SHA-256 of the file (or {@code unreadable:<id>})
     * @param pending stages of the spec whose result is missing
     * @param complete true when every stage and the reference row are done (nothing to compute)
     * @param audio decoded samples (mono), or null when complete or failed
     * @param rate their sample rate
     * @param failure why the clip fails (decode error, too short), or null
     */
    public record Prepared(String content, List<String> pending, boolean complete, float[] audio, int rate,
            String failure) {}

    private final CorpusSpec spec;
    private final Path outDir;
    private final Supplier<AudioLdm2Pipeline> pipelines;
    private AudioLdm2Pipeline pipeline;
    // the segments of a long file come in order: one streaming reader serves them all (no decode from the start
    // per segment), and the file's hash is computed once
    private io.github.audioldm4j.io.AudioReader segmentReader;
    private Path segmentPath;
    private int segmentRate;
    private long segmentNext;
    private Path hashedPath;
    private long hashedSize;
    private long hashedModified;
    private String hash;

    /**
     * @param outDir the job's output folder (the report's worst-clip audio is written under it)
     * @param pipelines opens the pipeline on first need, or null (model stages are skipped)
     */
    public ClipWorker(CorpusSpec spec, Path outDir, Supplier<AudioLdm2Pipeline> pipelines) {
        this.spec = Check.notNull("spec", spec);
        this.outDir = Check.notNull("outDir", outDir);
        this.pipelines = pipelines;
    }

    /**
     * The key of a result: content hash, stage, settings, and the clip id (the clip's seed derives
     * from it, so two clips with the same content are two results).
     */
    public String key(String content, String clipId, String stage) {
        return spec.resultKey(content, clipId, stage);
    }

    /** Hashes the clip and, when some result is missing (by {@code done}), decodes it. */
    public Prepared prepare(CorpusInput.Clip clip, Predicate<String> done) {
        Check.notNull("clip", clip);
        Check.notNull("done", done);
        String content = contentHash(clip);
        List<String> pending = new ArrayList<>();
        for (String stage : spec.stages()) {
            if (!done.test(key(content, clip.id(), stage))) {
                pending.add(stage);
            }
        }
        if (pending.isEmpty() && done.test(key(content, clip.id(), "reference"))) {
            return new Prepared(content, List.of(), true, null, 0, null);
        }
        try {
            float[] audio;
            int rate;
            if (clip.segment()) {
                audio = readSegment(clip);
                rate = segmentRate;
            } else {
                AudioInfo info = AudioDecoder.probe(clip.path());
                DecodedAudio d = AudioDecoder.decode(clip.path(), DecodeOptions.of(info.sampleRate())
                        .withOffset(clip.offsetSeconds()).withMaxDuration(spec.maxSeconds()));
                audio = d.samples();
                rate = d.sampleRate();
            }
            if (audio.length / (double) rate < spec.minSeconds()) {
                return new Prepared(content, pending, false, null, 0, String.format(Locale.ROOT, "clip is %.3f s "
                        + "long, shorter than min_seconds %.2f", audio.length / (double) rate, spec.minSeconds()));
            }
            return new Prepared(content, pending, false, audio, rate, null);
        } catch (AudioIOException | IllegalArgumentException e) {
            closeSegmentReader();
            return new Prepared(content, pending, false, null, 0, e.getMessage());
        }
    }

    /** SHA-256 of the clip's file, computed once for the consecutive segments of one file. */
    private String contentHash(CorpusInput.Clip clip) {
        try {
            long size = Files.size(clip.path());
            long modified = Files.getLastModifiedTime(clip.path()).toMillis();
            if (!clip.path().equals(hashedPath) || size != hashedSize || modified != hashedModified) {
                hash = ModelBundle.sha256(clip.path());
                hashedPath = clip.path();
                hashedSize = size;
                hashedModified = modified;
            }
            return hash;
        } catch (IOException | RuntimeException e) { // unreadable file; the decode records why
            hashedPath = null;
            return "unreadable:" + clip.id();
        }
    }

    /**
     * The samples of one segment at the file's own rate: from the open reader when it stands at the
     * segment's start (the previous segment of the same file was read), else from a new reader that
     * skips to it. Either way the samples equal those of a whole-file decode at that offset.
     */
    private float[] readSegment(CorpusInput.Clip clip) throws AudioIOException {
        if (segmentReader == null || !clip.path().equals(segmentPath)
                || segmentNext != Math.round(clip.offsetSeconds() * segmentRate)) {
            closeSegmentReader();
            int rate = AudioDecoder.probe(clip.path()).sampleRate();
            segmentReader = io.github.audioldm4j.io.AudioReader.open(clip.path(), DecodeOptions.of(rate)
                    .withOffset(clip.offsetSeconds()));
            segmentPath = clip.path();
            segmentRate = rate;
            segmentNext = Math.round(clip.offsetSeconds() * rate);
        }
        int want = (int) Math.round(spec.maxSeconds() * segmentRate);
        float[] buf = new float[want];
        int n = 0;
        while (n < want) {
            int k = segmentReader.read(buf, n, want - n);
            if (k < 0) {
                break;
            }
            n += k;
        }
        segmentNext += n;
        return n == want ? buf : java.util.Arrays.copyOf(buf, n);
    }

    private void closeSegmentReader() {
        if (segmentReader != null) {
            segmentReader.close();
            segmentReader = null;
            segmentPath = null;
        }
    }

    /** Closes the reader kept for a long file's segments (not the pipeline: see {@link #openedPipeline()}). */
    @Override
    public void close() {
        closeSegmentReader();
    }

    /**
     * The rows of a prepared clip: its reference row first, then one row per pending stage
     * (status ran, skipped or failed); empty when the clip is complete.
     */
    public List<ObjectNode> compute(CorpusInput.Clip clip, Prepared in, ProgressListener steps,
            CancellationToken cancel) {
        Check.notNull("clip", clip);
        Check.notNull("in", in);
        Check.notNull("steps", steps);
        Check.notNull("cancel", cancel);
        List<ObjectNode> rows = new ArrayList<>();
        if (in.complete()) {
            return rows;
        }
        List<String> pending = in.pending();
        String content = in.content();
        long seed = spec.clipSeed(clip.id());
        if (in.failure() != null) {
            ObjectNode ref = row(clip, content, "reference");
            ref.put("status", "failed");
            ref.put("reason", in.failure());
            rows.add(ref);
            for (String stage : pending) {
                ObjectNode r = row(clip, content, stage);
                r.put("status", "failed");
                r.put("reason", in.failure());
                rows.add(r);
            }
            return rows;
        }
        float[] audio = in.audio().clone();
        int rate = in.rate();
        ReconstructionStudy.fitToUnitPeak(audio);
        Set<String> studyStages = new LinkedHashSet<>(pending);
        studyStages.remove(CorpusSpec.GENERATE);
        // opened whenever a bundle is given: the model stages and the CLAP scores of every stage need it
        AudioLdm2Pipeline p = pipeline();
        boolean clap = p != null && p.models().bundle().has("clap_audio");
        float[] ref16 = SincResampler.resample(audio, rate, AudioLdm2MelExtractor.SAMPLE_RATE);
        float[] refEmb = clap ? p.clap().audioEmbeddings(List.of(ref16), seed).floats() : null;
        float[] textEmb = clap && clip.caption() != null ? p.clap().textEmbeddings(List.of(clip.caption())).floats()
                : null;
        ObjectNode ref = row(clip, content, "reference");
        ref.put("status", "ran");
        ref.put("sample_rate", rate);
        ref.put("seconds", audio.length / (double) rate);
        if (clip.caption() != null) {
            ref.put("caption", clip.caption());
        }
        putEmbedding(ref, refEmb);
        if (refEmb != null && textEmb != null) {
            ref.put("clap_text_score", dot(refEmb, textEmb));
        }
        rows.add(ref);
        if (!studyStages.isEmpty()) {
            ReconstructionStudy.Options o = ReconstructionStudy.Options.defaults().withPrompt(spec.prompt())
                    .withSteps(spec.numInferenceSteps()).withStrength(spec.strength()).withCutoff(spec.cutoffHz())
                    .withSeed(seed).withStages(studyStages);
            ComparisonReport report = ReconstructionStudy.run(audio, rate, clip.id(), p, o, steps,
                    ReconstructionStudy.StageListener.NONE, cancel);
            for (ComparisonReport.Stage s : report.stages()) {
                if (!studyStages.contains(s.name())) {
                    continue;
                }
                ObjectNode r = row(clip, content, s.name());
                if (!s.ran()) {
                    r.put("status", "skipped");
                    r.put("reason", s.skipReason());
                    rows.add(r);
                    continue;
                }
                r.put("status", "ran");
                r.put("elapsed_seconds", s.elapsedSeconds());
                ObjectNode m = r.putObject("metrics");
                for (Metric metric : MetricRegistry.all()) {
                    OptionalDouble v = s.metrics().value(metric);
                    if (v.isPresent() && Double.isFinite(v.getAsDouble())) {
                        m.put(metric.key(), v.getAsDouble());
                    } else {
                        m.putNull(metric.key());
                    }
                }
                if (clap) {
                    float[] out16 = SincResampler.resample(s.waveform(), rate, AudioLdm2MelExtractor.SAMPLE_RATE);
                    float[] emb = p.clap().audioEmbeddings(List.of(out16), seed).floats();
                    putEmbedding(r, emb);
                    r.put("clap_audio_cosine", dot(refEmb, emb));
                    if (textEmb != null) {
                        r.put("clap_text_score", dot(textEmb, emb));
                    }
                }
                keepAudio(r, clip, s.name(), s.waveform(), rate);
                rows.add(r);
            }
        }
        if (pending.contains(CorpusSpec.GENERATE)) {
            rows.add(generate(clip, content, p, audio.length / (double) rate, seed, refEmb, textEmb, steps, cancel));
        }
        return rows;
    }

    /** The pipeline this worker opened, if any (the caller closes it). */
    public AudioLdm2Pipeline openedPipeline() {
        return pipeline;
    }

    private AudioLdm2Pipeline pipeline() {
        if (pipeline == null && pipelines != null) {
            pipeline = pipelines.get();
        }
        return pipeline;
    }

    private ObjectNode row(CorpusInput.Clip clip, String content, String stage) {
        ObjectNode r = MAPPER.createObjectNode();
        r.put("key", key(content, clip.id(), stage));
        r.put("clip_id", clip.id());
        r.put("path", clip.path().toString());
        r.put("content_sha256", content);
        r.put("stage", stage);
        if (clip.segment()) {
            r.put("source_id", clip.source());
            r.put("offset_seconds", clip.offsetSeconds());
        }
        return r;
    }

    private ObjectNode generate(CorpusInput.Clip clip, String content, AudioLdm2Pipeline p, double seconds, long seed,
            float[] refEmb, float[] textEmb, ProgressListener steps, CancellationToken cancel) {
        ObjectNode r = row(clip, content, CorpusSpec.GENERATE);
        if (p == null) {
            r.put("status", "skipped");
            r.put("reason", "no model bundle given");
            return r;
        }
        if (clip.caption() == null) {
            r.put("status", "skipped");
            r.put("reason", "the clip has no caption");
            return r;
        }
        double len = Math.max(0.32, Math.min(seconds, AudioLength.MAX_SECONDS));
        try {
            float[] wave = p.generate(GenerationRequest.builder(clip.caption()).audioLengthS(len)
                    .numInferenceSteps(spec.numInferenceSteps()).guidanceScale(spec.guidanceScale()).seed(seed)
                    .build(), steps, cancel).waveforms().get(0);
            r.put("status", "ran");
            if (refEmb != null) {
                float[] emb = p.clap().audioEmbeddings(List.of(wave), seed).floats();
                putEmbedding(r, emb);
                r.put("clap_audio_cosine", dot(refEmb, emb));
                if (textEmb != null) {
                    r.put("clap_text_score", dot(textEmb, emb));
                }
            }
        } catch (PipelineCancelledException e) {
            throw e;
        } catch (RuntimeException e) {
            r.put("status", "failed");
            r.put("reason", e.getMessage());
        }
        return r;
    }

    /**
     * Writes the stage output for the report (which keeps the stage's worst clips and prunes the
     * rest). Written under a temporary name and moved into place, so two attempts of one task
     * (a retry, a speculative copy) never leave a half-written file: both write the same bytes.
     */
    private void keepAudio(ObjectNode r, CorpusInput.Clip clip, String stage, float[] wave, int rate) {
        if (spec.worstClips() == 0) {
            return;
        }
        String name = CorpusReport.safeName(clip.id()) + ".flac";
        Path file = outDir.resolve("audio").resolve(stage).resolve(name);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(".tmp-" + UUID.randomUUID() + "-" + name);
            try {
                AudioEncoder.encode(wave, rate, tmp);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            r.put("audio_file", outDir.relativize(file).toString());
        } catch (IOException | RuntimeException e) {
            r.put("audio_file_error", e.getMessage());
        }
    }

    static void putEmbedding(ObjectNode r, float[] emb) {
        if (emb == null) {
            return;
        }
        // as doubles (the float's exact value), so a row read back from a store equals the row written
        ArrayNode a = r.putArray("clap_embedding");
        for (float v : emb) {
            a.add((double) v);
        }
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
