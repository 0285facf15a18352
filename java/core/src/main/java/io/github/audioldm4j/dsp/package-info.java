/**
 * Signal processing for AudioLDM2 on the JVM: STFT/iSTFT ({@link io.github.audioldm4j.dsp.Stft}), mel filter
 * banks ({@link io.github.audioldm4j.dsp.MelFilterBank}), the AudioLDM2 log-mel front end
 * ({@link io.github.audioldm4j.dsp.AudioLdm2MelExtractor}), the CLAP audio feature extractor
 * ({@link io.github.audioldm4j.dsp.ClapFeatureExtractor}), a model-free Griffin-Lim vocoder
 * ({@link io.github.audioldm4j.dsp.GriffinLim}, {@link io.github.audioldm4j.dsp.MelInverter},
 * {@link io.github.audioldm4j.dsp.GriffinLimVocoder}) and a linear-phase band-split crossover
 * ({@link io.github.audioldm4j.dsp.Crossover}).
 *
 * <p>Conventions: waveforms are mono {@code float[]} samples; spectrograms are time-major ({@code [frame][bin]}),
 * stored flat in {@link io.github.audioldm4j.dsp.Spectrogram} and {@link io.github.audioldm4j.dsp.ComplexSpectrogram}.
 * Arithmetic is done in float64 internally and rounded to float32 on output. FFTs come from JTransforms. All
 * classes are immutable and thread-safe unless their javadoc says otherwise.
 */
package io.github.audioldm4j.dsp;
