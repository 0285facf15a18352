package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.GriffinLimVocoder;
import io.github.audioldm4j.dsp.Spectrogram;
import io.github.audioldm4j.io.AudioInput;
import io.github.audioldm4j.io.AudioReader;
import io.github.audioldm4j.io.DecodeOptions;
import io.github.audioldm4j.io.SampleInput;
import io.github.audioldm4j.io.SampleSource;
import io.github.audioldm4j.pipeline.LongAudio;
import io.github.audioldm4j.pipeline.WindowPlan;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.AudioLength;
import io.github.audioldm4j.pipeline.LatentSampling;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModuleOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code audioldm4j reconstruct}: audio reconstruction without diffusion. */
@Command(name = "reconstruct", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Reconstructs audio through AudioLDM2's front end without diffusion.")
public final class Reconstruct extends ModelCommand implements Callable<Integer> {
    /** What the reconstruction goes through. */
    enum Mode { vae, vocoder, griffinlim }

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "any FFmpeg-readable audio file (decoded to 16 kHz mono; any length with --chunked)")
    Path input;
    @Option(names = "--mode", paramLabel = "M", defaultValue = "vae", description = "vae (mel -> VAE encode/decode -> "
            + "vocoder, default), vocoder (mel -> vocoder) or griffinlim (no model, no bundle needed)")
    Mode mode;
    @Option(names = "--bundle", paramLabel = "DIR", description = "model bundle (required for vae and vocoder)")
    Path bundleDir;
    @Option(names = "--sampling", paramLabel = "S", defaultValue = "mode",
            description = "mode (posterior mean, default) or sample (uses --seed)")
    String sampling;
    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "seed for --sampling sample")
    long seed;
    @Option(names = "--no-normalize", description = "feed the audio as is instead of AudioLDM2's peak-0.5 normalisation")
    boolean noNormalize;
    @Option(names = "--iterations", paramLabel = "N", defaultValue = "64", description = "Griffin-Lim iterations")
    int iterations;
    @Option(names = "--out", paramLabel = "PATH", defaultValue = "reconstructed.wav", description = "output file")
    Path outPath;
    @Option(names = "--npy-out", paramLabel = "DIR", description = "also write the exact float32 intermediates "
            + "(vae, vocoder; whole-clip inputs): input, mel [1,1,frames,64], posterior_mean/logvar, latent, "
            + "decoded_mel, waveform .npy and npy.json (gain, samples), e.g. for torchscript-models/upstream/parity.py")
    Path npyOut;
    @picocli.CommandLine.Mixin
    ChunkOptions chunk;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** {@code audioldm4j reconstruct ARGS}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Audioldm4j.run(out, err, Commands.prepend("reconstruct", args));
    }

    @Override
    public Integer call() throws Exception {
        CliChecks.existingFile(spec, "--input", input);
        CliChecks.outputAudio(spec, "--out", outPath);
        LatentSampling latentSampling = Refine.sampling(spec, sampling);
        if (iterations < 1) {
            throw CliChecks.usage(spec, "option --iterations must be >= 1, got " + iterations);
        }
        runtimeOptions.check();
        if (npyOut != null) {
            if (mode == Mode.griffinlim) {
                throw CliChecks.usage(spec, "option --npy-out: --mode griffinlim has no model intermediates "
                        + "(--npy-out is for --mode vae and vocoder)");
            }
            CliChecks.outputDirectory(spec, "--npy-out", npyOut);
        }
        boolean normalize = !noNormalize;
        ModelBundle bundle = null;
        if (mode != Mode.griffinlim) {
            if (bundleDir == null) {
                throw CliChecks.usage(spec, "option --bundle is required for --mode " + mode);
            }
            bundle = ModelBundle.open(CliChecks.directory(spec, "--bundle", bundleDir));
            WindowPlan plan = chunk.plan(spec, bundle.manifest());
            if (chunk.chunked(input)) {
                ChunkOptions.refuseNpyOut(spec, npyOut);
                long t0 = System.nanoTime();
                SampleInput in = AudioReader.input(input, DecodeOptions.of(AudioLdm2MelExtractor.SAMPLE_RATE));
                LongAudio.Progress progress = ChunkOptions.progress("reconstruct " + mode, top.err(), output.quiet);
                try (ModelRuntime runtime = runtimeOptions.runtime();
                        AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, runtimeOptions.options())) {
                    LongAudio la = new LongAudio(p, plan);
                    SampleSource result = mode == Mode.vae ? la.vaeRoundTrip(in, latentSampling, normalize, seed, progress)
                            : la.vocoderRoundTrip(in, normalize, progress);
                    chunk.write("reconstruct", mode.name(), input, result, outPath, plan, t0, output, top.out(),
                            top.err());
                }
                return 0;
            }
        } else if (chunk.when == ChunkOptions.When.always) {
            throw CliChecks.usage(spec, "option --chunked always: --mode griffinlim has no chunked form "
                    + "(inputs up to " + AudioLength.MAX_SECONDS + " s)");
        }
        float[] audio;
        try {
            audio = AudioInput.decode(input, AudioLdm2MelExtractor.SAMPLE_RATE, AudioLength.MAX_SECONDS);
        } catch (IllegalArgumentException e) {
            throw CliChecks.usage(spec, "option --input: " + e.getMessage());
        }
        long t0 = System.nanoTime();
        float[] result;
        java.util.List<String> npyFiles = null;
        if (mode == Mode.griffinlim) {
            AudioLdm2MelExtractor mel = new AudioLdm2MelExtractor();
            result = GriffinLimVocoder.audioLdm2().iterations(iterations).build().vocode(mel.logMel(clip(audio)),
                    audio.length);
        } else {
            ModuleOptions options = runtimeOptions.options();
            try (ModelRuntime runtime = runtimeOptions.runtime();
                    AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, options)) {
                if (npyOut == null) {
                    result = mode == Mode.vae ? p.vaeRoundTrip(audio, latentSampling, normalize, seed)
                            : p.vocoderRoundTrip(audio, normalize);
                } else {
                    NpyOut npy = NpyOut.open(npyOut).meta("command", "reconstruct").meta("mode", mode.name())
                            .meta("samples", audio.length).meta("sample_rate", AudioLdm2MelExtractor.SAMPLE_RATE)
                            .meta("normalize", normalize).put("input", audio, audio.length);
                    Spectrogram mel;
                    float gain;
                    if (mode == Mode.vae) {
                        AudioLdm2Pipeline.VaeRoundTrip t = p.vaeRoundTripTrace(audio, latentSampling, normalize, seed);
                        AudioLdm2Pipeline.EncodedAudio enc = t.encoded();
                        mel = enc.mel();
                        gain = enc.gain();
                        long[] shape = enc.posterior().shape();
                        npy.meta("sampling", latentSampling.name().toLowerCase(java.util.Locale.ROOT))
                                .meta("seed", seed)
                                .put("posterior_mean", enc.posterior().mode(), shape)
                                .put("posterior_logvar", enc.posterior().logvar(), shape)
                                .put("latent", t.latent(), shape).put("decoded_mel", t.decodedMel());
                        result = t.waveform();
                    } else {
                        AudioLdm2Pipeline.VocoderRoundTrip t = p.vocoderRoundTripTrace(audio, normalize);
                        mel = t.prepared().mel();
                        gain = t.prepared().gain();
                        result = t.waveform();
                    }
                    npy.meta("gain", gain).put("mel", mel.toArray(), 1, 1, mel.numFrames(), mel.numBins())
                            .put("waveform", result, result.length);
                    npyFiles = npy.finish();
                }
            }
        }
        AudioOut.write("reconstruct", mode.name(), input, result, AudioLdm2MelExtractor.SAMPLE_RATE, outPath,
                audio.length / 16000.0, (System.nanoTime() - t0) / 1e9, output, top.out(), "", npyFiles);
        return 0;
    }

    /** The mel front end requires [-1, 1]; decoded float audio can exceed it slightly. */
    static float[] clip(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(-1f, Math.min(1f, x[i]));
        }
        return y;
    }
}
