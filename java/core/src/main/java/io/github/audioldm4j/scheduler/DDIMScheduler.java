package io.github.audioldm4j.scheduler;

import static io.github.audioldm4j.scheduler.SchedulerSupport.sqrt;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.util.Check;

/**
 * Denoising diffusion implicit models (DDIM, https://huggingface.co/papers/2010.02502), a port of
 * diffusers' {@code DDIMScheduler} (src/diffusers/schedulers/scheduling_ddim.py). This is the
 * scheduler AudioLDM2 ships with ({@link SchedulerConfig#audioLdm2()}).
 *
 * <p>Config fields (diffusers names) and their defaults when absent:
 * <ul>
 *   <li>{@code num_train_timesteps} = 1000</li>
 *   <li>{@code beta_start} = 0.0001, {@code beta_end} = 0.02, {@code beta_schedule} = "linear"
 *       (linear, scaled_linear, squaredcos_cap_v2), {@code trained_betas} = null</li>
 *   <li>{@code clip_sample} = true, {@code clip_sample_range} = 1.0</li>
 *   <li>{@code set_alpha_to_one} = true</li>
 *   <li>{@code steps_offset} = 0</li>
 *   <li>{@code prediction_type} = "epsilon" (epsilon, sample, v_prediction)</li>
 *   <li>{@code timestep_spacing} = "leading" (leading, trailing, linspace)</li>
 *   <li>{@code rescale_betas_zero_snr} = false</li>
 *   <li>{@code thresholding} = false: true is rejected (dynamic thresholding needs the batch layout,
 *       and diffusers documents it as unsuitable for latent diffusion)</li>
 * </ul>
 * The step keyword arguments of diffusers' {@code step} are properties here: {@link #setEta(double)}
 * (default 0, deterministic DDIM) and {@link #setUseClippedModelOutput(boolean)} (default false).
 * With {@code eta > 0} each step draws one {@code randn} of the latent's size from the
 * {@link NoiseSource} passed to {@link #step}, as diffusers draws {@code variance_noise} from the
 * generator.
 *
 * <p>Stateful and not thread-safe; one instance per generation.
 */
public final class DDIMScheduler implements Scheduler {
    private static final String NAME = "DDIMScheduler";

    private final SchedulerConfig config;
    private final int numTrainTimesteps;
    private final float[] betas;
    private final float[] alphas;
    private final float[] alphasCumprod;
    private final float finalAlphaCumprod;
    private final boolean clipSample;
    private final float clipSampleRange;
    private final int stepsOffset;
    private final String predictionType;
    private final String timestepSpacing;

    private double eta = 0.0;
    private boolean useClippedModelOutput = false;
    private int numInferenceSteps = 0;
    private long[] timesteps;

