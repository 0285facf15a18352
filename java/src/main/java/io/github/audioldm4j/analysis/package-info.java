/**
 * Reconstruction-quality analysis: metrics between a reference and a candidate waveform, plots and comparison
 * reports.
 *
 * <ul>
 *   <li>{@link io.github.audioldm4j.analysis.Metrics}: AudioSR/NVSR log-spectral distance, auraloss multi-resolution
 *       STFT distance and spectral convergence, SI-SDR, AudioLDM2 log-mel L1 and mel cepstral distortion, each with
 *       its formula and source; {@link io.github.audioldm4j.analysis.BandEnergies} (levels in 0-1, 1-2, 2-4, 4-8 kHz
 *       and above 8 kHz) and {@link io.github.audioldm4j.analysis.SpectralShape} (centroid, 85% roll-off);
 *       {@link io.github.audioldm4j.analysis.MetricSet} computes them all.
 *   <li>{@link io.github.audioldm4j.analysis.SpectrogramImage} and
 *       {@link io.github.audioldm4j.analysis.BandEnergyChart}: deterministic, headless PNG rendering with perceptual
 *       {@link io.github.audioldm4j.analysis.Colormap}s and a built-in pixel font (no system fonts needed).
 *   <li>{@link io.github.audioldm4j.analysis.ComparisonReport}: stages compared with a reference, written as JSON
 *       (a documented, versioned schema) and as a self-contained HTML page with audio
 *       ({@link io.github.audioldm4j.analysis.WavWriter}).
 * </ul>
 *
 * <p>Conventions: waveforms are mono {@code float[]} at a given sample rate; reference and candidate must be aligned
 * and equally long (an error names both lengths; {@link io.github.audioldm4j.analysis.Metrics#cropToCommonLength}
 * crops explicitly). Results never contain NaN; silence behaviour is documented per metric. All classes are
 * immutable and thread-safe unless their javadoc says otherwise.
 */
package io.github.audioldm4j.analysis;
