package io.github.audioldm4j.report;

import io.github.audioldm4j.analysis.BandEnergies;
import io.github.audioldm4j.analysis.MetricSet;
import io.github.audioldm4j.analysis.Metrics;
import io.github.audioldm4j.analysis.SignalFeatures;
import io.github.audioldm4j.analysis.SpectralShape;
import io.github.audioldm4j.util.Check;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A comparison of processing stages against a reference waveform: for each stage its name, description, whether it
 * ran (with its waveform, elapsed time and {@link MetricSet} against the reference) or was skipped (with the reason),
 * written as JSON ({@link ReportJson}) and as a self-contained HTML page with audio players, a metrics table, a band
 * level chart and a spectrogram per stage ({@link ReportHtml}, {@link ReportWriter}).
 *
 * <p>Filling it: metrics are computed when a stage is added.
 * <pre>{@code
 * ComparisonReport report = ComparisonReport.builder(reference, 16000)
 *         .title("VAE round trip").inputDescription("speech.wav, 10 s")
 *         .cropToCommonLength(true)
 *         .addStage("vae", "VAE encode + decode, Griffin-Lim", vaeOut, 1.25)
 *         .skipStage("vocoder", "HiFi-GAN vocoder", "no vocoder in this bundle")
 *         .build();
 * Path html = report.write(Path.of("reports/vae"));
 * }</pre>
 *
 * <h2>JSON schema, version 1</h2>
 * Keys are fixed (a test pins them); objects keep this key order; numbers are JSON numbers except non-finite values
 * (SI-SDR of an exact match is {@code +Infinity}), which are the strings {@code "Infinity"}, {@code "-Infinity"} or
 * {@code "NaN"}; "null" marks a value that does not apply.
 * <pre>
 * {
 *   "schema_version": 1,
 *   "generator": "audioldm4j",
 *   "title": string,
 *   "input": {
 *     "description": string,
 *     "sample_rate": int (Hz),
 *     "num_samples": int,
 *     "duration_seconds": number,
 *     "audio_file": string (path of the reference WAV relative to the report directory)
 *   },
 *   "metric_info": { metric key: {"label": string, "unit": string, "better": "lower" | "higher" | "closer_to_zero"
 *                    | "closer_to_reference"} } (one entry per metric key below, in that order),
 *   "bands": [ {"label": string, "low_hz": number, "high_hz": number} ],
 *   "reference": {"band_levels_db": [number per band], "spectral_centroid_hz": number,
 *                 "spectral_rolloff_hz": number},
 *   "stages": [ {
 *     "index": int (1-based, in insertion order),
 *     "name": string, "description": string,
 *     "status": "ran" | "skipped",
 *     "skip_reason": string | null (null when ran),
 *     "elapsed_seconds": number | null (null when skipped),
 *     "num_samples": int | null (the stage output's length; null when skipped),
 *     "compared_samples": int | null (samples compared, after cropping; null when skipped),
 *     "audio_file": string | null (the stage WAV relative to the report directory; null when skipped),
 *     "metrics": null (when skipped) | {
 *       "lsd", "multi_resolution_stft", "log_mel_l1", "si_sdr_db", "spectral_convergence", "mcd_db": number,
 *       "high_frequency_loss_above_4k_db", "high_frequency_loss_above_8k_db": number | null (null when the sample
 *           rate has no band there),
 *       "spectral_centroid_hz", "spectral_rolloff_hz": number (of the stage output),
 *       "band_levels_db": [number per band] (stage output), "band_difference_db": [number per band] (stage minus
 *           reference)
 *     }
 *   } ]
 * }
 * </pre>
 * The reference's band levels and spectral shape are measured over the whole reference; a stage's metrics use the
 * compared (possibly cropped) samples. {@link ReportWriter#write} puts {@code report.json}, {@code report.html} and the
 * WAV files ({@code audio/00_reference.wav}, {@code audio/NN_<name>.wav}, 16-bit PCM) in one directory.
 *
 * <p>Immutable and thread-safe once built; the builder is not thread-safe.
 */
public final class ComparisonReport {
    /** Version of the JSON layout described above. */
    public static final int SCHEMA_VERSION = 1;
    /** The {@code "generator"} value. */
    public static final String GENERATOR = "audioldm4j";
    /** File names inside the report directory. */
    public static final String JSON_FILE = "report.json";
    /** HTML page file name. */
    public static final String HTML_FILE = "report.html";
    /** Sub-directory of the WAV files. */
    public static final String AUDIO_DIR = "audio";

    private final String title;
    private final String inputDescription;
    private final int sampleRate;
    private final float[] reference;
    private final BandEnergies referenceBands;
    private final SpectralShape referenceShape;
    private final List<Stage> stages;

    private ComparisonReport(Builder b) {
        this.title = b.title;
        this.inputDescription = b.inputDescription;
        this.sampleRate = b.sampleRate;
        this.reference = b.reference;
        this.referenceBands = BandEnergies.measure(reference, sampleRate);
        this.referenceShape = SpectralShape.measure(reference, sampleRate);
        this.stages = List.copyOf(b.stages);
    }

    /** Whether a stage produced output or was skipped. */
    public enum Status {
        /** The stage ran; its waveform and metrics are present. */
        RAN,
        /** The stage did not run (or failed); the reason is present. */
        SKIPPED;

        /** The JSON spelling: {@code "ran"} or {@code "skipped"}. */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One stage of the comparison.
     *
     * @param index           1-based position in the report
     * @param name            unique, not blank
     * @param description     free text, possibly empty
     * @param status          ran or skipped
     * @param skipReason      why it was skipped; null when it ran
     * @param waveform        the stage output as given (not cropped); null when skipped
     * @param comparedSamples samples compared with the reference (after cropping); 0 when skipped
     * @param metrics         metrics against the reference; null when skipped
     * @param elapsedSeconds  time the stage took; NaN when skipped
     */
    public record Stage(int index, String name, String description, Status status, String skipReason,
            float[] waveform, int comparedSamples, MetricSet metrics, double elapsedSeconds) {
        /** Validates the combination of fields. */
        public Stage {
            Check.positive("index", index);
            Check.notBlank("name", name);
            Check.notNull("description", description);
            Check.notNull("status", status);
            if (status == Status.RAN) {
                Check.notNull("waveform", waveform);
                Check.notNull("metrics", metrics);
                Check.nonNegative("elapsedSeconds", elapsedSeconds);
                Check.argument(skipReason == null, "skipReason must be null for a stage that ran, got \""
                        + skipReason + "\"");
            } else {
                Check.notBlank("skipReason", skipReason);
                Check.argument(waveform == null && metrics == null,
                        "waveform and metrics must be null for a skipped stage");
            }
        }

        /** Whether the stage ran. */
        public boolean ran() {
            return status == Status.RAN;
        }

        /** Length of the stage output in samples; 0 when skipped. */
        public int numSamples() {
            return waveform == null ? 0 : waveform.length;
        }

        /** The stage output without copying (never modified), or null. */
        float[] waveformView() {
            return waveform;
        }

        /** A copy of the stage output, or null when skipped. */
        @Override
        public float[] waveform() {
            return waveform == null ? null : waveform.clone();
        }

        /** The WAV file name used by {@link ReportWriter#write}, e.g. {@code "01_vae-decode.wav"}. */
        public String audioFileName() {
            return String.format(Locale.ROOT, "%02d_%s.wav", index, slug(name));
        }
    }

    /**
     * Starts a report.
     *
     * @param reference  the reference waveform: finite samples, at least {@link Metrics#minimumLength(int)}
     * @param sampleRate Hz of the reference and of every stage, {@code > 0}
     * @return a builder
     */
    public static Builder builder(float[] reference, int sampleRate) {
        return new Builder(reference, sampleRate);
    }

    /** Builder of a {@link ComparisonReport}; computes each stage's metrics as it is added. Not thread-safe. */
    public static final class Builder {
        private final float[] reference;
        private final int sampleRate;
        private String title = "audioldm4j comparison";
        private String inputDescription = "";
        private boolean crop;
        private final List<Stage> stages = new ArrayList<>();
        private final Set<String> names = new HashSet<>();

        private Builder(float[] reference, int sampleRate) {
            Check.positive("sampleRate", sampleRate);
            Check.waveform("reference", reference, Metrics.minimumLength(sampleRate));
            this.reference = reference.clone();
            this.sampleRate = sampleRate;
        }

        /**
         * @param title page title, not blank (default {@code "audioldm4j comparison"})
         * @return this builder
         */
        public Builder title(String title) {
            this.title = Check.notBlank("title", title);
            return this;
        }

        /**
         * @param description what the input is (file, duration, prompt, ...), not null
         * @return this builder
         */
        public Builder inputDescription(String description) {
            this.inputDescription = Check.notNull("inputDescription", description);
            return this;
        }

        /**
         * Whether stages of a different length than the reference are compared over the common length (both cut at
         * the end, see {@link Metrics#cropToCommonLength}) instead of rejected. Default false. Applies to stages added
         * afterwards.
         *
         * @param crop true to crop
         * @return this builder
         */
        public Builder cropToCommonLength(boolean crop) {
            this.crop = crop;
            return this;
        }

        /**
         * Adds a stage that ran and computes its metrics against the reference.
         *
         * @param name           unique, not blank
         * @param description    free text, not null
         * @param waveform       finite samples at the report's sample rate; as long as the reference unless cropping
         *                       is on (then the common length must still be at least
         *                       {@link Metrics#minimumLength(int)})
         * @param elapsedSeconds time the stage took, finite and {@code >= 0}
         * @return this builder
         */
        public Builder addStage(String name, String description, float[] waveform, double elapsedSeconds) {
            checkName(name);
            Check.notNull("description", description);
            Check.notEmpty("waveform", waveform);
            Check.allFinite("waveform", waveform);
            Check.nonNegative("elapsedSeconds", elapsedSeconds);
            float[] ref = reference;
            float[] cand = waveform;
            if (waveform.length != reference.length) {
                if (!crop) {
                    throw new IllegalArgumentException("stage \"" + name + "\" waveform.length must equal "
                            + "reference.length " + reference.length + " (or enable cropToCommonLength), got "
                            + waveform.length);
                }
                Metrics.AlignedPair pair = Metrics.cropToCommonLength(reference, waveform);
                int min = Metrics.minimumLength(sampleRate);
                if (pair.length() < min) {
                    throw new IllegalArgumentException("stage \"" + name + "\" common length must be >= " + min
                            + " samples, got " + pair.length());
                }
                ref = pair.reference();
                cand = pair.candidate();
            }
            MetricSet metrics = MetricSet.compute(ref, cand, sampleRate);
            stages.add(new Stage(stages.size() + 1, name, description, Status.RAN, null, waveform.clone(),
                    cand.length, metrics, elapsedSeconds));
            names.add(name);
            return this;
        }

        /**
         * Records a stage that did not run.
         *
         * @param name   unique, not blank
         * @param reason why it was skipped, not blank
         * @return this builder
         */
        public Builder skipStage(String name, String reason) {
            return skipStage(name, "", reason);
        }

        /**
         * Records a stage that did not run.
         *
         * @param name        unique, not blank
         * @param description free text, not null
         * @param reason      why it was skipped (or how it failed), not blank
         * @return this builder
         */
        public Builder skipStage(String name, String description, String reason) {
            checkName(name);
            Check.notNull("description", description);
            Check.notBlank("reason", reason);
            stages.add(new Stage(stages.size() + 1, name, description, Status.SKIPPED, reason, null, 0, null,
                    Double.NaN));
            names.add(name);
            return this;
        }

        private void checkName(String name) {
            Check.notBlank("name", name);
            if (names.contains(name)) {
                throw new IllegalArgumentException("name must be unique among stages, got duplicate \"" + name
                        + "\"");
            }
        }

        /** The report (reference band levels and spectral shape are measured here). */
        /**
         * Appends text to the description of the stage added last (for a value known only after the
         * stage, such as a CLAP score of its output).
         *
         * @throws IllegalStateException if no stage was added yet
         */
        public Builder appendToLastDescription(String text) {
            Check.notNull("text", text);
            Check.state(!stages.isEmpty(), "no stage to annotate yet");
            Stage s = stages.remove(stages.size() - 1);
            stages.add(new Stage(s.index(), s.name(), s.description() + text, s.status(), s.skipReason(), s.waveform(),
                    s.comparedSamples(), s.metrics(), s.elapsedSeconds()));
            return this;
        }

        public ComparisonReport build() {
            return new ComparisonReport(this);
        }
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** Page title. */
    public String title() {
        return title;
    }

    /** Description of the input. */
    public String inputDescription() {
        return inputDescription;
    }

    /** Sample rate in Hz. */
    public int sampleRate() {
        return sampleRate;
    }

    /** A copy of the reference waveform. */
    public float[] reference() {
        return reference.clone();
    }

    /** Reference length in samples. */
    public int referenceLength() {
        return reference.length;
    }

    /** Band levels of the whole reference. */
    public BandEnergies referenceBands() {
        return referenceBands;
    }

    /** Spectral centroid/roll-off of the whole reference. */
    public SpectralShape referenceShape() {
        return referenceShape;
    }

    /** The reference's band levels and spectral shape together (what reference-relative metrics compare with). */
    public SignalFeatures referenceFeatures() {
        return new SignalFeatures(referenceBands, referenceShape);
    }

    /** The stages in insertion order. */
    public List<Stage> stages() {
        return stages;
    }

    /** The reference WAV's file name inside {@link #AUDIO_DIR}. */
    public static String referenceAudioFileName() {
        return "00_reference.wav";
    }

    /** Package access to the reference without copying. */
    float[] referenceView() {
        return reference;
    }

    /** Lower-case ASCII letters and digits joined by '-', at most 40 characters; "stage" when nothing is left. */
    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 40) {
            s = s.substring(0, 40).replaceAll("-+$", "");
        }
        return s.isEmpty() ? "stage" : s;
    }
}