    /**
     * Builds the scheduler from a diffusers config (defaults in the class javadoc).
     *
     * @throws IllegalArgumentException naming the field and value for an invalid config
     * @throws UnsupportedOperationException for {@code thresholding=true}
     */
    public DDIMScheduler(SchedulerConfig config) {
        this.config = Check.notNull("config", config);
        this.numTrainTimesteps = SchedulerSupport.numTrainTimesteps(config);
        TrainSchedule s = TrainSchedule.fromConfig(config, numTrainTimesteps, TrainSchedule.ZeroSnr.RESCALE);
        this.betas = s.betas;
        this.alphas = s.alphas;
        this.alphasCumprod = s.alphasCumprod;
        // At every step in ddim, we are looking into the previous alphas_cumprod. For the final step,
        // set_alpha_to_one decides whether that is 1 or the "non-previous" alphas_cumprod[0].
        this.finalAlphaCumprod = config.getBoolean("set_alpha_to_one", true) ? 1f : alphasCumprod[0];
        this.clipSample = config.getBoolean("clip_sample", true);
        double range = config.getDouble("clip_sample_range", 1.0);
        if (!(range > 0) || !Double.isFinite(range)) {
            throw new IllegalArgumentException("scheduler config field clip_sample_range must be finite and > 0, got "
                    + range);
        }
        this.clipSampleRange = (float) range;
        this.stepsOffset = SchedulerSupport.stepsOffset(config);
        this.predictionType = config.getEnum("prediction_type", "epsilon", "epsilon", "sample", "v_prediction");
        this.timestepSpacing = config.getEnum("timestep_spacing", "leading", TimestepSpacing.NAMES);
        SchedulerSupport.rejectTrue(config, "thresholding", NAME,
                "dynamic thresholding is unsuitable for latent diffusion and needs the batch layout");
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    /**
     * Sets the DDIM eta (the {@code eta} argument of diffusers' {@code step}): 0 is deterministic
     * DDIM, 1 is DDPM-like ancestral sampling.
     *
     * @throws IllegalArgumentException if eta is negative or not finite
     */
    public void setEta(double eta) {
        this.eta = Check.nonNegative("eta", eta);
    }

    /** The current eta (default 0). */
    public double eta() {
        return eta;
    }

    /**
     * Sets diffusers' {@code use_clipped_model_output}: re-derive the noise prediction from the
     * (clipped) predicted x_0.
     */
    public void setUseClippedModelOutput(boolean useClippedModelOutput) {
        this.useClippedModelOutput = useClippedModelOutput;
    }

    /** float32 betas (a copy). */
    public float[] betas() {
        return betas.clone();
    }

    /** float32 alphas = 1 - betas (a copy). */
    public float[] alphas() {
        return alphas.clone();
    }

    /** float32 cumulative products of the alphas (a copy). */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** The alphas_cumprod used after the last step (1 with set_alpha_to_one, else alphas_cumprod[0]). */
    public float finalAlphaCumprod() {
        return finalAlphaCumprod;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        SchedulerSupport.checkNumInferenceSteps(numInferenceSteps, numTrainTimesteps);
        // "linspace", "leading", "trailing" corresponds to annotation of Table 2. of
        // https://huggingface.co/papers/2305.08891
        long[] ts = TimestepSpacing.ddim(timestepSpacing, numTrainTimesteps, numInferenceSteps, stepsOffset);
        SchedulerSupport.checkBelowNumTrain(ts, numTrainTimesteps, stepsOffset, numInferenceSteps);
        this.numInferenceSteps = numInferenceSteps;
        this.timesteps = ts;
    }

    @Override
    public float[] timesteps() {
        return SchedulerSupport.timesteps(NAME, timesteps);
    }

    @Override
    public int numInferenceSteps() {
        return numInferenceSteps;
    }

    /** Always 1.0 (standard deviation of the initial noise distribution). */
    @Override
    public float initNoiseSigma() {
        return 1.0f;
    }

    /** Returns a copy of {@code sample}: DDIM does not scale the model input. */
    @Override
    public float[] scaleModelInput(float[] sample, float timestep) {
        return Check.notNull("sample", sample).clone();
    }

    /**
     * The timestep a step from {@code timestep} lands on ({@code timestep - num_train_timesteps /
     * num_inference_steps}; negative for the last step, which lands on the final alpha).
     */
    public int previousTimestep(float timestep) {
        if (timesteps == null) {
            throw SchedulerSupport.timestepsNotSet(NAME, "previousTimestep");
        }
        int t = SchedulerSupport.trainTimestep("timestep", timestep, numTrainTimesteps);
        return t - numTrainTimesteps / numInferenceSteps;
    }

    /** alphas_cumprod at a training timestep, or the final alpha for a negative one (float32). */
    public float alphaCumprodAt(int timestep) {
        if (timestep >= numTrainTimesteps) {
            throw new IllegalArgumentException("timestep must be < num_train_timesteps " + numTrainTimesteps + ", got "
                    + timestep);
        }
        return timestep >= 0 ? alphasCumprod[timestep] : finalAlphaCumprod;
    }

    /**
     * sigma_t of the step from {@code timestep} with eta = 1 (formula (16): the DDPM posterior
     * standard deviation), in float32 as {@link #step} computes it; the step adds
     * {@code eta * sigma_t * noise}.
     */
    public float posteriorStd(float timestep) {
        int t = SchedulerSupport.trainTimestep("timestep", timestep, numTrainTimesteps);
        return sqrt(getVariance(t, previousTimestep(timestep)));
    }

    private float getVariance(int timestep, int prevTimestep) {
        float alphaProdT = alphasCumprod[timestep];
        float alphaProdTPrev = prevTimestep >= 0 ? alphasCumprod[prevTimestep] : finalAlphaCumprod;
        float betaProdT = 1f - alphaProdT;
        float betaProdTPrev = 1f - alphaProdTPrev;
        return (betaProdTPrev / betaProdT) * (1f - alphaProdT / alphaProdTPrev);
    }

    /**
     * One DDIM step (formulas (12) and (16) of the DDIM paper), returning x_{t-1} and the predicted
     * x_0. {@code noise} is required when eta &gt; 0 and unused otherwise.
     */
    @Override
    public StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise) {
        if (timesteps == null) {
            throw SchedulerSupport.timestepsNotSet(NAME, "step");
        }
        SchedulerSupport.checkStepArrays(modelOutput, sample);
        int t = SchedulerSupport.trainTimestep("timestep", timestep, numTrainTimesteps);
        if (eta > 0 && noise == null) {
            throw new IllegalArgumentException("noise must not be null when eta > 0, got eta=" + eta);
        }
        int n = sample.length;

        // 1. get previous step value (=t-1)
        int prevTimestep = t - numTrainTimesteps / numInferenceSteps;

        // 2. compute alphas, betas
        float alphaProdT = alphasCumprod[t];
        float alphaProdTPrev = prevTimestep >= 0 ? alphasCumprod[prevTimestep] : finalAlphaCumprod;
        float betaProdT = 1f - alphaProdT;
        float sqrtAlphaProdT = sqrt(alphaProdT);
        float sqrtBetaProdT = sqrt(betaProdT);

        // 3. compute predicted original sample from predicted noise also called
        // "predicted x_0" of formula (12) from https://huggingface.co/papers/2010.02502
        float[] predOriginalSample = new float[n];
        float[] predEpsilon = new float[n];
        switch (predictionType) {
            case "epsilon":
                for (int i = 0; i < n; i++) {
                    predOriginalSample[i] = (sample[i] - sqrtBetaProdT * modelOutput[i]) / sqrtAlphaProdT;
                    predEpsilon[i] = modelOutput[i];
                }
                break;
            case "sample":
                for (int i = 0; i < n; i++) {
                    predOriginalSample[i] = modelOutput[i];
                    predEpsilon[i] = (sample[i] - sqrtAlphaProdT * predOriginalSample[i]) / sqrtBetaProdT;
                }
                break;
            default: // v_prediction
                for (int i = 0; i < n; i++) {
                    predOriginalSample[i] = sqrtAlphaProdT * sample[i] - sqrtBetaProdT * modelOutput[i];
                    predEpsilon[i] = sqrtAlphaProdT * modelOutput[i] + sqrtBetaProdT * sample[i];
                }
                break;
        }

        // 4. Clip "predicted x_0"
        if (clipSample) {
            for (int i = 0; i < n; i++) {
                predOriginalSample[i] = Math.max(-clipSampleRange, Math.min(clipSampleRange, predOriginalSample[i]));
            }
        }

        // 5. compute variance: "sigma_t(eta)" -> see formula (16)
        // sigma_t = sqrt((1 - alpha_t-1)/(1 - alpha_t)) * sqrt(1 - alpha_t/alpha_t-1)
        float variance = getVariance(t, prevTimestep);
        float stdDevT = (float) eta * sqrt(variance);

        if (useClippedModelOutput) {
            // the pred_epsilon is always re-derived from the clipped x_0 in Glide
            for (int i = 0; i < n; i++) {
                predEpsilon[i] = (sample[i] - sqrtAlphaProdT * predOriginalSample[i]) / sqrtBetaProdT;
            }
        }

        // 6. compute "direction pointing to x_t" of formula (12)
        float directionCoeff = sqrt(1f - alphaProdTPrev - stdDevT * stdDevT);
        // 7. compute x_t without "random noise" of formula (12)
        float sqrtAlphaProdTPrev = sqrt(alphaProdTPrev);
        float[] prevSample = SchedulerSupport.lin(sqrtAlphaProdTPrev, predOriginalSample, directionCoeff, predEpsilon);

        if (eta > 0) {
            float[] varianceNoise = SchedulerSupport.draw(noise, n);
            for (int i = 0; i < n; i++) {
                prevSample[i] = prevSample[i] + stdDevT * varianceNoise[i];
            }
        }
        return new StepResult(prevSample, predOriginalSample);
    }

