/**
 * Comparison reports: the report model ({@link io.github.audioldm4j.report.ComparisonReport}: stages compared with a
 * reference, with their {@link io.github.audioldm4j.analysis.MetricSet}s) and, above it, its writers:
 * {@link io.github.audioldm4j.report.ReportJson} (a documented, versioned schema),
 * {@link io.github.audioldm4j.report.ReportHtml} (a self-contained page) and
 * {@link io.github.audioldm4j.report.ReportWriter} (the folder with JSON, HTML and WAV files). Rendering helpers:
 * {@link io.github.audioldm4j.report.SpectrogramImage} and {@link io.github.audioldm4j.report.BandEnergyChart}
 * (deterministic, headless PNGs with perceptual {@link io.github.audioldm4j.report.Colormap}s and a built-in pixel
 * font, no system fonts needed).
 */
package io.github.audioldm4j.report;
