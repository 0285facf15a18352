package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.util.Check;

/**
 * The audio-length arithmetic of diffusers' {@code AudioLDM2Pipeline.__call__}
 * (pipelines/audioldm2/pipeline_audioldm2.py, section 2 and {@code check_inputs}), reproduced
 * with IEEE double division and truncation exactly as Python does it:
 *
 * <pre>
 * vocoder_upsample_factor = hop / sample_rate                  # 160/16000 = 0.01 s per frame
 * height = int(audio_length_in_s / vocoder_upsample_factor)    # e.g. 0.29/0.01 = 28.999... -> 28
 * original_waveform_length = int(audio_length_in_s * sample_rate)
 * if height % vae_scale_factor != 0: height = ceil(height / vae_scale_factor) * vae_scale_factor
 * </pre>
 *
 * @param lengthSeconds the requested length
 * @param melFrames the spectrogram height (a multiple of the VAE factor)
 * @param latentFrames {@code melFrames / vae_scale_factor}
 * @param waveformSamples {@code int(length * sample_rate)}: the output is cropped to this
 */
public record AudioLength(double lengthSeconds, int melFrames, int latentFrames, int waveformSamples) {
    /** Longest length accepted (the models are trained on 10.24 s). */
    public static final double MAX_SECONDS = 60.0;

    /** Computes the lengths for a bundle's mel hop, sample rate and VAE factor. */
    public static AudioLength of(double lengthSeconds, Manifest manifest) {
        Check.notNull("manifest", manifest);
        return of(lengthSeconds, manifest.mel().hop(), manifest.sampleRate(), manifest.vae().downsample());
    }

    public static AudioLength of(double lengthSeconds, int hop, int sampleRate, int vaeScaleFactor) {
        double upsample = (double) hop / sampleRate;
        double min = upsample * vaeScaleFactor;
        if (!(lengthSeconds >= min && lengthSeconds <= MAX_SECONDS)) {
            throw new IllegalArgumentException("audioLengthS must be in [" + min + ", " + MAX_SECONDS
                    + "] seconds (at least vocoder_upsample_factor * vae_scale_factor), got " + lengthSeconds);
        }
        int height = (int) (lengthSeconds / upsample);
        int samples = (int) (lengthSeconds * sampleRate);
        if (height % vaeScaleFactor != 0) {
            height = (int) Math.ceil((double) height / vaeScaleFactor) * vaeScaleFactor;
        }
        return new AudioLength(lengthSeconds, height, height / vaeScaleFactor, samples);
    }
}
