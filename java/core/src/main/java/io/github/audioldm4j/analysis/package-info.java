/**
 * Reconstruction-quality metrics between a reference and a candidate waveform: the science, no rendering.
 *
 * <ul>
 *   <li>{@link io.github.audioldm4j.analysis.Metrics}: AudioSR/NVSR log-spectral distance, auraloss multi-resolution
 *       STFT distance and spectral convergence, SI-SDR, AudioLDM2 log-mel L1 and mel cepstral distortion, each with
 *       its formula and source; {@link io.github.audioldm4j.analysis.BandEnergies} (levels in 0-1, 1-2, 2-4, 4-8 kHz
 *       and above 8 kHz) and {@link io.github.audioldm4j.analysis.SpectralShape} (centroid, 85% roll-off).
 *   <li>{@link io.github.audioldm4j.analysis.MetricRegistry}: every per-stage metric in one place (key, label, unit,
 *       direction, how to compute it); {@link io.github.audioldm4j.analysis.MetricSet} holds one candidate's values.
 * </ul>
 *
 * <p>Conventions: waveforms are mono {@code float[]} at a given sample rate; reference and candidate must be aligned
 * and equally long (an error names both lengths; {@link io.github.audioldm4j.analysis.Metrics#cropToCommonLength}
 * crops explicitly). Results never contain NaN; silence behaviour is documented per metric. All classes are
 * immutable and thread-safe unless their javadoc says otherwise.
 */
package io.github.audioldm4j.analysis;
