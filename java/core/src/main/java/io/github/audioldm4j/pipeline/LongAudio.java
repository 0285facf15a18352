package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.Crossover;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.io.SampleInput;
import io.github.audioldm4j.io.SampleSource;
import io.github.audioldm4j.model.LatentDistribution;
import io.github.audioldm4j.random.TorchGenerator;
import io.github.audioldm4j.scheduler.Img2Img;
import io.github.audioldm4j.scheduler.Scheduler;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.scheduler.Schedulers;
import io.github.audioldm4j.text.Conditioning;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reconstruction and the diffusion modes for audio of any length, in memory bounded by the
 * window, not by the input: the input is read as a stream (a file through the ffmpeg module's
 * {@code AudioReader}, or an array), cut into the windows of a {@link WindowPlan}, and the result
 * is a {@link SampleSource} that computes windows as it is read, so it can be written straight
 * to a file ({@code AudioWriter}) or measured block by block.
 *
 * <ul>
 *   <li>{@link #vaeRoundTrip} and {@link #vocoderRoundTrip}: each window on its own; neighbouring
 *       waveforms crossfade over the overlap. Memory: two windows.</li>
 *   <li>{@link #refine} (SDEdit), {@link #guidedReconstructBelow}, {@link #cascade} and
 *       {@link #bandSplit}: MultiDiffusion (Bar-Tal et al., 2023) in the latent domain. The
 *       latent is cut into segments where the set of windows covering it changes; at every
 *       timestep each window's UNet noise prediction is computed on its part of the joint latent,
 *       the overlapping predictions are averaged with the plan's ramps (weights summing to 1),
 *       and every segment is stepped once by its own scheduler (the schedulers are element-wise,
 *       so this is the joint latent stepped once). The windows advance as a wavefront: a window
 *       can take step k once its neighbours have taken step k-1, so about {@code steps + 2}
 *       windows are alive at a time and finished windows are decoded, joined and handed out
 *       while later ones are still being read. Memory: O(steps x window), independent of the
 *       input's length.</li>
 * </ul>
 *
 * <p>Input that fits in one window goes through the unchunked {@link AudioLdm2Pipeline} methods,
 * so short files give exactly what the whole-clip calls give. With normalisation the level of the
 * whole input is measured first ({@link InputLevel#measure}: one extra streaming read of the
 * input), so all windows get the same gain.
 *
 * <p>Randomness: segment {@code j}'s initial noise, re-injection noise and stochastic scheduler
 * noise come from its own generator, seeded from the request's seed and {@code j}; window
 * {@code i}'s posterior sample (with {@link LatentSampling#SAMPLE}) likewise. Results are
 * deterministic for a seed and a plan, and do not depend on the order the wavefront takes.

 *
 * <p>Not thread-safe; the returned sources use the pipeline, so use them on its thread and close
 * them (they close the input they read).
 */
public final class LongAudio {
    /** Progress of a long-audio stage, one call per window joined into the output. */
    @FunctionalInterface
    public interface Progress {
        /** No-op. */
        Progress NONE = (windows, samples, hint) -> { };

        /**
         * @param windowsDone windows joined into the output so far
         * @param samplesDone output samples available so far
         * @param samplesHint the input's length when its container declares it, else -1
         */
        void onWindow(int windowsDone, long samplesDone, long samplesHint);

        /** A warning of the pipeline (e.g. a truncated prompt), before the models run. */
        default void onWarning(String message) {
        }
    }

    private final AudioLdm2Pipeline pipeline;
    private final WindowPlan plan;
    private final Manifest manifest;
    private final AudioLdm2MelExtractor melExtractor = new AudioLdm2MelExtractor();
    private final int hop;
    private final int melMargin;

    /**
     * @param pipeline the pipeline whose models run the windows (not owned)
     * @param plan the windows; its samples per frame must be the bundle's {@code hop * vae_downsample}
     */
    public LongAudio(AudioLdm2Pipeline pipeline, WindowPlan plan) {
        this.pipeline = Check.notNull("pipeline", pipeline);
        this.plan = Check.notNull("plan", plan);
        this.manifest = pipeline.models().bundle().manifest();
        this.hop = manifest.mel().hop();
        int spf = hop * manifest.vae().downsample();
        if (plan.samplesPerFrame() != spf) {
            throw new IllegalArgumentException("plan.samplesPerFrame must be " + spf + " (hop " + hop
                    + " x VAE downsampling " + manifest.vae().downsample() + ") for bundle " + manifest.modelId()
                    + ", got " + plan.samplesPerFrame());
        }
        // whole frames of context on each side of a window: at least n_fft / 2, so every mel frame
        // of the window sees real neighbouring samples, exactly as in a whole-input mel
        this.melMargin = (manifest.mel().nFft() / 2 + hop - 1) / hop * hop;
    }

    public WindowPlan plan() {
        return plan;
    }

    // ------------------------------------------------------------------------------------------
    // public modes
    // ------------------------------------------------------------------------------------------

    /**
     * Chunked VAE-only reconstruction (see {@link AudioLdm2Pipeline#vaeRoundTrip}).
     *
     * @throws IllegalArgumentException if the input's rate is not the bundle's, or (normalising)
     *     the input is empty, constant or not finite
     */
    public SampleSource vaeRoundTrip(SampleInput input, LatentSampling sampling, boolean normalize, long seed,
            Progress progress) throws IOException {
        checkInput(input);
        Check.notNull("sampling", sampling);
        Check.notNull("progress", progress);
        InputLevel level = normalize ? InputLevel.measure(input) : InputLevel.NONE;
        return new ModelFreeStage(input.open(), level, progress, sampling, seed,
                raw -> pipeline.vaeRoundTrip(raw, sampling, normalize, seed));
    }

    /** Chunked vocoder-only reconstruction (see {@link AudioLdm2Pipeline#vocoderRoundTrip}). */
    public SampleSource vocoderRoundTrip(SampleInput input, boolean normalize, Progress progress) throws IOException {
        checkInput(input);
        Check.notNull("progress", progress);
        InputLevel level = normalize ? InputLevel.measure(input) : InputLevel.NONE;
        return new ModelFreeStage(input.open(), level, progress, null, 0,
                raw -> pipeline.vocoderRoundTrip(raw, normalize));
    }

    /** Chunked SDEdit (see {@link AudioLdm2Pipeline#refine}). */
    public SampleSource refine(SampleInput input, AudioToAudioRequest request, Progress progress,
            CancellationToken cancel) throws IOException {
        checkDiffusion(input, request, progress, cancel);
        InputLevel level = request.normalizeInput() ? InputLevel.measure(input) : InputLevel.NONE;
        ProgressListener listener = listener(progress);
        return new DiffusionStage(input.open(), level, progress, cancel, request, null,
                raw -> pipeline.refine(raw, request, listener, cancel));
    }

    /**
     * Chunked guided reconstruction that keeps the original below {@code cutoffHz} (see
     * {@link AudioLdm2Pipeline#guidedReconstructBelow}); the mask is the same in every window.
     */
    public SampleSource guidedReconstructBelow(SampleInput input, AudioToAudioRequest request, double cutoffHz,
            Progress progress, CancellationToken cancel) throws IOException {
        checkDiffusion(input, request, progress, cancel);
        Check.positive("cutoffHz", cutoffHz);
        float[] binMask = LatentMask.keepBelowHz(1, pipeline.latentBins(), cutoffHz, manifest.mel().nMels(),
                manifest.mel().fMax()).values();
        InputLevel level = request.normalizeInput() ? InputLevel.measure(input) : InputLevel.NONE;
        ProgressListener listener = listener(progress);
        return new DiffusionStage(input.open(), level, progress, cancel, request, binMask,
                raw -> pipeline.guidedReconstructBelow(raw, request, cutoffHz, listener, cancel));
    }

    /**
     * Chunked cascade: the chunked VAE round trip, streamed into chunked SDEdit at the request's
     * strength (see {@link AudioLdm2Pipeline#cascade}). The refinement uses the input's gain (the
     * VAE output has the input's level and no mean).
     */
    public SampleSource cascade(SampleInput input, AudioToAudioRequest request, Progress progress,
            CancellationToken cancel) throws IOException {
        checkDiffusion(input, request, progress, cancel);
        InputLevel level = request.normalizeInput() ? InputLevel.measure(input) : InputLevel.NONE;
        ProgressListener listener = listener(progress);
        boolean normalize = request.normalizeInput();
        SampleSource vae = new ModelFreeStage(input.open(), level, Progress.NONE, request.latentSampling(),
                request.seed(), raw -> pipeline.vaeRoundTrip(raw, request.latentSampling(), normalize, request.seed()));
        return new DiffusionStage(vae, new InputLevel(0f, level.gain()), progress, cancel, request, null,
                raw -> pipeline.refine(raw, request, listener, cancel));
    }

    /**
     * Chunked band split: the chunked VAE round trip below {@code cutoffHz}, chunked SDEdit above,
     * joined by {@link Crossover} in blocks with {@code n_fft} of context on each side (equal to
     * the whole-signal crossover up to float rounding). Reads the input twice at the same time.
     */
    public SampleSource bandSplit(SampleInput input, AudioToAudioRequest request, double cutoffHz,
            double transitionHz, Progress progress, CancellationToken cancel) throws IOException {
        checkDiffusion(input, request, progress, cancel);
        Check.inRange("cutoffHz", cutoffHz, 1.0, pipeline.sampleRate() / 2.0 - 1.0);
        Check.positive("transitionHz", transitionHz);
        Crossover crossover = new Crossover(pipeline.sampleRate(), cutoffHz, transitionHz);
        InputLevel level = request.normalizeInput() ? InputLevel.measure(input) : InputLevel.NONE;
        ProgressListener listener = listener(progress);
        boolean normalize = request.normalizeInput();
        SampleSource low = new ModelFreeStage(input.open(), level, Progress.NONE, request.latentSampling(),
                request.seed(), raw -> pipeline.vaeRoundTrip(raw, request.latentSampling(), normalize, request.seed()));
        try {
            SampleSource high = new DiffusionStage(input.open(), level, progress, cancel, request, null,
                    raw -> pipeline.refine(raw, request, listener, cancel));
            return new CrossoverStage(low, high, crossover);
        } catch (IOException | RuntimeException e) {
            low.close();
            throw e;
        }
    }

    private void checkInput(SampleInput input) {
        Check.notNull("input", input);
        if (input.sampleRate() != pipeline.sampleRate()) {
            throw new IllegalArgumentException("input sample rate must be " + pipeline.sampleRate()
                    + " Hz (the bundle's; decode with DecodeOptions.of(" + pipeline.sampleRate() + ")), got "
                    + input.sampleRate() + " for " + input.description());
        }
    }

    private void checkDiffusion(SampleInput input, AudioToAudioRequest request, Progress progress,
            CancellationToken cancel) {
        checkInput(input);
        Check.notNull("request", request);
        Check.notNull("progress", progress);
        Check.notNull("cancel", cancel);
        SchedulerConfig cfg = request.scheduler() != null ? request.scheduler() : manifest.scheduler();
        // schedule and strength before any model work
        Scheduler s = pipeline.scheduler(request.scheduler(), request.eta(), request.numInferenceSteps());
        s.setTimesteps(request.numInferenceSteps());
        Img2Img.getTimesteps(s, request.numInferenceSteps(), request.strength());
        Schedulers.checkInferenceSteps("numInferenceSteps", cfg, request.numInferenceSteps());
    }

    private static ProgressListener listener(Progress progress) {
        return new ProgressListener() {
            @Override
            public void onStep(int step, int total, float timestep) {
            }

            @Override
            public void onWarning(String message) {
                progress.onWarning(message);
            }
        };
    }

    /** A derived seed (SplitMix64 finaliser over the seed and a stream index), for per-window/segment generators. */
    static long derivedSeed(long seed, long stream) {
        if (stream == 0) {
            return seed;
        }
        long z = seed + 0x9E3779B97F4A7C15L * stream;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    // ------------------------------------------------------------------------------------------
    // input side
    // ------------------------------------------------------------------------------------------

    /** A sliding buffer over the input stream: raw samples from {@code base} on. */
    static final class InputBuffer {
        private final SampleSource source;
        private float[] data = new float[1 << 16];
        private long base;
        private int size;
        private boolean ended;

        InputBuffer(SampleSource source) {
            this.source = source;
        }

        /** Reads until sample {@code end} (exclusive) is buffered or the source ends. */
        void fill(long end) throws IOException {
            while (!ended && base + size < end) {
                if (size == data.length) {
                    data = Arrays.copyOf(data, data.length * 2);
                }
                int n = source.read(data, size, data.length - size);
                if (n < 0) {
                    ended = true;
                    break;
                }
                for (int i = size; i < size + n; i++) {
                    if (!Float.isFinite(data[i])) {
                        throw new IllegalArgumentException("audio must contain only finite values, got " + data[i]
                                + " at sample " + (base + i));
                    }
                }
                size += n;
            }
        }

        /** True if the input has a sample at {@code position}. */
        boolean has(long position) throws IOException {
            fill(position + 1);
            return position < base + size;
        }

        /** The input's length; valid once {@link #has} returned false. */
        long length() {
            Check.state(ended, "the input's length is known only at its end");
            return base + size;
        }

        /** Raw samples [a, b), zero past the end of the input. */
        float[] raw(long a, long b) throws IOException {
            fill(b);
            Check.state(a >= base, "samples before " + base + " were released, asked for " + a);
            float[] out = new float[Math.toIntExact(b - a)];
            long avail = Math.min(b, base + size);
            if (avail > a) {
                System.arraycopy(data, (int) (a - base), out, 0, (int) (avail - a));
            }
            return out;
        }

        /** Forgets samples before {@code position}. */
        void release(long position) {
            int drop = (int) Math.min(Math.max(0, position - base), size);
            if (drop > 0) {
                System.arraycopy(data, drop, data, 0, size - drop);
                size -= drop;
                base += drop;
            }
        }

        void close() throws IOException {
            source.close();
        }
    }

    /** The log-mel frames [startSample/hop, +melFrames) of the level-transformed input, with real context. */
    Spectrogram windowMel(InputBuffer in, InputLevel level, long startSample, int melFrames)
            throws IOException {
        long a = Math.max(0, startSample - melMargin);
        long b = startSample + (long) melFrames * hop + melMargin;
        float[] x = in.raw(a, b);
        float mean = level.mean();
        float gain = level.gain();
        long known = in.ended ? in.base + in.size : Long.MAX_VALUE;
        for (int i = 0; i < x.length; i++) {
            // past the end the input is silence (as the whole-clip path zero-pads), not -mean
            float v = a + i < known ? (x[i] - mean) * gain : 0f;
            x[i] = Math.max(-1f, Math.min(1f, v));
        }
        Spectrogram m = melExtractor.logMel(x);
        int j0 = (int) ((startSample - a) / hop);
        float[] frames = Arrays.copyOfRange(m.toArray(), j0 * m.numBins(), (j0 + melFrames) * m.numBins());
        return new Spectrogram(melFrames, m.numBins(), frames);
    }

    // ------------------------------------------------------------------------------------------
    // stages
    // ------------------------------------------------------------------------------------------

    /** The output side shared by the stages: windows joined by crossfades into a queue. */
    private abstract class Stage implements SampleSource {
        final InputBuffer in;
        final InputLevel level;
        final Progress progress;
        private final long hint;
        private final FloatQueue out = new FloatQueue();
        private final UnaryOperator<float[]> unchunked;
        private float[] tail;
        private long emitted;
        private long total = -1;
        private int joined;
        private boolean done;
        private boolean closed;
        private boolean started;
        /** Windows created so far. */
        int created;
        /** True once the window reaching the end of the input was created. */
        boolean inputDone;

        Stage(SampleSource source, InputLevel level, Progress progress, UnaryOperator<float[]> unchunked) {
            this.in = new InputBuffer(source);
            this.level = level;
            this.progress = progress;
            this.hint = source.lengthHint();
            this.unchunked = unchunked;
        }

        @Override
        public int sampleRate() {
            return pipeline.sampleRate();
        }

        @Override
        public long lengthHint() {
            return total >= 0 ? total : hint;
        }

        @Override
        public int read(float[] buffer, int offset, int length) throws IOException {
            SampleSource.checkRead(buffer, offset, length);
            Check.state(!closed, "this long-audio stage is closed");
            if (length == 0) {
                return 0;
            }
            if (!started) {
                started = true;
                if (!in.has(plan.windowSamples())) {
                    // fits in one window: the unchunked whole-clip call
                    long n = in.length();
                    if (n == 0) {
                        throw new IllegalArgumentException("audio must not be empty: the input holds no samples");
                    }
                    float[] result = unchunked.apply(in.raw(0, n));
                    total = n;
                    inputDone = true;
                    emit(result, 0, result.length);
                    joined = 1;
                    progress.onWindow(1, emitted, hint);
                    done = true;
                }
            }
            while (out.available() == 0 && !done) {
                if (!advance()) {
                    done = true;
                }
            }
            if (out.available() == 0) {
                return -1;
            }
            return out.take(buffer, offset, length);
        }

        /** Does one unit of work; false when everything was joined. */
        abstract boolean advance() throws IOException;

        /**
         * Whether the next window is the last: no input sample at its end. Also records the
         * input's length then.
         */
        boolean nextIsLast() throws IOException {
            long end = plan.windowStart(created) + plan.windowSamples();
            boolean last = !in.has(end);
            if (last) {
                total = in.length();
                inputDone = true;
            }
            return last;
        }

        /** The mel of window {@code i}. */
        Spectrogram mel(int i) throws IOException {
            return windowMel(in, level, plan.windowStart(i), plan.windowFrames() * manifest.vae().downsample());
        }

        /** Releases the input before what window {@code i + 1} needs. */
        void releaseBefore(int nextWindow) {
            in.release(plan.windowStart(nextWindow) - melMargin);
        }

        /** Joins window {@code i}'s waveform (gain undone) into the output. */
        void join(int i, float[] wave, boolean last) {
            int ov = plan.overlapSamples();
            int st = plan.strideSamples();
            float[] w = Arrays.copyOf(wave, plan.windowSamples());
            if (i > 0) {
                for (int k = 0; k < ov; k++) {
                    float r = WindowPlan.ramp(k, ov);
                    w[k] = tail[k] * (1f - r) + w[k] * r;
                }
            }
            emit(w, 0, last ? w.length : st);
            tail = last ? null : Arrays.copyOfRange(w, st, st + ov);
            joined++;
            progress.onWindow(joined, emitted, hint);
        }

        private void emit(float[] x, int offset, int n) {
            long room = total >= 0 ? total - emitted : Long.MAX_VALUE;
            int m = (int) Math.min(n, room);
            if (m > 0) {
                out.put(x, offset, m);
                emitted += m;
            }
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                in.close();
            }
        }
    }

    /** VAE or vocoder round trip, window by window. */
    private final class ModelFreeStage extends Stage {
        private final LatentSampling sampling;
        private final long seed;

        ModelFreeStage(SampleSource source, InputLevel level, Progress progress, LatentSampling sampling, long seed,
                UnaryOperator<float[]> unchunked) {
            super(source, level, progress, unchunked);
            this.sampling = sampling;
            this.seed = seed;
        }

        @Override
        boolean advance() throws IOException {
            if (inputDone) {
                return false;
            }
            int i = created;
            boolean last = nextIsLast();
            Spectrogram mel = mel(i);
            created++;
            releaseBefore(i + 1);
            float[] wave = sampling == null ? pipeline.vocode(mel)
                    : pipeline.vaeWave(mel, sampling, TorchGenerator.matchingTorch(derivedSeed(seed, -1L - i)));
            join(i, AudioPreparation.undoGain(wave, level.gain(), plan.windowSamples()), last);
            return true;
        }
    }

    /** The MultiDiffusion wavefront over the windows (see the class description). */
    private final class DiffusionStage extends Stage {
        private final CancellationToken cancel;
        private final AudioToAudioRequest request;
        private final float[] binMask;
        private final int channels;
        private final int bins;
        private final float scaling;
        private Conditioning cond;
        private float[] timesteps;
        private Img2Img.Schedule schedule;
        private final Deque<Window> windows = new ArrayDeque<>();
        private Segment pendingShared;
        private int segmentsCreated;
        private int decoded;

        DiffusionStage(SampleSource source, InputLevel level, Progress progress, CancellationToken cancel,
                AudioToAudioRequest request, float[] binMask, UnaryOperator<float[]> unchunked) {
            super(source, level, progress, unchunked);
            this.cancel = cancel;
            this.request = request;
            this.binMask = binMask;
            this.channels = manifest.vae().latentChannels();
            this.bins = pipeline.latentBins();
            this.scaling = (float) manifest.vae().scalingFactor();
        }

        /** A latent range covered by the same windows, with its own scheduler and generator. */
        private final class Segment {
            final int start;
            final int frames;
            final int covering;
            final Scheduler scheduler;
            final TorchGenerator generator;
            float[] x0;
            float[] x;
            float[] acc;
            int encodedContributions;
            int evalContributions;
            int steps;

            Segment(int start, int end, int covering) {
                this.start = start;
                this.frames = end - start;
                this.covering = covering;
                this.scheduler = pipeline.scheduler(request.scheduler(), request.eta(), request.numInferenceSteps());
                scheduler.setTimesteps(request.numInferenceSteps());
                Img2Img.getTimesteps(scheduler, request.numInferenceSteps(), request.strength());
                this.generator = TorchGenerator.matchingTorch(derivedSeed(request.seed(), segmentsCreated++));
                this.x0 = new float[channels * frames * bins];
            }

            boolean started() {
                return x != null;
            }

            /** All windows encoded: scale, noise to the first timestep, re-inject for step 0. */
            void start() {
                for (int k = 0; k < x0.length; k++) {
                    x0[k] *= scaling;
                }
                float[] noise = generator.randn(x0.length);
                x = scheduler.addNoise(x0, noise, schedule.latentTimesteps(1));
                acc = new float[x0.length];
                if (binMask == null) {
                    x0 = null;
                } else {
                    reinject();
                }
            }

            /** Masked re-injection of the original, noised to the timestep of the next step. */
            void reinject() {
                if (binMask == null || steps >= timesteps.length) {
                    return;
                }
                float[] noised = scheduler.addNoise(x0, generator.randn(x0.length), new float[] {timesteps[steps]});
                float[] mixed = new float[x.length];
                for (int k = 0; k < x.length; k++) {
                    float m = binMask[k % bins];
                    mixed[k] = noised[k] * m + (1f - m) * x[k];
                }
                x = mixed;
            }

            /** One window's prediction is in; steps when all covering windows' are. */
            void contributed(float t) {
                if (++evalContributions < covering) {
                    return;
                }
                // a fresh accumulator: multistep schedulers keep the model outputs they were given
                x = scheduler.step(acc, t, x, generator).prevSample();
                acc = new float[x.length];
                evalContributions = 0;
                steps++;
                reinject();
            }
        }

        private final class Window {
            final int index;
            final int start;
            final boolean last;
            final List<Segment> segments = new ArrayList<>();
            final float[] weights;
            int evals;

            Window(int index, boolean last) {
                this.index = index;
                this.start = index * plan.strideFrames();
                this.last = last;
                int w = plan.windowFrames();
                int o = plan.overlapFrames();
                int s = plan.strideFrames();
                weights = new float[w];
                for (int f = 0; f < w; f++) {
                    float v = 1f;
                    if (index > 0 && f < o) {
                        v = WindowPlan.ramp(f, o);
                    } else if (!last && f >= s) {
                        v = 1f - WindowPlan.ramp(f - s, o);
                    }
                    weights[f] = v;
                }
                if (index > 0) {
                    segments.add(pendingShared);
                }
                int exclusiveStart = start + (index > 0 ? o : 0);
                int exclusiveEnd = last ? start + w : start + s;
                if (exclusiveEnd > exclusiveStart) {
                    segments.add(new Segment(exclusiveStart, exclusiveEnd, 1));
                }
                pendingShared = null;
                if (!last) {
                    pendingShared = new Segment(start + s, start + w, 2);
                    segments.add(pendingShared);
                }
            }

            boolean canEvaluate() {
                if (evals >= timesteps.length) {
                    return false;
                }
                for (Segment g : segments) {
                    if (!g.started() || g.steps != evals) {
                        return false;
                    }
                }
                return true;
            }

            boolean finished() {
                for (Segment g : segments) {
                    if (!g.started() || g.steps < timesteps.length) {
                        return false;
                    }
                }
                return true;
            }

            /** Adds weighted window values [C, W, bins] into each segment's array. */
            void scatter(float[] values, boolean intoX0) {
                int w = plan.windowFrames();
                for (Segment g : segments) {
                    float[] dst = intoX0 ? g.x0 : g.acc;
                    for (int c = 0; c < channels; c++) {
                        for (int f = 0; f < g.frames; f++) {
                            int wf = g.start + f - start;
                            float weight = weights[wf];
                            int src = (c * w + wf) * bins;
                            int d = (c * g.frames + f) * bins;
                            for (int b = 0; b < bins; b++) {
                                dst[d + b] += weight * values[src + b];
                            }
                        }
                    }
                }
            }

            /** The window's part of the joint latent, each segment scaled by its own scheduler (or raw). */
            float[] gather(float t, boolean scaled) {
                int w = plan.windowFrames();
                float[] out = new float[channels * w * bins];
                for (Segment g : segments) {
                    float[] x = scaled ? g.scheduler.scaleModelInput(g.x, t) : g.x;
                    for (int c = 0; c < channels; c++) {
                        System.arraycopy(x, c * g.frames * bins, out, (c * w + (g.start - start)) * bins,
                                g.frames * bins);
                    }
                }
                return out;
            }
        }

        private void prepare() {
            pipeline.warnTruncation(request, listener(progress));
            Scheduler s = pipeline.scheduler(request.scheduler(), request.eta(), request.numInferenceSteps());
            s.setTimesteps(request.numInferenceSteps());
            schedule = Img2Img.getTimesteps(s, request.numInferenceSteps(), request.strength());
            timesteps = schedule.timesteps();
            cond = pipeline.audioConditioning(request);
        }

        private long[] shape() {
            return new long[] {1, channels, plan.windowFrames(), bins};
        }

        @Override
        boolean advance() throws IOException {
            cancel.throwIfCancelled("before the next window of chunked diffusion");
            if (cond == null) {
                prepare();
            }
            // 1. the oldest window, once every segment has taken all steps: decode and join
            Window first = windows.peekFirst();
            if (first != null && first.finished()) {
                decode(windows.pollFirst());
                return true;
            }
            // 2. the oldest window that can take its next step
            for (Window w : windows) {
                if (w.canEvaluate()) {
                    evaluate(w);
                    return true;
                }
            }
            // 3. nothing can move: read and encode the next window
            if (!inputDone) {
                create();
                return true;
            }
            Check.state(windows.isEmpty(), "chunked diffusion cannot advance with " + windows.size()
                    + " windows alive (internal error)");
            return false;
        }

        private void create() throws IOException {
            int i = created;
            boolean last = nextIsLast();
            Spectrogram mel = mel(i);
            created++;
            releaseBefore(i + 1);
            Window w = new Window(i, last);
            windows.addLast(w);
            LatentDistribution post = pipeline.posterior(mel);
            float[] z = request.latentSampling() == LatentSampling.MODE ? post.mode()
                    : post.sample(TorchGenerator.matchingTorch(derivedSeed(request.seed(), -1L - i)));
            w.scatter(z, true);
            for (Segment g : w.segments) {
                if (++g.encodedContributions == g.covering) {
                    g.start();
                }
            }
        }

        private void evaluate(Window w) {
            float t = timesteps[w.evals];
            float[] in = w.gather(t, true);
            float[] eps = Denoiser.noisePredictionScaled(pipeline.models().unet(), in, t, shape(), cond,
                    request.guidanceScale());
            w.scatter(eps, false);
            w.evals++;
            for (Segment g : w.segments) {
                g.contributed(t);
            }
        }

        private void decode(Window w) {
            float[] latents = w.gather(0f, false);
            float[] wave = pipeline.decode(latents, shape(), plan.windowSamples()).get(0);
            join(w.index, AudioPreparation.undoGain(wave, level.gain(), plan.windowSamples()), w.last);
            decoded++;
        }
    }

    /** Joins a low-band and a high-band source with a crossover, block by block. */
    private final class CrossoverStage implements SampleSource {
        private final SampleSource lowSource;
        private final SampleSource highSource;
        private final InputBuffer low;
        private final InputBuffer high;
        private final Crossover crossover;
        private final int block;
        private final int margin;
        private final FloatQueue out = new FloatQueue();
        private long next;
        private boolean done;
        private boolean closed;

        CrossoverStage(SampleSource low, SampleSource high, Crossover crossover) {
            this.lowSource = low;
            this.highSource = high;
            this.low = new InputBuffer(low);
            this.high = new InputBuffer(high);
            this.crossover = crossover;
            // frames of the crossover's STFT sit at multiples of its hop (n_fft / 4) in every block,
            // and n_fft of context keeps the block edges out of every frame that touches the block
            this.margin = crossover.nFft();
            this.block = Math.max(1 << 16, 8 * crossover.nFft());
        }

        @Override
        public int sampleRate() {
            return pipeline.sampleRate();
        }

        @Override
        public long lengthHint() {
            return lowSource.lengthHint();
        }

        @Override
        public int read(float[] buffer, int offset, int length) throws IOException {
            SampleSource.checkRead(buffer, offset, length);
            Check.state(!closed, "this long-audio stage is closed");
            if (length == 0) {
                return 0;
            }
            while (out.available() == 0 && !done) {
                step();
            }
            return out.available() == 0 ? -1 : out.take(buffer, offset, length);
        }

        private void step() throws IOException {
            long a = next;
            long want = a + block + margin;
            boolean lowMore = low.has(want - 1);
            boolean highMore = high.has(want - 1);
            long end = want;
            if (!lowMore || !highMore) {
                if (lowMore != highMore || low.length() != high.length()) {
                    throw new IllegalStateException("the low and high bands must have the same length, got "
                            + (lowMore ? ">= " + want : low.length()) + " and " + (highMore ? ">= " + want : high.length()));
                }
                end = low.length();
            }
            if (end <= a) {
                done = true;
                return;
            }
            long s = Math.max(0, a - margin);
            float[] merged = crossover.merge(low.raw(s, end), high.raw(s, end));
            int n = (int) Math.min(block, end - a);
            out.put(merged, (int) (a - s), n);
            next = a + n;
            if (next >= end && end < want) {
                done = true;
            }
            low.release(next - margin);
            high.release(next - margin);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                try {
                    lowSource.close();
                } finally {
                    highSource.close();
                }
            }
        }
    }
}
