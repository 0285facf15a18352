package io.github.audioldm4j.io;

import io.github.audioldm4j.util.Check;

/**
 * Options for {@link AudioEncoder#encode(float[], int, java.nio.file.Path, EncodeOptions)}.
 *
 * @param format the file format
 * @param bitRate bit rate in bit/s for lossy formats, in [{@value #MIN_BIT_RATE},
 *     {@value #MAX_BIT_RATE}], or 0 for the format's default (MP3 192 kbit/s, Opus 128 kbit/s);
 *     must be 0 for lossless formats
 */
public record EncodeOptions(AudioFormat format, int bitRate) {
    /** Lowest accepted bit rate in bit/s. */
    public static final int MIN_BIT_RATE = 8_000;
    /** Highest accepted bit rate in bit/s. */
    public static final int MAX_BIT_RATE = 320_000;
    /** Default MP3 bit rate in bit/s. */
    public static final int DEFAULT_MP3_BIT_RATE = 192_000;
    /** Default Opus bit rate in bit/s. */
    public static final int DEFAULT_OPUS_BIT_RATE = 128_000;

    /** Validates the format and the bit rate; see the component descriptions. */
    public EncodeOptions {
        Check.notNull("format", format);
        if (bitRate != 0) {
            if (!format.isLossy()) {
                throw new IllegalArgumentException("bitRate must be 0 for lossless format " + format + ", got " + bitRate);
            }
            Check.inRange("bitRate", bitRate, MIN_BIT_RATE, MAX_BIT_RATE);
        }
    }

    /** The format at its default bit rate. */
    public static EncodeOptions of(AudioFormat format) {
        return new EncodeOptions(format, 0);
    }

    /** A copy with another bit rate (lossy formats only). */
    public EncodeOptions withBitRate(int bitsPerSecond) {
        return new EncodeOptions(format, bitsPerSecond);
    }

    /** The bit rate that will be used: the explicit one or the format's default (0 for lossless). */
    int effectiveBitRate() {
        if (bitRate != 0) {
            return bitRate;
        }
        return switch (format) {
            case MP3 -> DEFAULT_MP3_BIT_RATE;
            case OGG_OPUS -> DEFAULT_OPUS_BIT_RATE;
            default -> 0;
        };
    }
}
