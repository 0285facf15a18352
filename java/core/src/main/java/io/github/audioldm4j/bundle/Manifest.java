package io.github.audioldm4j.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.dsp.ClapFeatureExtractor;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import java.util.Map;

/**
 * The parsed, validated {@code manifest.json} of a model bundle (format version 1).
 *
 * @param formatVersion always {@value ModelBundle#FORMAT_VERSION}
 * @param modelId e.g. {@code cvssp/audioldm2}
 * @param sampleRate audio sample rate in Hz (16000 for AudioLDM2)
 * @param mel the log-mel front end the VAE was trained on
 * @param vae latent-space constants
 * @param scheduler the diffusers scheduler config, verbatim
 * @param defaults default generation parameters
 * @param tokenizers tokenizer limits and files
 * @param components TorchScript components by name, in manifest order
 * @param export free-form export provenance (tool, versions, date); may be null
 * @param clapFeatures the CLAP feature extractor of the checkpoint ({@code clap_features}: its
 *     {@code feature_extractor/preprocessor_config.json}); bundles without the field get cvssp/audioldm2's
 *     ({@link ClapFeatureExtractor.Config#audioLdm2()})
 */
public record Manifest(int formatVersion, String modelId, int sampleRate, MelConfig mel, VaeConfig vae,
        SchedulerConfig scheduler, Defaults defaults, Tokenizers tokenizers, Map<String, ComponentSpec> components,
        JsonNode export, ClapFeatureExtractor.Config clapFeatures) {

    /** Mel front end parameters ({@code mel} field). */
    public record MelConfig(int nFft, int hop, int win, int nMels, double fMin, double fMax, double logClamp) {}

    /** VAE constants ({@code vae} field). */
    public record VaeConfig(double scalingFactor, int downsample, int latentChannels, int melBins) {}

    /** Default generation parameters ({@code defaults} field). */
    public record Defaults(int numInferenceSteps, double guidanceScale, double audioLengthS, double eta,
            int maxNewTokens) {}

    /** Tokenizer limits and files ({@code tokenizers} field). */
    public record Tokenizers(int clapMaxLength, int t5MaxLength, TokenizerFile clap, TokenizerFile t5) {}

    /** One HF tokenizer.json file of the bundle. */
    public record TokenizerFile(String file, String sha256, long padId) {}
}
