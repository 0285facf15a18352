package io.github.audioldm4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.audioldm4j.analysis.SeamMeter;
import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.dsp.Crossover;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.io.SampleInput;
import io.github.audioldm4j.io.SampleSource;
import io.github.audioldm4j.random.TorchGenerator;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.scheduler.Img2Img;
import io.github.audioldm4j.scheduler.Scheduler;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.testing.TinyBundle;
import io.github.audioldm4j.text.Conditioning;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chunked long-audio processing on the tiny bundle: short inputs equal the whole-clip calls, the
 * MultiDiffusion wavefront equals a plain step-major MultiDiffusion over the whole latent, reads
 * of any size give the same samples, seams are measured and bounded, bad input is refused first.
 */
class LongAudioTest {
    static ModelRuntime runtime;
    static AudioLdm2Pipeline pipeline;
    static Manifest manifest;
    /** Small windows so a few seconds make many windows: 0.64 s windows, 0.16 s overlap. */
    static WindowPlan small;

    @BeforeAll
    static void open() {
        runtime = ModelRuntimes.createDefault();
        pipeline = AudioLdm2Pipeline.open(ModelBundle.open(TinyBundle.dir()), runtime, ModuleOptions.CPU_FP32);
        manifest = pipeline.models().bundle().manifest();
        small = WindowPlan.seconds(0.64, 0.16, manifest);
    }

    @AfterAll
    static void close() {
        pipeline.close();
        runtime.close();
    }

    /** A tone sweep with a little noise, not periodic at the window stride. */
    static float[] signal(int samples, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[samples];
        double phase = 0;
        for (int i = 0; i < samples; i++) {
            double t = i / 16000.0;
            phase += 2 * Math.PI * (300 + 150 * Math.sin(2 * Math.PI * 0.37 * t)) / 16000.0;
            x[i] = (float) (0.35 * Math.sin(phase) + 0.15 * Math.sin(2 * Math.PI * 3100 * t) + 0.02 * r.nextGaussian());
        }
        return x;
    }

    static float[] readAll(SampleSource s, int block) throws IOException {
        try (s) {
            float[] out = new float[1 << 16];
            int size = 0;
            float[] buf = new float[block];
            for (int n; (n = s.read(buf, 0, block)) >= 0; ) {
                if (size + n > out.length) {
                    out = Arrays.copyOf(out, Math.max(out.length * 2, size + n));
                }
                System.arraycopy(buf, 0, out, size, n);
                size += n;
            }
            return Arrays.copyOf(out, size);
        }
    }

    static AudioToAudioRequest.Builder sdedit() {
        return AudioToAudioRequest.builder().prompt("a bird singing").numInferenceSteps(6).strength(0.5).seed(7);
    }

    @Test
    void inputThatFitsOneWindowGivesExactlyTheWholeClipResults() throws IOException {
        float[] x = signal(9000, 1);
        LongAudio la = new LongAudio(pipeline, WindowPlan.defaults(manifest));
        SampleInput in = SampleInput.of(x, 16000);
        assertArrayEquals(pipeline.vaeRoundTrip(x, LatentSampling.MODE, true, 3),
                readAll(la.vaeRoundTrip(in, LatentSampling.MODE, true, 3, LongAudio.Progress.NONE), 4096));
        assertArrayEquals(pipeline.vocoderRoundTrip(x, false),
                readAll(la.vocoderRoundTrip(in, false, LongAudio.Progress.NONE), 4096));
        AudioToAudioRequest r = sdedit().build();
        assertArrayEquals(pipeline.refine(x, r),
                readAll(la.refine(in, r, LongAudio.Progress.NONE, CancellationToken.none()), 4096));
    }