    /**
     * Forward diffusion {@code sqrt(alphas_cumprod[t]) * x_0 + sqrt(1 - alphas_cumprod[t]) * noise},
     * one training timestep (an integer in [0, num_train_timesteps - 1]) per batch element. Does not
     * need {@link #setTimesteps}.
     */
    @Override
    public float[] addNoise(float[] original, float[] noise, float[] timesteps) {
        return addNoiseDdpm(original, noise, timesteps, alphasCumprod, numTrainTimesteps);
    }

    /** DDPMScheduler.add_noise (copied into DDIM and PNDM), float32. */
    static float[] addNoiseDdpm(float[] original, float[] noise, float[] timesteps, float[] alphasCumprod,
            int numTrainTimesteps) {
        int slice = SchedulerSupport.checkAddNoise(original, noise, timesteps);
        float[] out = new float[original.length];
        for (int b = 0; b < timesteps.length; b++) {
            int t = SchedulerSupport.trainTimestep("timesteps[" + b + "]", timesteps[b], numTrainTimesteps);
            float sqrtAlphaProd = sqrt(alphasCumprod[t]);
            float sqrtOneMinusAlphaProd = sqrt(1f - alphasCumprod[t]);
            for (int i = b * slice; i < (b + 1) * slice; i++) {
                float a = sqrtAlphaProd * original[i];
                float c = sqrtOneMinusAlphaProd * noise[i];
                out[i] = a + c;
            }
        }
        return out;
    }

    /** 1: one model evaluation per timestep. */
    @Override
    public int order() {
        return 1;
    }
}
