package io.github.audioldm4j.edit;

import io.github.audioldm4j.bundle.Manifest;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.AudioLength;
import io.github.audioldm4j.pipeline.AudioPreparation;
import io.github.audioldm4j.pipeline.CancellationToken;
import io.github.audioldm4j.pipeline.Denoiser;
import io.github.audioldm4j.pipeline.LatentSampling;
import io.github.audioldm4j.pipeline.ProgressListener;
import io.github.audioldm4j.pipeline.StepCallback;
import io.github.audioldm4j.random.TorchGenerator;
import io.github.audioldm4j.scheduler.DDIMScheduler;
import io.github.audioldm4j.scheduler.SchedulerConfig;
import io.github.audioldm4j.scheduler.Schedulers;
import io.github.audioldm4j.text.Conditioning;
import io.github.audioldm4j.util.Check;

/**
 * Reconstruction and text-based editing through diffusion on real audio: DDIM inversion, and
 * edit-friendly DDPM inversion with reconstruction and ZETA-style editing (see
 * {@link DdimInversion}, {@link DdpmInversion}). The schedule is DDIM on the bundle's scheduler
 * config (the class swapped to DDIM where the bundle names another), so inversion and sampling
 * use the same alphas.
 */
public final class AudioEditor {
    private final AudioLdm2Pipeline pipeline;
    private final Manifest manifest;

    public AudioEditor(AudioLdm2Pipeline pipeline) {
        this.pipeline = Check.notNull("pipeline", pipeline);
        this.manifest = pipeline.models().bundle().manifest();
    }

    /** DDIM inversion with the source prompt, then DDIM sampling (eta 0) from the inverted noise. */
    public float[] ddimReconstruct(float[] audio, EditRequest request, ProgressListener listener,
            CancellationToken cancel) {
        Prepared p = prepare(audio, request, listener);
        float[] noise = DdimInversion.invert(pipeline.models().unet(), p.scheduler, p.x0, p.shape, p.source,
                request.sourceGuidance(), listener, cancel);
        p.scheduler.setEta(0.0);
        Denoiser.Job job = new Denoiser.Job(pipeline.models().unet(), p.scheduler, p.scheduler.timesteps(), noise,
                p.shape, p.source, request.sourceGuidance(), TorchGenerator.matchingTorch(request.seed()), null);
        return finish(audio, p, Denoiser.run(job, StepCallback.NONE, listener, cancel));
    }

    /** Edit-friendly DDPM inversion with the source prompt, then sampling with its noise maps: the encoded latent comes back. */
    public float[] ddpmReconstruct(float[] audio, EditRequest request, ProgressListener listener,
            CancellationToken cancel) {
        Prepared p = prepare(audio, request, listener);
        DdpmInversion.Inverted inv = DdpmInversion.invert(pipeline.models().unet(), p.scheduler, p.x0, p.shape,
                p.source, request.sourceGuidance(), TorchGenerator.matchingTorch(request.seed()), listener, cancel);
        float[] z = DdpmInversion.regenerate(pipeline.models().unet(), p.scheduler, inv, 0, p.source,
                request.sourceGuidance(), listener, cancel);
        return finish(audio, p, z);
    }

    /**
     * ZETA-style editing: DDPM inversion with the source prompt, then sampling with the noise maps
     * under the target prompt from step {@link EditRequest#startIndex()}.
     *
     * @throws IllegalArgumentException if the request has no target prompt
     */
    public float[] edit(float[] audio, EditRequest request, ProgressListener listener, CancellationToken cancel) {
        Check.notNull("request", request);
        if (request.targetPrompt() == null) {
            throw new IllegalArgumentException("request.targetPrompt must be set for an edit (null reconstructs: "
                    + "use ddpmReconstruct)");
        }
        Prepared p = prepare(audio, request, listener);
        boolean guided = request.targetGuidance() > 1.0;
        Conditioning target = pipeline.conditioning(request.targetPrompt(), request.negativePrompt(), guided, listener);
        DdpmInversion.Inverted inv = DdpmInversion.invert(pipeline.models().unet(), p.scheduler, p.x0, p.shape,
                p.source, request.sourceGuidance(), TorchGenerator.matchingTorch(request.seed()), listener, cancel);
        float[] z = DdpmInversion.regenerate(pipeline.models().unet(), p.scheduler, inv, request.startIndex(), target,
                request.targetGuidance(), listener, cancel);
        return finish(audio, p, z);
    }

    /** The DDPM inversion alone (levels and noise maps), for callers that sample from it themselves. */
    public DdpmInversion.Inverted invert(float[] audio, EditRequest request, ProgressListener listener,
            CancellationToken cancel) {
        Prepared p = prepare(audio, request, listener);
        return DdpmInversion.invert(pipeline.models().unet(), p.scheduler, p.x0, p.shape, p.source,
                request.sourceGuidance(), TorchGenerator.matchingTorch(request.seed()), listener, cancel);
    }

    private record Prepared(DDIMScheduler scheduler, float[] x0, long[] shape, Conditioning source, float gain) {}

    /** Validates (before any model work), then encodes the audio and the source prompt. */
    private Prepared prepare(float[] audio, EditRequest request, ProgressListener listener) {
        Check.notNull("audio", audio);
        Check.notNull("request", request);
        Check.notNull("listener", listener);
        SchedulerConfig cfg = manifest.scheduler().with("_class_name", "DDIMScheduler");
        Schedulers.checkInferenceSteps("numInferenceSteps", cfg, request.numInferenceSteps());
        AudioLength.of(audio.length / (double) pipeline.sampleRate(), manifest); // length limits
        DDIMScheduler scheduler = (DDIMScheduler) Schedulers.create(cfg);
        scheduler.setTimesteps(request.numInferenceSteps());
        AudioLdm2Pipeline.EncodedAudio enc = pipeline.encode(audio, request.normalizeInput());
        float[] x0 = pipeline.scaledLatent(enc, LatentSampling.MODE, request.seed());
        boolean guided = request.sourceGuidance() > 1.0;
        Conditioning source = pipeline.conditioning(request.sourcePrompt(), request.negativePrompt(), guided, listener);
        return new Prepared(scheduler, x0, enc.posterior().shape(), source, enc.gain());
    }

    private float[] finish(float[] audio, Prepared p, float[] latents) {
        float[] wave = pipeline.decode(latents, p.shape, audio.length).get(0);
        return AudioPreparation.undoGain(wave, p.gain, audio.length);
    }
}
