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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs a {@link CorpusSpec} over clips: per clip and stage the study's metrics, CLAP audio-audio
 * cosine (reference vs stage output) and the CLAP text-audio score of the caption, into a
 * resumable result store ({@code results.jsonl}); then the corpus summary and report
 * ({@link CorpusReport}). A clip that cannot be decoded or breaks a limit is recorded with its
 * reason and the job goes on. Clips run in id order; each gets the seed
 * {@link CorpusSpec#clipSeed}, so results do not depend on the order the clips are listed in.
 */
public final class CorpusJob {
    /** Results file inside the output folder. */
    public static final String RESULTS = "results.jsonl";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Per-clip progress. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (index, total, clipId, status) -> { };

        /** @param status "computed N stage(s)", "reused", "failed: reason" */
        void onClip(int index, int total, String clipId, String status);
    }

    /**
     * What a run did.
     *
     * @param clips clips in the corpus
     * @param computedRows result rows computed by this run
     * @param reusedRows result rows found from earlier runs
     * @param failedClips clips recorded as failed
     * @param modelsLoaded whether the pipeline was opened (false when nothing needed a model)
     */
    public record Outcome(int clips, int computedRows, int reusedRows, int failedClips, boolean modelsLoaded) {}

    private final CorpusSpec spec;
    private final Path outDir;
    private final Supplier<AudioLdm2Pipeline> pipelines;
    private final ModelBundle bundle;
    private AudioLdm2Pipeline pipeline;

    /**
     * @param bundle the bundle the pipeline runs (its versions go into the summary), or null
     * @param pipelines opens the pipeline on the bundle on first need (null: model stages are
     *     recorded as skipped); a run that finds every result done opens nothing
     */
    public CorpusJob(CorpusSpec spec, Path outDir, ModelBundle bundle,
            Supplier<AudioLdm2Pipeline> pipelines) {
        this.spec = Check.notNull("spec", spec);
        this.outDir = Check.notNull("outDir", outDir);
        if ((bundle == null) != (pipelines == null)) {
            throw new IllegalArgumentException("bundle and pipelines must be given together, got "
                    + (bundle == null ? "no bundle" : "no pipeline opener"));
        }
        this.bundle = bundle;
        this.pipelines = pipelines;
    }

    /** Runs (or resumes) the job over {@code clips}, then writes the summary and the report. */
    public Outcome run(List<CorpusInput.Clip> clips, ProgressListener steps, Listener listener, CancellationToken cancel)
            throws IOException {
        Check.notEmpty("clips", clips);
        Check.notNull("steps", steps);
        Check.notNull("listener", listener);
        Check.notNull("cancel", cancel);
        Files.createDirectories(outDir);
        int computed = 0;
        int reused = 0;
        int failed = 0;
        List<CorpusInput.Clip> ordered = new ArrayList<>(clips);
        ordered.sort(java.util.Comparator.comparing(CorpusInput.Clip::id));
        java.util.concurrent.ExecutorService prefetch = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "audioldm4j-corpus-decode");
            t.setDaemon(true);
            return t;
        });
        try (ResultStore store = new ResultStore(outDir.resolve(RESULTS))) {
            // the next clip is hashed and decoded on another thread while this one runs its models
            java.util.concurrent.Future<Input> next = prefetch.submit(() -> input(ordered.get(0), store));
            for (int i = 0; i < ordered.size(); i++) {
                cancel.throwIfCancelled("before clip " + (i + 1) + " of " + ordered.size());
                CorpusInput.Clip clip = ordered.get(i);
                Input in = await(next);
                if (i + 1 < ordered.size()) {
                    CorpusInput.Clip following = ordered.get(i + 1);
                    next = prefetch.submit(() -> input(following, store));
                }
                List<String> pending = pending(in.content(), clip, store);
                if (pending.isEmpty() && store.has(key(in.content(), clip.id(), "reference"))) {
                    reused += spec.stages().size();
                    listener.onClip(i + 1, ordered.size(), clip.id(), "reused");
                    continue;
                }
                reused += spec.stages().size() - pending.size();
                List<ObjectNode> rows = runClip(clip, in, pending, steps, cancel);
                store.append(rows);
                computed += pending.size();
                boolean clipFailed = rows.stream().anyMatch(r -> "failed".equals(r.path("status").asText()));
                if (clipFailed) {
                    failed++;
                }
                listener.onClip(i + 1, ordered.size(), clip.id(), clipFailed
                        ? "failed: " + rows.get(0).path("reason").asText() : "computed " + pending.size() + " stage(s)");
            }
            CorpusReport.write(spec, ordered, store, outDir, bundle);
        } finally {
            prefetch.shutdownNow();
        }
        return new Outcome(ordered.size(), computed, reused, failed, pipeline != null);
    }

    /**
     * The key of a result: content hash, stage, settings, and the clip id (the clip's seed derives
     * from it, so two clips with the same content are two results).
     */
    private String key(String content, String clipId, String stage) {
        return CorpusSpec.sha256(content + "|" + stage + "|" + spec.settingsKey() + "|" + clipId);
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
        return r;
    }

    /** A clip's content hash and, when some result is missing, its decoded audio or the reason it failed. */
    private record Input(String content, float[] audio, int rate, String failure) {}

    /** The stages of the spec whose result for this clip is not in the store yet. */
    private List<String> pending(String content, CorpusInput.Clip clip, ResultStore store) {
        List<String> out = new ArrayList<>();
        for (String stage : spec.stages()) {
            if (!store.has(key(content, clip.id(), stage))) {
                out.add(stage);
            }
        }
        return out;
    }

    private Input input(CorpusInput.Clip clip, ResultStore store) {
        String content;
        try {
            content = ModelBundle.sha256(clip.path());
        } catch (RuntimeException e) { // BundleException: unreadable file; the decode below records why
            content = "unreadable:" + clip.id();
        }
        if (pending(content, clip, store).isEmpty() && store.has(key(content, clip.id(), "reference"))) {
            return new Input(content, null, 0, null);
        }
        try {
            AudioInfo info = AudioDecoder.probe(clip.path());
            DecodedAudio d = AudioDecoder.decode(clip.path(), DecodeOptions.of(info.sampleRate())
                    .withMaxDuration(spec.maxSeconds()));
            float[] audio = d.samples();
            int rate = d.sampleRate();
            if (audio.length / (double) rate < spec.minSeconds()) {
                return new Input(content, null, 0, String.format(Locale.ROOT, "clip is %.3f s long, shorter than "
                        + "min_seconds %.2f", audio.length / (double) rate, spec.minSeconds()));
            }
            return new Input(content, audio, rate, null);
        } catch (AudioIOException | IllegalArgumentException e) {
            return new Input(content, null, 0, e.getMessage());
        }
    }

    private static Input await(java.util.concurrent.Future<Input> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PipelineCancelledException("interrupted while decoding the next clip (Thread.interrupt)");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        }
    }

    private List<ObjectNode> runClip(CorpusInput.Clip clip, Input in, List<String> pending, ProgressListener steps,
            CancellationToken cancel) {
        List<ObjectNode> rows = new ArrayList<>();
        String content = in.content();
        long seed = spec.clipSeed(clip.id());
        if (in.failure() != null) {
            for (String stage : pending) {
                ObjectNode r = row(clip, content, stage);
                r.put("status", "failed");
                r.put("reason", in.failure());
                rows.add(r);
            }
            ObjectNode ref = row(clip, content, "reference");
            ref.put("status", "failed");
            ref.put("reason", in.failure());
            rows.add(0, ref);
            return rows;
        }
        float[] audio = in.audio();
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

    /** Writes the stage output when it is among the stage's worst clips by LSD so far (the report plays them). */
    private void keepAudio(ObjectNode r, CorpusInput.Clip clip, String stage, float[] wave, int rate) {
        if (spec.worstClips() == 0) {
            return;
        }
        Path file = outDir.resolve("audio").resolve(stage).resolve(CorpusReport.safeName(clip.id()) + ".flac");
        try {
            Files.createDirectories(file.getParent());
            AudioEncoder.encode(wave, rate, file);
            r.put("audio_file", outDir.relativize(file).toString());
        } catch (IOException e) {
            r.put("audio_file_error", e.getMessage());
        }
    }

    static void putEmbedding(ObjectNode r, float[] emb) {
        if (emb == null) {
            return;
        }
        // as doubles (the float's exact value), so a row read back from results.jsonl equals the row written
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

    /** The pipeline this job opened, if any (the caller closes it). */
    public AudioLdm2Pipeline openedPipeline() {
        return pipeline;
    }
}
