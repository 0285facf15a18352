package io.github.audioldm4j.dsp;

import static io.github.audioldm4j.dsp.StftTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** AudioLDM2 and CLAP front ends: behaviour beyond the golden vectors, and input validation. */
class FrontEndValidationTest {
    private final AudioLdm2MelExtractor mel = new AudioLdm2MelExtractor();
    private final ClapFeatureExtractor clap = new ClapFeatureExtractor();

    static float[] tone(int n, double hz, int sr) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz * i / sr));
        }
        return x;
    }

    @Test
    void audioLdm2FrameCountsAndLayouts() {
        assertEquals(1025, mel.numFrames(163840)); // 10.24 s -> 1025 frames (cut to 1024 by wav_to_fbank)
        assertEquals(1024, AudioLdm2MelExtractor.targetLength(10.0)); // int(10 * 102.4)
        Spectrogram s = mel.logMel(tone(1600, 440, 16000));
        assertEquals(11, s.numFrames());
        float[][] tm = s.toTimeMajor();
        float[][] bm = s.toBinMajor();
        assertEquals(11, tm.length);
        assertEquals(64, tm[0].length);
        assertEquals(64, bm.length);
        assertEquals(tm[3][17], bm[17][3]);
        // parallel and serial extractors agree bit for bit
        float[] x = tone(48000, 1234.5, 16000);
        assertArrayEquals(new AudioLdm2MelExtractor(1).logMel(x).toArray(),
                new AudioLdm2MelExtractor(4).logMel(x).toArray());
    }

    @Test
    void wavToFbankPadsShortAndKeepsLongInputs() {
        float[] x = tone(4000, 300, 16000);
        AudioLdm2MelExtractor.Fbank padded = mel.wavToFbank(x, 50); // 8000 samples wanted
        assertEquals(8000, padded.waveform().length);
        assertEquals(50, padded.fbank().numFrames());
        float peak = 0;
        for (float v : padded.waveform()) {
            peak = Math.max(peak, Math.abs(v));
        }
        assertEquals(0.5f, peak, 1e-6f);
        AudioLdm2MelExtractor.Fbank longer = mel.wavToFbank(x, 10); // 1600 samples wanted, quirk keeps 4000
        assertEquals(4000, longer.waveform().length);
        assertEquals(10, longer.fbank().numFrames());
        // 4800 samples wanted: zero-padded audio from sample 4000, so frame 29 (samples 4128..5151, mirrored at
        // 4800) sees only zeros and sits on the log floor
        AudioLdm2MelExtractor.Fbank beyond = mel.wavToFbank(x, 30);
        assertEquals(4800, beyond.waveform().length);
        float loudest = -Float.MAX_VALUE;
        for (int m = 0; m < 64; m++) {
            assertEquals(AudioLdm2MelExtractor.LOG_FLOOR_VALUE, beyond.fbank().get(29, m));
            loudest = Math.max(loudest, beyond.fbank().get(10, m));
        }
        assertTrue(loudest > 0f, "loudest mel bin of frame 10: " + loudest);
    }

    @Test
    void audioLdm2InputValidation() {
        float[] loud = tone(2000, 100, 16000);
        loud[77] = 1.5f;
        assertMessage("waveform samples must be in [-1.0, 1.0], got 1.5 at index 77", () -> mel.logMel(loud));
        float[] nan = new float[2000];
        nan[5] = Float.NaN;
        assertMessage("waveform must contain only finite values, got NaN at index 5", () -> mel.logMel(nan));
        assertMessage("waveform.length must be > nFft/2 = 512 for reflect padding, got 512", () -> mel.logMel(new float[512]));
        assertMessage("waveform.length must be > nFft/2 = 512 for reflect padding, got 0", () -> mel.logMel(new float[0]));
        assertThrows(NullPointerException.class, () -> mel.logMel(null));
        assertMessage("waveform16k length must be > 100 samples (pad_wav), got 100", () -> mel.wavToFbank(new float[100], 10));
        assertMessage("targetLength must be > 0, got 0", () -> mel.wavToFbank(new float[1000], 0));
        float[] constant = new float[1000];
        Arrays.fill(constant, 0.25f);
        assertMessage("waveform16k must not be constant (normalisation divides by its peak), got all samples = 0.25",
                () -> mel.wavToFbank(constant, 10));
        float[] inf = tone(1000, 100, 16000);
        inf[999] = Float.POSITIVE_INFINITY;
        assertMessage("waveform16k must contain only finite values, got Infinity at index 999", () -> mel.wavToFbank(inf, 10));
        assertMessage("durationSeconds must be finite and > 0, got 0.0", () -> AudioLdm2MelExtractor.targetLength(0));
        assertMessage("targetLength must be > 0, got 0", () -> AudioLdm2MelExtractor.targetLength(0.005));
        assertMessage("parallelism must be > 0, got 0", () -> new AudioLdm2MelExtractor(0));
        assertMessage("sampleRate must be 16000 (AudioLDM2's rate; resample the audio first), got 44100",
                () -> mel.logMel(new float[2000], 44100));
        assertMessage("sampleRate must be 16000 (AudioLDM2's rate; resample the audio first), got 0",
                () -> mel.wavToFbank(new float[2000], 0, 10));
        float[] ok = tone(2000, 440, 16000);
        assertArrayEquals(mel.logMel(ok).toArray(), mel.logMel(ok, 16000).toArray());
    }

    @Test
    void clapRandomCropIsSeededAndMarksLongerInputs() {
        int sr = 48000;
        float[] x = new float[600000];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.1 * Math.sin(i * 0.01) * (1 + i / 300000.0) + 0.01 * r.nextDouble());
        }
        ClapFeatureExtractor.Features a = clap.extract(x, sr, new SplittableRandom(11));
        ClapFeatureExtractor.Features b = clap.extract(x, sr, new SplittableRandom(11));
        ClapFeatureExtractor.Features c = clap.extract(x, sr, new SplittableRandom(12));
        assertTrue(a.isLonger());
        assertArrayEquals(new long[] {1, 1001, 64}, a.shape());
        assertArrayEquals(a.inputFeatures(), b.inputFeatures());
        assertFalse(Arrays.equals(a.inputFeatures(), c.inputFeatures()));
        // the crop offset is random.nextInt(overflow + 1): equal to extracting that exact window
        int offset = new SplittableRandom(11).nextInt(600000 - 480000 + 1);
        float[] window = Arrays.copyOfRange(x, offset, offset + 480000);
        assertArrayEquals(a.inputFeatures(), clap.extract(window, sr, new SplittableRandom(99)).inputFeatures());
        assertEquals(1001, a.toSpectrogram().numFrames());
    }

    @Test
    void clapPaddingModes() {
        float[] x = tone(100000, 1000, 48000); // 480000 / 100000 = 4 copies + zeros
        ClapFeatureExtractor.Config base = ClapFeatureExtractor.Config.audioLdm2();
        float[] tiled = new float[480000];
        for (int i = 0; i < 400000; i++) {
            tiled[i] = x[i % 100000];
        }
        SplittableRandom rnd = new SplittableRandom(0);
        ClapFeatureExtractor.Features repeatpad = clap.extract(x, 48000, rnd);
        assertFalse(repeatpad.isLonger());
        assertArrayEquals(clap.extract(tiled, 48000, rnd).inputFeatures(), repeatpad.inputFeatures());

        ClapFeatureExtractor pad = new ClapFeatureExtractor(new ClapFeatureExtractor.Config(48000, 64, 1024, 480, 50,
                14000, 480000, ClapFeatureExtractor.Padding.PAD));
        float[] zeroPadded = Arrays.copyOf(x, 480000);
        assertArrayEquals(clap.extract(zeroPadded, 48000, rnd).inputFeatures(), pad.extract(x, 48000, rnd).inputFeatures());

        ClapFeatureExtractor repeat = new ClapFeatureExtractor(new ClapFeatureExtractor.Config(48000, 64, 1024, 480, 50,
                14000, 480000, ClapFeatureExtractor.Padding.REPEAT));
        float[] repeated = new float[480000];
        for (int i = 0; i < 480000; i++) {
            repeated[i] = x[i % 100000];
        }
        assertArrayEquals(clap.extract(repeated, 48000, rnd).inputFeatures(), repeat.extract(x, 48000, rnd).inputFeatures());
        assertEquals(ClapFeatureExtractor.Padding.REPEATPAD, base.padding());
    }

    @Test
    void clapInputValidation() {
        SplittableRandom rnd = new SplittableRandom(0);
        assertMessage("samplingRate must be 48000 (the rate this extractor was configured for), got 16000",
                () -> clap.extract(new float[1000], 16000, rnd));
        assertMessage("waveform must not be empty, got length 0", () -> clap.extract(new float[0], 48000, rnd));
        float[] nan = new float[10];
        nan[2] = Float.NaN;
        assertMessage("waveform must contain only finite values, got NaN at index 2", () -> clap.extract(nan, 48000, rnd));
        assertThrows(NullPointerException.class, () -> clap.extract(new float[10], 48000, null));
        assertMessage("fftWindowSize must be a power of two >= 2, got 1000", () -> new ClapFeatureExtractor.Config(48000, 64,
                1000, 480, 50, 14000, 480000, ClapFeatureExtractor.Padding.REPEATPAD));
        assertMessage("hopLength must be > 0, got 0", () -> new ClapFeatureExtractor.Config(48000, 64, 1024, 0, 50, 14000,
                480000, ClapFeatureExtractor.Padding.REPEATPAD));
        assertMessage("maxLengthSamples must be > fftWindowSize/2 = 512 (reflect padding), got 100",
                () -> new ClapFeatureExtractor.Config(48000, 64, 1024, 480, 50, 14000, 100,
                        ClapFeatureExtractor.Padding.REPEATPAD));
        assertMessage("fMax must be <= sampleRate/2 = 24000.0, got 30000.0", () -> new ClapFeatureExtractor(
                new ClapFeatureExtractor.Config(48000, 64, 1024, 480, 50, 30000, 480000,
                        ClapFeatureExtractor.Padding.REPEATPAD)));
        assertMessage("inputFeatures must have length 6, got 5", () -> new ClapFeatureExtractor.Features(new float[5], 2, 3, false));
    }
}
