package io.github.audioldm4j.pipeline;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.Crossover;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.model.AudioLdm2Models;
import io.github.audioldm4j.model.LatentDistribution;
import io.github.audioldm4j.random.TorchGenerator;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.scheduler.Img2Img;
import io.github.audioldm4j.scheduler.Scheduler;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.scheduler.Schedulers;
import io.github.audioldm4j.text.Conditioning;
import io.github.audioldm4j.text.TextConditioner;
import io.github.audioldm4j.util.Check;
import io.github.audioldm4j.util.Closeables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AudioLDM2 text-to-audio and audio reconstruction on one bundle.
 *
 * <ul>
 *   <li>{@link #generate}: diffusers' {@code AudioLDM2Pipeline.__call__}.</li>
 *   <li>{@link #vaeRoundTrip}: audio → log-mel → VAE encode → decode → vocoder (no diffusion).</li>
 *   <li>{@link #vocoderRoundTrip}: audio → log-mel → vocoder (no VAE).</li>
 *   <li>{@link #refine}: SDEdit — encode, noise to {@code strength}, denoise with the prompt.</li>
 *   <li>{@link #guidedReconstruct}: diffusion that re-injects the noised original latent under a
 *       {@link LatentMask} before every step (AudioLDM2's inpainting / super-resolution sampler).</li>
 *   <li>{@link #inpaintTime}: guided reconstruction that regenerates a time range.</li>
 *   <li>{@link #bandSplit}: low band from the VAE round trip, high band from SDEdit.</li>
 *   <li>{@link #cascade}: VAE round trip, then low-strength refinement of its output.</li>
 * </ul>
 * All audio is mono float at the bundle's sample rate (16 kHz). Results are deterministic for a
 * seed. Not thread-safe: use one pipeline per thread.
 */
public final class AudioLdm2Pipeline implements AutoCloseable {
    private final AudioLdm2Models models;
    private final boolean ownsModels;
    private final Manifest manifest;
    private final AudioPreparation preparation;
    private TextConditioner text;

    /** Uses (does not own) already opened models. */
    public AudioLdm2Pipeline(AudioLdm2Models models) {
        this(models, false);
    }

    private AudioLdm2Pipeline(AudioLdm2Models models, boolean owns) {
        this.models = Check.notNull("models", models);
        this.ownsModels = owns;
        this.manifest = models.bundle().manifest();
        Manifest.MelConfig mel = manifest.mel();
        if (manifest.sampleRate() != AudioLdm2MelExtractor.SAMPLE_RATE || mel.nFft() != AudioLdm2MelExtractor.N_FFT
                || mel.hop() != AudioLdm2MelExtractor.HOP_LENGTH || mel.win() != AudioLdm2MelExtractor.WIN_LENGTH
                || mel.nMels() != AudioLdm2MelExtractor.N_MELS) {
            throw new IllegalArgumentException("bundle " + manifest.modelId() + " declares a mel front end " + mel
                    + " at " + manifest.sampleRate() + " Hz; this pipeline supports the AudioLDM2 front end "
                    + "(16000 Hz, n_fft 1024, hop 160, win 1024, 64 mels)");
        }
        this.preparation = new AudioPreparation(manifest);
    }

    /** Opens a pipeline that owns its models (closed with the pipeline). */
    public static AudioLdm2Pipeline open(ModelBundle bundle, ModelRuntime runtime, ModuleOptions options) {
        return new AudioLdm2Pipeline(AudioLdm2Models.open(bundle, runtime, options), true);
    }

    public AudioLdm2Models models() {
        return models;
    }

    public int sampleRate() {
        return manifest.sampleRate();
    }

    private TextConditioner text() {
        if (text == null) {
            text = new TextConditioner(models);
        }
        return text;
    }

    Scheduler scheduler(SchedulerConfig override, double eta, int steps) {
        SchedulerConfig cfg = override != null ? override : manifest.scheduler();
        Scheduler s = Schedulers.create(cfg, eta);
        Schedulers.checkInferenceSteps("numInferenceSteps", cfg, steps);
        return s;
    }

    // ------------------------------------------------------------------------------------------
    // text to audio
    // ------------------------------------------------------------------------------------------

    public GeneratedAudio generate(GenerationRequest request) {
        return generate(request, ProgressListener.NONE, CancellationToken.none());
    }

    /**
     * Text-to-audio, following the numbered sections of diffusers' {@code AudioLDM2Pipeline.__call__}.
     *
     * @throws IllegalArgumentException if {@code initialLatents} has the wrong length
     * @throws io.github.audioldm4j.bundle.BundleException if a needed component is missing
     * @throws PipelineCancelledException if cancelled between steps
     */
    public GeneratedAudio generate(GenerationRequest request, ProgressListener listener, CancellationToken cancel) {
        return generate(request, listener, cancel, StepCallback.NONE);
    }

    /**
     * Text-to-audio with a hook at the end of every denoising step (diffusers'
     * {@code callback_on_step_end}): it sees the step index, timestep and latents and may replace them.
     */
    public GeneratedAudio generate(GenerationRequest request, ProgressListener listener, CancellationToken cancel,
            StepCallback callback) {
        Check.notNull("request", request);
        Check.notNull("callback", callback);
        Check.notNull("listener", listener);
        Check.notNull("cancel", cancel);
        // 2. audio length -> spectrogram height
        AudioLength len = AudioLength.of(request.audioLengthS(), manifest);
        int b = request.prompts().size();
        int n = request.numWaveformsPerPrompt();
        long[] shape = latentShape(b * n, len.latentFrames());
        int numel = Math.toIntExact(shape[0] * shape[1] * shape[2] * shape[3]);
        float[] given = request.initialLatents();
        if (given != null && given.length != numel) {
            throw new IllegalArgumentException("initialLatents must have " + numel + " values for shape "
                    + Arrays.toString(shape) + ", got " + given.length);
        }
        // 4. prepare timesteps (before any model call, so a bad step count fails first)
        Scheduler scheduler = scheduler(request.scheduler(), request.eta(), request.numInferenceSteps());
        scheduler.setTimesteps(request.numInferenceSteps());
        // 3. encode input prompt
        warnTruncation(request.prompts(), request.guided() ? request.negativePrompts() : null, listener);
        cancel.throwIfCancelled("before text encoding");
        Conditioning cond = text().encode(request.prompts(), request.negativePrompts(), n, request.guided(),
                request.maxNewTokens());
        // 5. prepare latent variables: randn(shape, generator) * init_noise_sigma
        TorchGenerator generator = TorchGenerator.matchingTorch(request.seed());
        float[] latents = given != null ? given : generator.randn(shape);
        latents = scale(latents, scheduler.initNoiseSigma());
        // 7. denoising loop
        float[] out = Denoiser.run(new Denoiser.Job(models.unet(), scheduler, scheduler.timesteps(), latents, shape,
                cond, request.guidanceScale(), generator, null), callback, listener, cancel);
        // 8. post-processing: decode + vocode + crop
        cancel.throwIfCancelled("before decoding");
        List<float[]> waves = decode(out, shape, len.waveformSamples());
        // 9. automatic scoring
        float[] scores = null;
        if (n > 1 && request.rankWithClap() && models.bundle().has("clap_audio")) {
            ClapReranker.Ranked r = new ClapReranker(models, text(), sampleRate()).rank(request.prompts(), waves, n,
                    request.seed());
            waves = r.waveforms();
            scores = r.scores();
        }
        return new GeneratedAudio(waves, sampleRate(), request.seed(), out, shape, scores, len);
    }

    /**
     * The UNet conditioning of one prompt (and its negative), for tools that drive the denoising
     * loop themselves (inversion, editing). Prompt truncation is reported to {@code listener}.
     *
     * @param guided whether to build the negative half (guidance scale &gt; 1)
     */
    public Conditioning conditioning(String prompt, String negativePrompt, boolean guided, ProgressListener listener) {
        Check.notNull("prompt", prompt);
        Check.notNull("listener", listener);
        warnTruncation(List.of(prompt), guided && negativePrompt != null ? List.of(negativePrompt) : null, listener);
        return text().encode(List.of(prompt), negativePrompt == null ? null : List.of(negativePrompt), 1, guided,
                manifest.defaults().maxNewTokens());
    }

    /**
     * CLAP text-audio cosine similarity of a waveform at this pipeline's rate to a prompt (needs
     * the bundle's clap_audio), as the re-ranking computes it.
     */
    public float clapScore(String prompt, float[] waveform) {
        Check.notNull("prompt", prompt);
        Check.notEmpty("waveform", waveform);
        return new ClapReranker(models, text(), sampleRate()).rank(List.of(prompt), List.of(waveform), 1, 0)
                .scores()[0];
    }

    /**
     * The CLAP embeddings of waveforms at this pipeline's rate and of prompts (needs clap_audio
     * for audio), for corpus metrics (FAD, KAD, CLAP scores).
     */
    public ClapReranker clap() {
        return new ClapReranker(models, text(), sampleRate());
    }

    /** The scaled latent of audio ({@code posterior mode or sample * scaling_factor}), as img2img starts from. */
    public float[] scaledLatent(EncodedAudio enc, LatentSampling sampling, long seed) {
        Check.notNull("enc", enc);
        Check.notNull("sampling", sampling);
        return scale(latentsOf(enc, sampling, TorchGenerator.matchingTorch(seed)), (float) manifest.vae().scalingFactor());
    }

    private static final System.Logger LOG = System.getLogger("io.github.audioldm4j");

    /** Reports prompt truncation (tokenizing only) to the listener and the log, before any model runs. */
    private void warnTruncation(List<String> prompts, List<String> negatives, ProgressListener listener) {
        for (String w : text().truncationWarnings(prompts, negatives)) {
            LOG.log(System.Logger.Level.WARNING, w);
            listener.onWarning(w);
        }
    }

    /** The length arithmetic of {@code samples} of audio at this pipeline's rate. */
    private AudioLength lengthOf(int samples) {
        return AudioLength.of(samples / (double) sampleRate(), manifest);
    }

    /** Latent bins per frame: mel bins / the VAE's downsampling (16 for AudioLDM2). */
    int latentBins() {
        return manifest.vae().melBins() / manifest.vae().downsample();
    }

    private long[] latentShape(int batch, int latentFrames) {
        Manifest.VaeConfig vae = manifest.vae();
        return new long[] {batch, vae.latentChannels(), latentFrames, latentBins()};
    }

    private static float[] scale(float[] x, float s) {
        if (s == 1f) {
            return x;
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * s;
        }
        return out;
    }

    /** Decodes scaled latents [N,8,h,16] to N waveforms cropped to {@code samples}. */
    public List<float[]> decode(float[] scaledLatents, long[] shape, int samples) {
        Check.notNull("scaledLatents", scaledLatents);
        Check.notNull("shape", shape);
        Check.positive("samples", samples);
        float inv = (float) manifest.vae().scalingFactor();
        float[] z = new float[scaledLatents.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = scaledLatents[i] / inv; // latents = 1 / scaling_factor * latents
        }
        HostTensor mel = models.vaeDecoder().decode(HostTensor.ofFloats(z, shape));
        return vocodeBatch(mel, samples);
    }

    List<float[]> vocodeBatch(HostTensor mel4, int samples) {
        long[] s = mel4.shape(); // [N,1,T,64] -> [N,T,64]
        HostTensor mel3 = HostTensor.ofFloats(mel4.floats(), s[0], s[2], s[3]);
        HostTensor audio = models.vocoder().vocode(mel3);
        int total = (int) audio.dim(1);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < (int) s[0]; i++) {
            out.add(Arrays.copyOfRange(audio.floats(), i * total, i * total + Math.min(samples, total)));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // audio in
    // ------------------------------------------------------------------------------------------

    /**
     * An input waveform prepared for the VAE.
     *
     * @param mel the log-mel the VAE sees, [frames, 64], frames a multiple of the VAE factor
     * @param posterior the VAE posterior
     * @param length the length arithmetic for the input duration
     * @param gain the normalisation gain applied to the input (1 when not normalising); outputs
     *     are divided by it
     */
    public record EncodedAudio(Spectrogram mel, LatentDistribution posterior, AudioLength length, float gain) {}

    /** Log-mel + VAE posterior of 16 kHz mono audio. */
    public EncodedAudio encode(float[] audio, boolean normalize) {
        AudioPreparation.PreparedMel p = preparation.prepare(audio, normalize);
        HostTensor melT = HostTensor.ofFloats(p.mel().toArray(), 1, 1, p.mel().numFrames(), p.mel().numBins());
        LatentDistribution post = models.vaeEncoder().encode(melT);
        return new EncodedAudio(p.mel(), post, p.length(), p.gain());
    }

    private float[] latentsOf(EncodedAudio enc, LatentSampling sampling, TorchGenerator generator) {
        return sampling == LatentSampling.MODE ? enc.posterior().mode() : enc.posterior().sample(generator);
    }

    /**
     * VAE-only reconstruction: log-mel → VAE encode → (mode or sample) → decode → vocoder.
     * Output has the input's length and (with normalisation) level.
     */
    public float[] vaeRoundTrip(float[] audio, LatentSampling sampling, boolean normalize, long seed) {
        return vaeRoundTripTrace(audio, sampling, normalize, seed).waveform();
    }

    /**
     * Every intermediate of a {@link #vaeRoundTrip}, for analysis and for comparisons with other
     * implementations (the CLI's {@code reconstruct --npy-out}).
     *
     * @param encoded the log-mel, the VAE posterior and the input gain
     * @param latent the latent that was decoded (posterior mode or sample, unscaled), shaped as the posterior
     * @param decodedMel the VAE decoder's log-mel [1, 1, frames, 64]
     * @param waveform the vocoder's waveform cropped to the input length and divided by the gain
     */
    public record VaeRoundTrip(EncodedAudio encoded, float[] latent, HostTensor decodedMel, float[] waveform) {}

    /** {@link #vaeRoundTrip} with its intermediates. */
    public VaeRoundTrip vaeRoundTripTrace(float[] audio, LatentSampling sampling, boolean normalize, long seed) {
        Check.notNull("sampling", sampling);
        EncodedAudio enc = encode(audio, normalize);
        float[] z = latentsOf(enc, sampling, TorchGenerator.matchingTorch(seed));
        HostTensor mel = models.vaeDecoder().decode(HostTensor.ofFloats(z, enc.posterior().shape()));
        float[] wave = vocodeBatch(mel, audio.length).get(0);
        return new VaeRoundTrip(enc, z, mel, AudioPreparation.undoGain(wave, enc.gain(), audio.length));
    }

    /**
     * The VAE round trip of one window's log-mel [frames, 64]: encode, mode or sample, decode,
     * vocode; the waveform is cropped to {@code frames * hop} samples (gain not undone).
     */
    float[] vaeWave(Spectrogram mel, LatentSampling sampling, TorchGenerator generator) {
        HostTensor melT = HostTensor.ofFloats(mel.toArray(), 1, 1, mel.numFrames(), mel.numBins());
        LatentDistribution post = models.vaeEncoder().encode(melT);
        float[] z = sampling == LatentSampling.MODE ? post.mode() : post.sample(generator);
        HostTensor out = models.vaeDecoder().decode(HostTensor.ofFloats(z, post.shape()));
        return vocodeBatch(out, mel.numFrames() * manifest.mel().hop()).get(0);
    }

    /** The VAE posterior of one window's log-mel [frames, 64]. */
    LatentDistribution posterior(Spectrogram mel) {
        return models.vaeEncoder().encode(HostTensor.ofFloats(mel.toArray(), 1, 1, mel.numFrames(), mel.numBins()));
    }

    /** Vocoder-only reconstruction: log-mel → HiFi-GAN (isolates the vocoder's loss). */
    public float[] vocoderRoundTrip(float[] audio, boolean normalize) {
        return vocoderRoundTripTrace(audio, normalize).waveform();
    }

    /**
     * Every intermediate of a {@link #vocoderRoundTrip}.
     *
     * @param prepared the log-mel the vocoder saw and the input gain
     * @param waveform the vocoder's waveform cropped to the input length and divided by the gain
     */
    public record VocoderRoundTrip(AudioPreparation.PreparedMel prepared, float[] waveform) {}

    /** {@link #vocoderRoundTrip} with its intermediates. */
    public VocoderRoundTrip vocoderRoundTripTrace(float[] audio, boolean normalize) {
        AudioPreparation.PreparedMel p = preparation.prepare(audio, normalize);
        return new VocoderRoundTrip(p, AudioPreparation.undoGain(vocode(p.mel()), p.gain(), audio.length));
    }

    /** Runs the vocoder on a log-mel [frames, 64]; returns 160·frames + tail samples. */
    public float[] vocode(Spectrogram mel) {
        Check.notNull("mel", mel);
        HostTensor m = HostTensor.ofFloats(mel.toArray(), 1, mel.numFrames(), mel.numBins());
        return models.vocoder().vocode(m).floats();
    }

    /** SDEdit with the request's prompt and strength. */
    public float[] refine(float[] audio, AudioToAudioRequest request) {
        return refine(audio, request, ProgressListener.NONE, CancellationToken.none());
    }

    /**
     * SDEdit / partial denoising: encode, {@code add_noise} to the timestep that {@code strength}
     * selects ({@code get_timesteps} of diffusers' img2img pipelines), then denoise the rest of
     * the schedule conditioned on the prompt.
     */
    public float[] refine(float[] audio, AudioToAudioRequest request, ProgressListener listener,
            CancellationToken cancel) {
        return diffuseFromAudio(audio, request, null, listener, cancel);
    }

    /** {@link #refine} with a hook at the end of every denoising step (see {@link StepCallback}). */
    public float[] refine(float[] audio, AudioToAudioRequest request, ProgressListener listener,
            CancellationToken cancel, StepCallback callback) {
        Check.notNull("callback", callback);
        return diffuseFromAudio(audio, request, null, listener, cancel, callback);
    }

    /**
     * Guided reconstruction: like {@link #refine}, and before every step the cells where
     * {@code mask} is 1 are replaced by the original latent noised to the current timestep.
     * With strength 1 this is AudioLDM2's inpainting / super-resolution sampler.
     */
    public float[] guidedReconstruct(float[] audio, AudioToAudioRequest request, LatentMask mask,
            ProgressListener listener, CancellationToken cancel) {
        Check.notNull("mask", mask);
        return diffuseFromAudio(audio, request, mask, listener, cancel);
    }

    /**
     * Guided reconstruction that keeps the original below {@code cutoffHz} and regenerates the
     * latent bins above it ({@link LatentMask#keepBelowHz} on this bundle's mel layout).
     */
    public float[] guidedReconstructBelow(float[] audio, AudioToAudioRequest request, double cutoffHz,
            ProgressListener listener, CancellationToken cancel) {
        Check.notNull("audio", audio);
        Check.positive("cutoffHz", cutoffHz);
        AudioLength len = lengthOf(audio.length);
        LatentMask mask = LatentMask.keepBelowHz(len.latentFrames(), latentBins(),
                cutoffHz, manifest.mel().nMels(), manifest.mel().fMax());
        return diffuseFromAudio(audio, request, mask, listener, cancel);
    }

    /**
     * Multi-region inpainting: regenerates every region (time range x mel-band range) in one
     * guided run and keeps the rest.
     */
    public float[] inpaint(float[] audio, AudioToAudioRequest request, List<LatentMask.Region> regions,
            ProgressListener listener, CancellationToken cancel) {
        Check.notNull("audio", audio);
        AudioLength len = lengthOf(audio.length);
        LatentMask mask = LatentMask.regenerate(len.latentFrames(), latentBins(),
                manifest.mel().nMels(), regions);
        return diffuseFromAudio(audio, request, mask, listener, cancel);
    }

    /**
     * Continuation (outpainting): extends the audio by {@code extraSeconds} with the prompt; the
     * original part is re-injected at every step as in guided reconstruction, so the new part
     * continues it. The result is {@code audio.length + round(extraSeconds * rate)} samples long.
     */
    public float[] continueAudio(float[] audio, AudioToAudioRequest request, double extraSeconds,
            ProgressListener listener, CancellationToken cancel) {
        Check.notNull("audio", audio);
        Check.positive("extraSeconds", extraSeconds);
        int extra = (int) Math.round(extraSeconds * sampleRate());
        float[] padded = Arrays.copyOf(audio, audio.length + extra);
        AudioLength len = lengthOf(padded.length);
        int bins = latentBins();
        // keep the latent frames the original fully covers; regenerate from there to the end
        double keepFraction = Math.floor(audio.length / (double) padded.length * len.latentFrames())
                / len.latentFrames();
        LatentMask mask = keepFraction >= 1.0 ? LatentMask.keepAll(len.latentFrames(), bins)
                : LatentMask.regenerateTime(len.latentFrames(), bins, keepFraction, 1.0);
        return diffuseFromAudio(padded, request, mask, listener, cancel);
    }

    /** Regenerates the time range [startFraction, endFraction) and keeps the rest (AudioLDM2 default 0.4–0.6). */
    public float[] inpaintTime(float[] audio, AudioToAudioRequest request, double startFraction, double endFraction,
            ProgressListener listener, CancellationToken cancel) {
        Check.notNull("audio", audio);
        AudioLength len = lengthOf(audio.length);
        int bins = latentBins();
        LatentMask mask = LatentMask.regenerateTime(len.latentFrames(), bins, startFraction, endFraction);
        return diffuseFromAudio(audio, request, mask, listener, cancel);
    }

    /**
     * Band-split hybrid: the band below {@code cutoffHz} from the VAE round trip (faithful), the
     * band above from SDEdit refinement at the request's strength (sharper), joined by a
     * linear-phase STFT crossover with a raised-cosine transition of {@code transitionHz}.
     */
    public float[] bandSplit(float[] audio, AudioToAudioRequest request, double cutoffHz, double transitionHz,
            ProgressListener listener, CancellationToken cancel) {
        Check.notNull("request", request);
        Check.inRange("cutoffHz", cutoffHz, 1.0, sampleRate() / 2.0 - 1.0);
        Check.positive("transitionHz", transitionHz);
        // the crossover's own limits (cutoff +- transition/2 inside (0, Nyquist)) before any model work
        Crossover crossover = new Crossover(sampleRate(), cutoffHz, transitionHz);
        Check.notNull("audio", audio);
        Schedulers.checkInferenceSteps("numInferenceSteps", request.scheduler() != null ? request.scheduler()
                : manifest.scheduler(), request.numInferenceSteps());
        float[] low = vaeRoundTrip(audio, request.latentSampling(), request.normalizeInput(), request.seed());
        cancel.throwIfCancelled("after the VAE stage of the band split");
        float[] high = refine(audio, request, listener, cancel);
        return crossover.merge(low, high);
    }

    /** VAE round trip, then refinement of its output at the request's (typically low) strength. */
    public float[] cascade(float[] audio, AudioToAudioRequest request, ProgressListener listener,
            CancellationToken cancel) {
        Check.notNull("request", request);
        Check.notNull("audio", audio);
        Schedulers.checkInferenceSteps("numInferenceSteps", request.scheduler() != null ? request.scheduler()
                : manifest.scheduler(), request.numInferenceSteps());
        float[] vae = vaeRoundTrip(audio, request.latentSampling(), request.normalizeInput(), request.seed());
        cancel.throwIfCancelled("after the VAE stage of the cascade");
        return diffuseFromAudio(vae, request, null, listener, cancel);
    }

    private float[] diffuseFromAudio(float[] audio, AudioToAudioRequest request, LatentMask mask,
            ProgressListener listener, CancellationToken cancel) {
        return diffuseFromAudio(audio, request, mask, listener, cancel, StepCallback.NONE);
    }

    private float[] diffuseFromAudio(float[] audio, AudioToAudioRequest request, LatentMask mask,
            ProgressListener listener, CancellationToken cancel, StepCallback callback) {
        Check.notNull("request", request);
        Check.notNull("listener", listener);
        Check.notNull("cancel", cancel);
        Check.notNull("audio", audio);
        // everything that can be checked without a model first: schedule, strength, mask shape
        Scheduler scheduler = scheduler(request.scheduler(), request.eta(), request.numInferenceSteps());
        scheduler.setTimesteps(request.numInferenceSteps());
        Img2Img.Schedule plan = Img2Img.getTimesteps(scheduler, request.numInferenceSteps(), request.strength());
        if (mask != null) {
            AudioLength len = lengthOf(audio.length);
            int bins = latentBins();
            if (mask.frames() != len.latentFrames() || mask.bins() != bins) {
                throw new IllegalArgumentException("mask must be " + len.latentFrames() + " x " + bins
                        + " (latent frames x bins for this audio), got " + mask.frames() + " x " + mask.bins());
            }
        }
        warnTruncation(request, listener);
        TorchGenerator generator = TorchGenerator.matchingTorch(request.seed());
        EncodedAudio enc = encode(audio, request.normalizeInput());
        long[] shape = enc.posterior().shape();
        // prepare_latents: init_latents = latent_dist.{mode,sample}(generator) * scaling_factor
        float[] init = scale(latentsOf(enc, request.latentSampling(), generator),
                (float) manifest.vae().scalingFactor());
        cancel.throwIfCancelled("before text encoding");
        Conditioning cond = audioConditioning(request);
        // noise = randn_tensor(shape, generator); latents = scheduler.add_noise(init_latents, noise, latent_timestep)
        float[] noise = generator.randn(shape);
        float[] latents = scheduler.addNoise(init, noise, plan.latentTimesteps((int) shape[0]));
        Denoiser.Reinjection re = mask == null ? null : new Denoiser.Reinjection(init, mask);
        float[] out = Denoiser.run(new Denoiser.Job(models.unet(), scheduler, plan.timesteps(), latents, shape, cond,
                request.guidanceScale(), generator, re), callback, listener, cancel);
        cancel.throwIfCancelled("before decoding");
        float[] wave = decode(out, shape, audio.length).get(0);
        return AudioPreparation.undoGain(wave, enc.gain(), audio.length);
    }

    /** Reports the truncation of an audio-in request's prompts (tokenizing only). */
    void warnTruncation(AudioToAudioRequest request, ProgressListener listener) {
        warnTruncation(List.of(request.prompt()), request.guided() && request.negativePrompt() != null
                ? List.of(request.negativePrompt()) : null, listener);
    }

    /** The UNet conditioning of an audio-in request (one latent, 8 GPT-2 tokens, as diffusers' pipeline). */
    Conditioning audioConditioning(AudioToAudioRequest request) {
        return text().encode(List.of(request.prompt()),
                request.negativePrompt() == null ? null : List.of(request.negativePrompt()), 1, request.guided(), 8);
    }

    @Override
    public void close() {
        Closeables.closeAll(text, ownsModels ? models : null);
    }
}
