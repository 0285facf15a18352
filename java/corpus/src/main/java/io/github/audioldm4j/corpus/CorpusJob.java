package io.github.audioldm4j.corpus;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.PipelineCancelledException;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    private final ModelBundle bundle;
    private final ClipWorker worker;

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
        this.worker = new ClipWorker(spec, outDir, pipelines);
    }

    /**
     * The result rows stored under {@code outDir} ({@link #RESULTS}), each key once; empty when
     * there is none. The Spark job reads them too, so either runner resumes the other's output.
     */
    public static List<com.fasterxml.jackson.databind.node.ObjectNode> storedRows(Path outDir) {
        Check.notNull("outDir", outDir);
        if (!Files.isRegularFile(outDir.resolve(RESULTS))) {
            return List.of();
        }
        try (ResultStore store = new ResultStore(outDir.resolve(RESULTS))) {
            return new ArrayList<>(store.all());
        }
    }

    /**
     * Appends to the store under {@code outDir} the rows whose key it lacks (the Spark job
     * mirrors its rows there); returns how many were appended.
     */
    public static int storeRows(Path outDir, java.util.Collection<com.fasterxml.jackson.databind.node.ObjectNode> rows)
            throws IOException {
        Check.notNull("outDir", outDir);
        Check.notNull("rows", rows);
        Files.createDirectories(outDir);
        try (ResultStore store = new ResultStore(outDir.resolve(RESULTS))) {
            List<com.fasterxml.jackson.databind.node.ObjectNode> fresh = new ArrayList<>();
            java.util.Set<String> keys = new java.util.HashSet<>();
            for (com.fasterxml.jackson.databind.node.ObjectNode r : rows) {
                String key = Check.notNull("row key", r.get("key")).asText();
                if (!store.has(key) && keys.add(key)) {
                    fresh.add(r);
                }
            }
            store.append(fresh);
            return fresh.size();
        }
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
        // with the segments policy a long file is many clips (one per segment, progress per segment)
        List<CorpusInput.Clip> ordered = new ArrayList<>(CorpusInput.expand(clips, spec));
        ordered.sort(java.util.Comparator.comparing(CorpusInput.Clip::id));
        java.util.concurrent.ExecutorService prefetch = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "audioldm4j-corpus-decode");
            t.setDaemon(true);
            return t;
        });
        try (ResultStore store = new ResultStore(outDir.resolve(RESULTS))) {
            // the next clip is hashed and decoded on another thread while this one runs its models
            java.util.concurrent.Future<ClipWorker.Prepared> next = prefetch.submit(
                    () -> worker.prepare(ordered.get(0), store::has));
            for (int i = 0; i < ordered.size(); i++) {
                cancel.throwIfCancelled("before clip " + (i + 1) + " of " + ordered.size());
                CorpusInput.Clip clip = ordered.get(i);
                ClipWorker.Prepared in = await(next);
                if (i + 1 < ordered.size()) {
                    CorpusInput.Clip following = ordered.get(i + 1);
                    next = prefetch.submit(() -> worker.prepare(following, store::has));
                }
                if (in.complete()) {
                    reused += spec.stages().size();
                    listener.onClip(i + 1, ordered.size(), clip.id(), "reused");
                    continue;
                }
                List<String> pending = in.pending();
                reused += spec.stages().size() - pending.size();
                List<ObjectNode> rows = worker.compute(clip, in, steps, cancel);
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
            try {
                prefetch.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            worker.close(); // the segment reader, once the prefetch thread is done with it
        }
        return new Outcome(ordered.size(), computed, reused, failed, worker.openedPipeline() != null);
    }

    private static ClipWorker.Prepared await(java.util.concurrent.Future<ClipWorker.Prepared> f) {
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

    /** The pipeline this job opened, if any (the caller closes it). */
    public AudioLdm2Pipeline openedPipeline() {
        return worker.openedPipeline();
    }
}