    @Test
    void chunkedReconstructionHasTheInputsLengthIsDeterministicAndIndependentOfReadSizes() throws IOException {
        float[] x = signal(16000 * 3 + 123, 2);
        LongAudio la = new LongAudio(pipeline, small);
        SampleInput in = SampleInput.of(x, 16000);
        List<int[]> windows = new ArrayList<>();
        float[] a = readAll(la.vaeRoundTrip(in, LatentSampling.MODE, true, 0,
                (w, s, h) -> windows.add(new int[] {w, (int) s, (int) h})), 65536);
        assertEquals(x.length, a.length);
        assertEquals(small.windowsFor(x.length), windows.size(), "one progress call per window");
        assertEquals(x.length, windows.get(windows.size() - 1)[1]);
        assertEquals(x.length, windows.get(0)[2], "the length hint of an array is exact");
        float[] b = readAll(la.vaeRoundTrip(in, LatentSampling.MODE, true, 0, LongAudio.Progress.NONE), 1);
        assertArrayEquals(a, b, "reads of 1 and 65536 samples");
        float[] s1 = readAll(la.vaeRoundTrip(in, LatentSampling.SAMPLE, true, 5, LongAudio.Progress.NONE), 997);
        float[] s2 = readAll(la.vaeRoundTrip(in, LatentSampling.SAMPLE, true, 5, LongAudio.Progress.NONE), 4096);
        assertArrayEquals(s1, s2, "posterior sampling is deterministic for a seed");
        assertTrue(TestMath.maxAbsDiff(a, s1) > 0, "sampling differs from the mode");
        float[] v = readAll(la.vocoderRoundTrip(in, false, LongAudio.Progress.NONE), 1000);
        assertEquals(x.length, v.length);
    }

    @Test
    void seamsOfTheChunkedVaeRoundTripAreMeasuredAndBounded() throws IOException {
        // 4 s: unchunked fits in memory; 10 windows of 0.64 s with 0.16 s overlaps
        float[] x = signal(64000, 3);
        float[] whole = pipeline.vaeRoundTrip(x, LatentSampling.MODE, true, 0);
        LongAudio la = new LongAudio(pipeline, small);
        float[] chunked = readAll(la.vaeRoundTrip(SampleInput.of(x, 16000), LatentSampling.MODE, true, 0,
                LongAudio.Progress.NONE), 8192);
        SeamMeter.Report vsWhole = SeamMeter.measure(whole, chunked, 16000, small.nearSeam(1024));
        SeamMeter.Report vsInput = SeamMeter.measure(x, chunked, 16000, small.nearSeam(1024));
        SeamMeter.Report wholeVsInput = SeamMeter.measure(x, whole, 16000, small.nearSeam(1024));
        System.out.println("[LongAudioTest] VAE round trip, 0.64 s windows / 0.16 s overlap: chunked vs unchunked "
                + vsWhole + "; chunked vs input " + vsInput + "; unchunked vs input " + wholeVsInput);
        assertTrue(vsWhole.framesNearSeams() > 10 && vsWhole.framesElsewhere() > 10, vsWhole.toString());
        // the chunked result stays close to the unchunked one: its difference is a fraction of the signal
        assertTrue(vsWhole.rmsDifferenceNearSeams() < 0.5 * vsWhole.rmsReferenceNearSeams(), vsWhole.toString());
        assertTrue(vsWhole.rmsDifferenceElsewhere() < 0.5 * vsWhole.rmsReferenceElsewhere(), vsWhole.toString());
        // and its seams are not worse against the input than the rest of it, beyond a margin
        assertTrue(vsInput.lsdNearSeams() < vsInput.lsdElsewhere() + 0.25, vsInput.toString());
        assertTrue(vsInput.maxBandLevelExcessDb() < 3.0, vsInput.toString());
    }

