package io.github.audioldm4j.io;

import io.github.audioldm4j.util.Check;
import java.io.IOException;

/**
 * Audio that can be read from the start more than once: a file (each {@link #open()} decodes it
 * again) or an array. Long-audio stages that need the whole input's level first (AudioLDM2's
 * peak normalisation) read it twice; everything else reads it once.
 */
public interface SampleInput {
    /** Starts a new read from the first sample. */
    SampleSource open() throws IOException;

    /** The rate every opened source delivers, in Hz. */
    int sampleRate();

    /** A short description for messages and reports (the file name, or "array of N samples"). */
    String description();

    /** An input over an array (not copied). */
    static SampleInput of(float[] samples, int sampleRate) {
        Check.notNull("samples", samples);
        Check.positive("sampleRate", sampleRate);
        return new SampleInput() {
            @Override
            public SampleSource open() {
                return SampleSource.of(samples, sampleRate);
            }

            @Override
            public int sampleRate() {
                return sampleRate;
            }

            @Override
            public String description() {
                return "array of " + samples.length + " samples at " + sampleRate + " Hz";
            }
        };
    }
}
