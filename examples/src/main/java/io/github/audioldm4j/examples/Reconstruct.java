package io.github.audioldm4j.examples;

import io.github.audioldm4j.bundle.ModelBundle;
import io.github.audioldm4j.dsp.AudioLdm2MelExtractor;
import io.github.audioldm4j.dsp.GriffinLimVocoder;
import io.github.audioldm4j.io.AudioEncoder;
import io.github.audioldm4j.io.AudioInput;
import io.github.audioldm4j.pipeline.AudioLdm2Pipeline;
import io.github.audioldm4j.pipeline.AudioLength;
import io.github.audioldm4j.pipeline.LatentSampling;
import io.github.audioldm4j.runtime.ModelRuntime;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Audio reconstruction without diffusion: VAE round trip, vocoder only, or Griffin-Lim. */
public final class Reconstruct {
    static final String USAGE = "Usage: Reconstruct --input FILE [--bundle DIR] [options]\n"
            + "Reconstructs audio through AudioLDM2's front end without diffusion.\n"
            + "  --input FILE       any FFmpeg-readable audio file (decoded to 16 kHz mono)\n"
            + "  --mode M           vae (mel -> VAE encode/decode -> vocoder, default), vocoder (mel -> vocoder)\n"
            + "                     or griffinlim (mel -> Griffin-Lim, no model, no bundle needed)\n"
            + "  --bundle DIR       model bundle (required for vae and vocoder)\n"
            + "  --sampling S       mode (posterior mean, default) or sample (uses --seed)\n"
            + "  --seed N           seed for --sampling sample (default 0)\n"
            + "  --no-normalize     feed the audio as is instead of AudioLDM2's peak-0.5 normalisation\n"
            + "  --iterations N     Griffin-Lim iterations (default 64)\n"
            + "  --out PATH         output file (default reconstructed.wav)\n"
            + Runtimes.HELP
            + "  --help             this text\n";

    private Reconstruct() {}

    public static void main(String[] args) {
        ExampleMain.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return ExampleMain.guard(err, USAGE, () -> {
            Cli cli = new Cli(args, Set.of("input", "mode", "bundle", "sampling", "seed", "iterations", "out", "runtime",
                    "device", "dtype"), Set.of("help", "no-normalize"));
            if (cli.flag("help")) {
                out.print(USAGE);
                return 0;
            }
            Path input = cli.existingFile("input");
            String mode = cli.choice("mode", "vae", "vae", "vocoder", "griffinlim");
            LatentSampling sampling = cli.choice("sampling", "mode", "mode", "sample").equals("mode")
                    ? LatentSampling.MODE : LatentSampling.SAMPLE;
            boolean normalize = !cli.flag("no-normalize");
            Path outPath = cli.outputAudio("out", "reconstructed.wav");
            int iterations = cli.integer("iterations", 64);
            if (iterations < 1) {
                throw new Cli.UsageException("option --iterations must be >= 1, got " + iterations);
            }
            ModelBundle bundle = mode.equals("griffinlim") ? null : ModelBundle.open(cli.directory("bundle"));
            float[] audio;
            try {
                audio = AudioInput.decode(input, AudioLdm2MelExtractor.SAMPLE_RATE, AudioLength.MAX_SECONDS);
            } catch (IllegalArgumentException e) {
                throw new Cli.UsageException("option --input: " + e.getMessage());
            }
            long t0 = System.nanoTime();
            float[] result;
            if (mode.equals("griffinlim")) {
                AudioLdm2MelExtractor mel = new AudioLdm2MelExtractor();
                float[] clipped = clip(audio);
                result = GriffinLimVocoder.audioLdm2().iterations(iterations).build()
                        .vocode(mel.logMel(clipped), audio.length);
            } else {
                try (ModelRuntime runtime = Runtimes.runtime(cli);
                        AudioLdm2Pipeline p = AudioLdm2Pipeline.open(bundle, runtime, Runtimes.options(cli))) {
                    result = mode.equals("vae") ? p.vaeRoundTrip(audio, sampling, normalize, cli.longValue("seed", 0))
                            : p.vocoderRoundTrip(audio, normalize);
                }
            }
            if (outPath.toAbsolutePath().getParent() != null) {
                Files.createDirectories(outPath.toAbsolutePath().getParent());
            }
            AudioEncoder.encode(result, AudioLdm2MelExtractor.SAMPLE_RATE, outPath);
            out.printf(Locale.ROOT, "%s reconstruction of %s (%.2f s) in %.1f s%nwrote %s%n", mode, input,
                    audio.length / 16000.0, (System.nanoTime() - t0) / 1e9, outPath.toAbsolutePath());
            return 0;
        });
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