    @Test
    void theSeamMeterSeesAHardSeam() {
        // a signal with a 0.2 s gap of silence at every seam region reads as much worse near seams
        float[] x = signal(64000, 4);
        float[] broken = x.clone();
        var near = small.nearSeam(0);
        for (int i = 0; i < broken.length; i++) {
            if (near.test(i)) {
                broken[i] *= 0.1f;
            }
        }
        SeamMeter.Report r = SeamMeter.measure(x, broken, 16000, small.nearSeam(1024));
        assertTrue(r.lsdExcess() > 0.3, r.toString());
        assertTrue(r.maxBandLevelExcessDb() > 2, r.toString()); // frames reach past the attenuated samples
        SeamMeter.Report same = SeamMeter.measure(x, x, 16000, small.nearSeam(1024));
        assertEquals(0.0, same.rmsDifferenceNearSeams(), 0.0);
        assertTrue(Math.abs(same.lsdExcess()) < 1e-6, same.toString());
    }

    @Test
    void theWavefrontEqualsStepMajorMultiDiffusionOverTheWholeLatent() throws IOException {
        float[] x = signal(16000 * 2 + 777, 5);
        for (AudioToAudioRequest r : List.of(sdedit().build(),
                sdedit().scheduler(SchedulerConfig.audioLdm2().with("_class_name", "DPMSolverMultistepScheduler"))
                        .numInferenceSteps(5).strength(0.7).guidanceScale(1.0).build(),
                sdedit().scheduler(SchedulerConfig.audioLdm2().with("_class_name", "EulerAncestralDiscreteScheduler"))
                        .latentSampling(LatentSampling.SAMPLE).build())) {
            LongAudio la = new LongAudio(pipeline, small);
            float[] wavefront = readAll(la.refine(SampleInput.of(x, 16000), r, LongAudio.Progress.NONE,
                    CancellationToken.none()), 3000);
            float[] reference = stepMajor(la, x, r, null);
            assertArrayEquals(reference, wavefront, "scheduler " + (r.scheduler() == null ? "DDIM"
                    : r.scheduler().className()));
        }
        // guided: the bins below 2 kHz re-injected at every step
        AudioToAudioRequest g = sdedit().strength(1.0).build();
        LongAudio la = new LongAudio(pipeline, small);
        float[] wavefront = readAll(la.guidedReconstructBelow(SampleInput.of(x, 16000), g, 2000,
                LongAudio.Progress.NONE, CancellationToken.none()), 4096);
        float[] mask = LatentMask.keepBelowHz(1, pipeline.latentBins(), 2000, 64, 8000).values();
        assertArrayEquals(stepMajor(la, x, g, mask), wavefront, "guided");
    }

