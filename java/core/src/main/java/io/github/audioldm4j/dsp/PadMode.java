package io.github.audioldm4j.dsp;

/** How a centred STFT pads the signal by {@code nFft/2} samples at both ends. */
public enum PadMode {
    /**
     * Mirror without repeating the edge sample ({@code torch.nn.functional.pad(mode="reflect")},
     * {@code numpy.pad(mode="reflect")}); requires the signal to be longer than the pad.
     */
    REFLECT,
    /** Zeros ({@code mode="constant"}). */
    CONSTANT
}
