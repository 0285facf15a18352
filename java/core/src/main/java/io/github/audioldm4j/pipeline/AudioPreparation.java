package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.util.Check;
import java.util.Arrays;

/**
 * Prepares input audio for the audio-in pipelines: validation, the length arithmetic, and the
 * log-mel the VAE and vocoder see, either through the original AudioLDM2 repository's
 * {@code wav_to_fbank} normalisation (audioldm2/utils.py: mean removal, peak 0.5) or as is.
 */
public final class AudioPreparation {
    private final Manifest manifest;
    private final AudioLdm2MelExtractor melExtractor = new AudioLdm2MelExtractor();

    public AudioPreparation(Manifest manifest) {
        this.manifest = Check.notNull("manifest", manifest);
    }

    /** The log-mel the models see, its frame arithmetic and the normalisation gain. */
    /**
     * @param mel the log-mel the models see, [frames, 64], frames a multiple of the VAE factor
     * @param length the length arithmetic for the input duration
     * @param gain the normalisation gain applied to the input (1 when not normalising); outputs are divided by it
     */
    public record PreparedMel(Spectrogram mel, AudioLength length, float gain) {}

    /**
     * Validates 16 kHz mono audio and computes its log-mel over {@code melFrames} frames (a
     * multiple of the VAE factor): through the original repository's {@code wav_to_fbank}
     * normalisation, or as is (zero-padded to the frame count).
     */
    public PreparedMel prepare(float[] audio, boolean normalize) {
        Check.notNull("audio", audio);
        Check.allFinite("audio", audio);
        int sr = manifest.sampleRate();
        int minSamples = Math.max((int) Math.ceil(0.04 * sr) + 1, 513);
        if (audio.length < minSamples) {
            throw new IllegalArgumentException("audio must have at least " + minSamples + " samples (~"
                    + minSamples * 1000 / sr + " ms at " + sr + " Hz), got " + audio.length);
        }
        AudioLength len = AudioLength.of(audio.length / (double) sr, manifest);
        if (normalize) {
            AudioLdm2MelExtractor.Fbank fb = melExtractor.wavToFbank(audio, len.melFrames());
            double mean = 0;
            for (float v : audio) {
                mean += v;
            }
            mean /= audio.length;
            double peakIn = 0;
            for (float v : audio) {
                peakIn = Math.max(peakIn, Math.abs(v - mean));
            }
            double peakOut = 0;
            for (float v : fb.waveform()) {
                peakOut = Math.max(peakOut, Math.abs(v));
            }
            return new PreparedMel(fb.fbank(), len, (float) (peakOut / peakIn));
        }
        float[] padded = Arrays.copyOf(audio, Math.max(audio.length, len.melFrames() * manifest.mel().hop()));
        Spectrogram full = melExtractor.logMel(padded);
        float[] data = Arrays.copyOf(full.toArray(), len.melFrames() * full.numBins());
        return new PreparedMel(new Spectrogram(len.melFrames(), full.numBins(), data), len, 1f);
    }

    /** Divides a model output by the input's gain and crops (or zero-pads) it to {@code samples}. */
    public static float[] undoGain(float[] wave, float gain, int samples) {
        float[] out = new float[samples];
        int n = Math.min(samples, wave.length);
        for (int i = 0; i < n; i++) {
            out[i] = wave[i] / gain;
        }
        return out;
    }
}