    /**
     * MultiDiffusion written the plain way, for the test: the whole latent in memory, every
     * timestep over all windows, then every segment stepped. Same segments, weights and seeds as
     * {@link LongAudio}; only the order of the work differs.
     */
    private static float[] stepMajor(LongAudio la, float[] x, AudioToAudioRequest r, float[] binMask)
            throws IOException {
        WindowPlan p = la.plan();
        int n = p.windowsFor(x.length);
        int wf = p.windowFrames();
        int s = p.strideFrames();
        int o = p.overlapFrames();
        int frames = (n - 1) * s + wf;
        int ch = manifest.vae().latentChannels();
        int bins = pipeline.latentBins();
        float sf = (float) manifest.vae().scalingFactor();
        InputLevel level = r.normalizeInput() ? InputLevel.measure(SampleInput.of(x, 16000)) : InputLevel.NONE;
        LongAudio.InputBuffer buf = new LongAudio.InputBuffer(SampleSource.of(x, 16000));
        buf.fill(Long.MAX_VALUE);
        float[][] weights = new float[n][wf];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < wf; f++) {
                weights[i][f] = i > 0 && f < o ? WindowPlan.ramp(f, o) : i < n - 1 && f >= s ? 1f - WindowPlan.ramp(f - s, o) : 1f;
            }
        }
        // segments in creation order: per window its exclusive part, then the part shared with the next
        List<int[]> segs = new ArrayList<>(); // {start, end}
        for (int i = 0; i < n; i++) {
            int start = i * s;
            int exclusiveStart = start + (i > 0 ? o : 0);
            int exclusiveEnd = i == n - 1 ? start + wf : start + s;
            if (exclusiveEnd > exclusiveStart) {
                segs.add(new int[] {exclusiveStart, exclusiveEnd});
            }
            if (i < n - 1) {
                segs.add(new int[] {start + s, start + wf});
            }
        }
        float[] x0 = new float[ch * frames * bins];
        for (int i = 0; i < n; i++) {
            Spectrogram mel = la.windowMel(buf, level, p.windowStart(i), wf * 4);
            float[] z = r.latentSampling() == LatentSampling.MODE ? pipeline.posterior(mel).mode()
                    : pipeline.posterior(mel).sample(TorchGenerator.matchingTorch(LongAudio.derivedSeed(r.seed(), -1L - i)));
            add(x0, frames, z, wf, i * s, weights[i], ch, bins);
        }
        int nseg = segs.size();
        Scheduler[] sched = new Scheduler[nseg];
        TorchGenerator[] gen = new TorchGenerator[nseg];
        float[][] xs = new float[nseg][];
        float[][] x0s = new float[nseg][];
        Img2Img.Schedule plan = null;
        for (int j = 0; j < nseg; j++) {
            sched[j] = pipeline.scheduler(r.scheduler(), r.eta(), r.numInferenceSteps());
            sched[j].setTimesteps(r.numInferenceSteps());
            plan = Img2Img.getTimesteps(sched[j], r.numInferenceSteps(), r.strength());
            gen[j] = TorchGenerator.matchingTorch(LongAudio.derivedSeed(r.seed(), j));
            x0s[j] = slice(x0, frames, segs.get(j), ch, bins);
            for (int k = 0; k < x0s[j].length; k++) {
                x0s[j][k] *= sf;
            }
            xs[j] = sched[j].addNoise(x0s[j], gen[j].randn(x0s[j].length), plan.latentTimesteps(1));
        }
        Conditioning cond = pipeline.audioConditioning(r);
        float[] ts = plan.timesteps();
        long[] shape = {1, ch, wf, bins};
        for (float t : ts) {
            if (binMask != null) {
                for (int j = 0; j < nseg; j++) {
                    float[] noised = sched[j].addNoise(x0s[j], gen[j].randn(x0s[j].length), new float[] {t});
                    for (int k = 0; k < xs[j].length; k++) {
                        float m = binMask[k % bins];
                        xs[j][k] = noised[k] * m + (1f - m) * xs[j][k];
                    }
                }
            }
            float[] acc = new float[ch * frames * bins];
            float[] scaled = new float[ch * frames * bins];
            for (int j = 0; j < nseg; j++) {
                put(scaled, frames, sched[j].scaleModelInput(xs[j], t), segs.get(j), ch, bins);
            }
            for (int i = 0; i < n; i++) {
                float[] in = slice(scaled, frames, new int[] {i * s, i * s + wf}, ch, bins);
                float[] eps = Denoiser.noisePredictionScaled(pipeline.models().unet(), in, t, shape, cond,
                        r.guidanceScale());
                add(acc, frames, eps, wf, i * s, weights[i], ch, bins);
            }
            for (int j = 0; j < nseg; j++) {
                xs[j] = sched[j].step(slice(acc, frames, segs.get(j), ch, bins), t, xs[j], gen[j]).prevSample();
            }
        }
        float[] latent = new float[ch * frames * bins];
        for (int j = 0; j < nseg; j++) {
            put(latent, frames, xs[j], segs.get(j), ch, bins);
        }
        float[] out = new float[(int) p.windowStart(n - 1) + p.windowSamples()];
        int ov = p.overlapSamples();
        for (int i = 0; i < n; i++) {
            float[] wave = pipeline.decode(slice(latent, frames, new int[] {i * s, i * s + wf}, ch, bins), shape,
                    p.windowSamples()).get(0);
            int base = (int) p.windowStart(i);
            for (int k = 0; k < wave.length; k++) {
                float v = wave[k] / level.gain();
                if (i > 0 && k < ov) {
                    float ramp = WindowPlan.ramp(k, ov);
                    out[base + k] = out[base + k] * (1f - ramp) + v * ramp;
                } else {
                    out[base + k] = v;
                }
            }
        }
        return Arrays.copyOf(out, x.length);
    }

    private static void add(float[] dst, int frames, float[] win, int wf, int start, float[] w, int ch, int bins) {
        for (int c = 0; c < ch; c++) {
            for (int f = 0; f < wf; f++) {
                for (int b = 0; b < bins; b++) {
                    dst[(c * frames + start + f) * bins + b] += w[f] * win[(c * wf + f) * bins + b];
                }
            }
        }
    }

    private static float[] slice(float[] src, int frames, int[] range, int ch, int bins) {
        int len = range[1] - range[0];
        float[] out = new float[ch * len * bins];
        for (int c = 0; c < ch; c++) {
            System.arraycopy(src, (c * frames + range[0]) * bins, out, c * len * bins, len * bins);
        }
        return out;
    }

    private static void put(float[] dst, int frames, float[] seg, int[] range, int ch, int bins) {
        int len = range[1] - range[0];
        for (int c = 0; c < ch; c++) {
            System.arraycopy(seg, c * len * bins, dst, (c * frames + range[0]) * bins, len * bins);
        }
    }

    @Test
    void bandSplitAndCascadeRunChunked() throws IOException {
        float[] x = signal(16000 * 2, 6);
        LongAudio la = new LongAudio(pipeline, small);
        SampleInput in = SampleInput.of(x, 16000);
        AudioToAudioRequest r = sdedit().build();
        float[] low = readAll(la.vaeRoundTrip(in, r.latentSampling(), true, r.seed(), LongAudio.Progress.NONE), 4096);
        float[] high = readAll(la.refine(in, r, LongAudio.Progress.NONE, CancellationToken.none()), 4096);
        float[] split = readAll(la.bandSplit(in, r, 3000, 500, LongAudio.Progress.NONE, CancellationToken.none()), 777);
        float[] merged = Crossover.merge(low, high, 16000, 3000, 500);
        assertEquals(x.length, split.length);
        assertTrue(TestMath.maxAbsDiff(merged, split) < 1e-5, "the block-wise crossover equals the whole-signal one: "
                + TestMath.maxAbsDiff(merged, split));
        float[] cascade = readAll(la.cascade(in, r, LongAudio.Progress.NONE, CancellationToken.none()), 4096);
        assertEquals(x.length, cascade.length);
        assertArrayEquals(cascade, readAll(la.cascade(in, r, LongAudio.Progress.NONE, CancellationToken.none()), 100));
    }

    @Test
    void badInputIsRefusedBeforeAnyModelWorkAndNamed() throws IOException {
        LongAudio la = new LongAudio(pipeline, small);
        float[] x = signal(20000, 7);
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class,
                () -> la.vaeRoundTrip(SampleInput.of(x, 22050), LatentSampling.MODE, true, 0, LongAudio.Progress.NONE));
        assertTrue(rate.getMessage().contains("input sample rate must be 16000") && rate.getMessage().contains("22050"),
                rate.getMessage());
        float[] nan = x.clone();
        nan[15000] = Float.NaN;
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> la.vaeRoundTrip(SampleInput.of(nan, 16000), LatentSampling.MODE, true, 0, LongAudio.Progress.NONE));
        assertTrue(bad.getMessage().contains("at sample 15000"), bad.getMessage());
        IllegalArgumentException nanRaw = assertThrows(IllegalArgumentException.class, () -> readAll(
                la.vocoderRoundTrip(SampleInput.of(nan, 16000), false, LongAudio.Progress.NONE), 4096));
        assertTrue(nanRaw.getMessage().contains("at sample 15000"), nanRaw.getMessage());
        IllegalArgumentException constant = assertThrows(IllegalArgumentException.class,
                () -> la.refine(SampleInput.of(new float[40000], 16000), sdedit().build(), LongAudio.Progress.NONE,
                        CancellationToken.none()));
        assertTrue(constant.getMessage().contains("must not be constant"), constant.getMessage());
        IllegalArgumentException strength = assertThrows(IllegalArgumentException.class,
                () -> la.refine(SampleInput.of(x, 16000), sdedit().strength(0.01).numInferenceSteps(5).build(),
                        LongAudio.Progress.NONE, CancellationToken.none()));
        assertTrue(strength.getMessage().toLowerCase(java.util.Locale.ROOT).contains("strength"), strength.getMessage());
        assertThrows(IllegalArgumentException.class, () -> la.bandSplit(SampleInput.of(x, 16000), sdedit().build(),
                7990, 500, LongAudio.Progress.NONE, CancellationToken.none()));
        IllegalArgumentException plan = assertThrows(IllegalArgumentException.class,
                () -> new LongAudio(pipeline, new WindowPlan(16, 4, 512)));
        assertTrue(plan.getMessage().contains("plan.samplesPerFrame must be 640"), plan.getMessage());
        assertThrows(NullPointerException.class, () -> la.refine(null, sdedit().build(), LongAudio.Progress.NONE,
                CancellationToken.none()));
        CancellationToken cancelled = CancellationToken.none();
        cancelled.cancel();
        assertThrows(PipelineCancelledException.class, () -> readAll(la.refine(SampleInput.of(x, 16000),
                sdedit().build(), LongAudio.Progress.NONE, cancelled), 4096));
    }

    @Test
    void windowPlansAreValidated() {
        assertEquals(256, WindowPlan.defaults(manifest).windowFrames());
        assertEquals(64, WindowPlan.defaults(manifest).overlapFrames());
        IllegalArgumentException o = assertThrows(IllegalArgumentException.class,
                () -> WindowPlan.seconds(10.24, 6.0, manifest));
        assertTrue(o.getMessage().contains("overlapSeconds must be in [0.040, 5.120] s") && o.getMessage().contains("6.0"),
                o.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                () -> WindowPlan.seconds(61, 1, manifest));
        assertTrue(w.getMessage().contains("windowSeconds"), w.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WindowPlan.seconds(0.04, 0.04, manifest));
        assertThrows(IllegalArgumentException.class, () -> new WindowPlan(10, 0, 640));
        assertThrows(IllegalArgumentException.class, () -> new WindowPlan(10, 6, 640));
        WindowPlan p = new WindowPlan(16, 4, 640);
        assertEquals(1, p.windowsFor(10240));
        assertEquals(2, p.windowsFor(10241));
        assertEquals(2, p.windowsFor(10240 + 12 * 640));
        assertEquals(3, p.windowsFor(10240 + 12 * 640 + 1));
        var near = p.nearSeam(0);
        assertTrue(!near.test(12 * 640 - 1) && near.test(12 * 640) && near.test(16 * 640 - 1) && !near.test(16 * 640));
        for (int k = 0; k < 7; k++) {
            assertEquals(1.0f, WindowPlan.ramp(k, 7) + (1f - WindowPlan.ramp(k, 7)), 0f);
            assertEquals(1.0, WindowPlan.ramp(k, 7) + WindowPlan.ramp(6 - k, 7), 1e-6, "symmetric ramps sum to 1");
        }
    }

    /** Small numeric helpers. */
    static final class TestMath {
        static double maxAbsDiff(float[] a, float[] b) {
            assertEquals(a.length, b.length);
            double m = 0;
            for (int i = 0; i < a.length; i++) {
                m = Math.max(m, Math.abs(a[i] - b[i]));
            }
            return m;
        }
    }
}
