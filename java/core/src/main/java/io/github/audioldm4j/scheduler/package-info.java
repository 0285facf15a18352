/**
 * Diffusion noise schedulers ported from diffusers (src/diffusers/schedulers/scheduling_*.py), one
 * final class per algorithm, each built from a diffusers {@code scheduler_config.json}
 * ({@link io.github.audioldm4j.scheduler.SchedulerConfig}) and documenting its defaults:
 * {@link io.github.audioldm4j.scheduler.DDIMScheduler} (AudioLDM2's own),
 * {@link io.github.audioldm4j.scheduler.PNDMScheduler},
 * {@link io.github.audioldm4j.scheduler.DPMSolverMultistepScheduler},
 * {@link io.github.audioldm4j.scheduler.UniPCMultistepScheduler}, and the k-diffusion family
 * {@link io.github.audioldm4j.scheduler.EulerDiscreteScheduler},
 * {@link io.github.audioldm4j.scheduler.EulerAncestralDiscreteScheduler},
 * {@link io.github.audioldm4j.scheduler.LMSDiscreteScheduler} and
 * {@link io.github.audioldm4j.scheduler.HeunDiscreteScheduler}. The code diffusers copies between
 * these files ("# Copied from": the training beta schedule, timestep spacing, sigma tables and
 * conversions, index_for_timestep, add_noise) exists once here, in package-private helpers; each
 * class keeps its own step math.
 * {@link io.github.audioldm4j.scheduler.Schedulers#create} picks the class by {@code _class_name};
 * {@link io.github.audioldm4j.scheduler.Img2Img} gives the img2img / SDEdit partial schedule.
 *
 * <p>Numerics: the float32 arithmetic follows torch operation by operation (scalars rounded to
 * float32 before they meet a tensor, one rounding per op, cumprod accumulated in float64, the
 * vectorised {@code torch.linspace} kernel, numpy's float64 {@code linspace}/{@code arange} and
 * round-half-even for timesteps, {@code torch.linalg.solve}'s LU order, glibc's {@code expm1f}). On
 * the shared golden trajectories the results are bit-identical to diffusers on torch 1.13 / glibc
 * 2.36. {@code log} and {@code exp} are Java's correctly rounded ones; glibc's float versions differ
 * by one ulp on a small fraction of arguments, which can show up as ~1e-7 relative differences.
 *
 * <p>Schedulers are stateful and not thread-safe: use one instance per generation.
 */
package io.github.audioldm4j.scheduler;
