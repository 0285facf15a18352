/**
 * Experiment recipes that run pipelines and collect a report:
 * {@link io.github.audioldm4j.study.ReconstructionStudy} (the eight-stage reconstruction study: where the loss of
 * VAE-only reconstruction comes from, and the hybrids).
 */
package io.github.audioldm4j.study;
