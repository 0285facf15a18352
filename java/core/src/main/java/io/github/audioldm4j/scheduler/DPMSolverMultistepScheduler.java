package io.github.audioldm4j.scheduler;

import static io.github.audioldm4j.scheduler.SchedulerSupport.exp;
import static io.github.audioldm4j.scheduler.SchedulerSupport.sqrt;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.util.Check;
import java.util.OptionalInt;

/**
 * DPM-Solver / DPM-Solver++ multistep (https://huggingface.co/papers/2206.00927,
 * https://huggingface.co/papers/2211.01095), a port of diffusers' {@code DPMSolverMultistepScheduler}
 * (src/diffusers/schedulers/scheduling_dpmsolver_multistep.py). The common "DPM++ 2M" sampler is
 * {@code algorithm_type="dpmsolver++", solver_order=2} (the defaults); "DPM++ 2M Karras" adds
 * {@code use_karras_sigmas=true}.
 *
 * <p>Config fields and defaults:
 * <ul>
 *   <li>{@code num_train_timesteps} = 1000, {@code beta_start} = 0.0001, {@code beta_end} = 0.02,
 *       {@code beta_schedule} = "linear" (linear, scaled_linear, squaredcos_cap_v2),
 *       {@code trained_betas} = null, {@code rescale_betas_zero_snr} = false</li>
 *   <li>{@code solver_order} = 2 (1, 2 or 3)</li>
 *   <li>{@code prediction_type} = "epsilon" (epsilon, sample, v_prediction)</li>
 *   <li>{@code algorithm_type} = "dpmsolver++" (dpmsolver++, dpmsolver, sde-dpmsolver++,
 *       sde-dpmsolver; "deis" is mapped to dpmsolver++ as diffusers does). The sde variants draw one
 *       {@code randn} of the latent's size per step from the {@link NoiseSource} given to
 *       {@link #step}.</li>
 *   <li>{@code solver_type} = "midpoint" (midpoint, heun; logrho/bh1/bh2 map to midpoint)</li>
 *   <li>{@code lower_order_final} = true, {@code euler_at_final} = false</li>
 *   <li>{@code use_karras_sigmas} = false, {@code use_exponential_sigmas} = false,
 *       {@code use_lu_lambdas} = false (at most one of karras/exponential/beta)</li>
 *   <li>{@code final_sigmas_type} = "zero" (zero, sigma_min; dpmsolver and sde-dpmsolver need
 *       sigma_min)</li>
 *   <li>{@code lambda_min_clipped} = -inf (may be the string "-inf")</li>
 *   <li>{@code timestep_spacing} = "linspace" (linspace, leading, trailing),
 *       {@code steps_offset} = 0</li>
 * </ul>
 * Rejected with {@link UnsupportedOperationException}: {@code thresholding=true},
 * {@code use_beta_sigmas=true} (needs scipy's beta ppf), {@code use_flow_sigmas=true},
 * {@code use_dynamic_shifting=true}, {@code prediction_type="flow_prediction"} and a non-null
 * {@code variance_type} (learned variance needs the channel layout).
 *
 * <p>{@link StepResult#predOriginalSample()} is the converted model output (the data prediction
 * x_0) for the dpmsolver++ variants and null for the noise-prediction variants.
 *
 * <p>Deviations from diffusers, both on misuse only: {@link #addNoise} before
 * {@link #setTimesteps} throws (diffusers pairs its default timesteps with the ascending training
 * sigmas there), and a timestep that is not in the schedule throws (diffusers silently uses the
 * last index).
 *
 * <p>Stateful and not thread-safe; one instance per generation.
 */
public final class DPMSolverMultistepScheduler implements Scheduler {
    private static final String NAME = "DPMSolverMultistepScheduler";

    private final SchedulerConfig config;
    private final int numTrainTimesteps;
    private final float[] betas;
    private final float[] alphas;
    private final float[] alphasCumprod;
    private final float[] alphaT;
    private final float[] sigmaT;
    private final float[] lambdaT;
    private final float[] trainSigmas;
    private final int solverOrder;
    private final String predictionType;
    private final String algorithmType;
    private final String solverType;
    private final boolean lowerOrderFinal;
    private final boolean eulerAtFinal;
    private final SigmaSchedules.Conversion conversion;
    private final boolean useLuLambdas;
    private final String finalSigmasType;
    private final double lambdaMinClipped;
    private final String timestepSpacing;
    private final int stepsOffset;
    private final boolean cosineSchedule;

    private int numInferenceSteps;
    private long[] timesteps;
    private float[] sigmas;
    private float[][] modelOutputs;
    private int lowerOrderNums;
    private int stepIndex = -1;
    private int beginIndex = -1;

    /**
     * Builds the scheduler from a diffusers config (defaults in the class javadoc).
     *
     * @throws IllegalArgumentException naming the field and value for an invalid config
     * @throws UnsupportedOperationException for options this port does not implement
     */
    public DPMSolverMultistepScheduler(SchedulerConfig config) {
        this.config = Check.notNull("config", config);
        this.numTrainTimesteps = SchedulerSupport.numTrainTimesteps(config);
        SchedulerSupport.rejectUnportedSolverOptions(config, NAME);
        SchedulerSupport.rejectNonNull(config, "variance_type", NAME, "learned variance needs the channel layout");
        this.conversion = SigmaSchedules.readSolverConversion(config);
        this.useLuLambdas = config.getBoolean("use_lu_lambdas", false);

        TrainSchedule s = TrainSchedule.fromConfig(config, numTrainTimesteps, TrainSchedule.ZeroSnr.RESCALE_AND_CLAMP);
        this.betas = s.betas;
        this.alphas = s.alphas;
        this.alphasCumprod = s.alphasCumprod;
        this.cosineSchedule = "squaredcos_cap_v2".equals(config.getString("beta_schedule", "linear"));

        // Currently we only support VP-type noise schedule
        SigmaSchedules.VpTables vp = SigmaSchedules.VpTables.of(alphasCumprod);
        this.alphaT = vp.alphaT();
        this.sigmaT = vp.sigmaT();
        this.lambdaT = vp.lambdaT();
        this.trainSigmas = SigmaSchedules.vpSigmas(alphasCumprod);
        this.sigmas = trainSigmas.clone();

        int order = config.getInt("solver_order", 2);
        if (order < 1 || order > 3) {
            throw new IllegalArgumentException("scheduler config field solver_order must be 1, 2 or 3, got " + order);
        }
        this.solverOrder = order;
        this.predictionType = config.getEnum("prediction_type", "epsilon", "epsilon", "sample", "v_prediction");
        String algo = config.getString("algorithm_type", "dpmsolver++");
        if (algo.equals("deis")) {
            algo = "dpmsolver++";
        }
        this.algorithmType = algo;
        if (!(algo.equals("dpmsolver") || algo.equals("dpmsolver++") || algo.equals("sde-dpmsolver")
                || algo.equals("sde-dpmsolver++"))) {
            throw new IllegalArgumentException("scheduler config field algorithm_type must be one of dpmsolver++, dpmsolver,"
                    + " sde-dpmsolver++, sde-dpmsolver, deis, got \"" + algo + "\"");
        }
        String st = config.getString("solver_type", "midpoint");
        if (st.equals("logrho") || st.equals("bh1") || st.equals("bh2")) {
            st = "midpoint";
        }
        if (!(st.equals("midpoint") || st.equals("heun"))) {
            throw new IllegalArgumentException("scheduler config field solver_type must be one of midpoint, heun,"
                    + " got \"" + st + "\"");
        }
        this.solverType = st;
        if (algo.equals("sde-dpmsolver") && order == 3) {
            throw new IllegalArgumentException("scheduler config field solver_order must be 1 or 2 with algorithm_type"
                    + " sde-dpmsolver (diffusers has no third-order update for it), got 3");
        }
        this.lowerOrderFinal = config.getBoolean("lower_order_final", true);
        this.eulerAtFinal = config.getBoolean("euler_at_final", false);
        this.finalSigmasType = config.getEnum("final_sigmas_type", "zero", "zero", "sigma_min");
        if (!(algo.equals("dpmsolver++") || algo.equals("sde-dpmsolver++")) && finalSigmasType.equals("zero")) {
            throw new IllegalArgumentException("scheduler config field final_sigmas_type \"zero\" is not supported for"
                    + " algorithm_type " + algo + ", use \"sigma_min\"");
        }
        this.lambdaMinClipped = config.getDouble("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        if (Double.isNaN(lambdaMinClipped)) {
            throw new IllegalArgumentException("scheduler config field lambda_min_clipped must be a number or -inf, got NaN");
        }
        this.timestepSpacing = config.getEnum("timestep_spacing", "linspace", TimestepSpacing.NAMES);
        this.stepsOffset = SchedulerSupport.stepsOffset(config);
        this.modelOutputs = new float[solverOrder][];
    }

    @Override
    public SchedulerConfig config() {
        return config;
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

    /** sqrt(alphas_cumprod) per training timestep (diffusers' {@code alpha_t}; a copy). */
    public float[] alphaT() {
        return alphaT.clone();
    }

    /** sqrt(1 - alphas_cumprod) per training timestep (diffusers' {@code sigma_t}; a copy). */
    public float[] sigmaT() {
        return sigmaT.clone();
    }

    /** log(alpha_t) - log(sigma_t) per training timestep (diffusers' {@code lambda_t}; a copy). */
    public float[] lambdaT() {
        return lambdaT.clone();
    }

    /**
     * The sigmas: before {@link #setTimesteps} the training sigmas (one per training timestep), after
     * it the inference sigmas (one per timestep plus the final sigma). A copy.
     */
    public float[] sigmas() {
        return sigmas.clone();
    }

    /** The begin index set by {@link #setBeginIndex} since the last {@link #setTimesteps}, if any. */
    public OptionalInt beginIndex() {
        return beginIndex < 0 ? OptionalInt.empty() : OptionalInt.of(beginIndex);
    }

    /** The index of the next step, or empty before the first step after {@link #setTimesteps}. */
    public OptionalInt stepIndex() {
        return stepIndex < 0 ? OptionalInt.empty() : OptionalInt.of(stepIndex);
    }

    /**
     * Sets the index of the first timestep to run (img2img / SDEdit: {@code t_start * order}). Reset
     * by {@link #setTimesteps}.
     */
    @Override
    public void setBeginIndex(int beginIndex) {
        this.beginIndex = Check.nonNegative("beginIndex", beginIndex);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        SchedulerSupport.checkNumInferenceSteps(numInferenceSteps, numTrainTimesteps);
        // Clipping the minimum of all lambda(t) for numerical stability.
        // This is critical for cosine (squaredcos_cap_v2) noise schedule.
        int clippedIdx = 0; // torch.searchsorted(torch.flip(lambda_t, [0]), lambda_min_clipped)
        while (clippedIdx < lambdaT.length && (double) lambdaT[lambdaT.length - 1 - clippedIdx] < lambdaMinClipped) {
            clippedIdx++;
        }
        int lastTimestep = numTrainTimesteps - clippedIdx;
        if (lastTimestep < 1) {
            throw new IllegalArgumentException("scheduler config field lambda_min_clipped=" + lambdaMinClipped
                    + " clips every training timestep");
        }
        long[] ts = TimestepSpacing.multistep(timestepSpacing, numTrainTimesteps, lastTimestep, numInferenceSteps,
                stepsOffset);

        float[] logSigmas = SigmaSchedules.logF32(trainSigmas);
        double[] sig;
        if (conversion != SigmaSchedules.Conversion.NONE || useLuLambdas) {
            if (conversion == SigmaSchedules.Conversion.KARRAS) {
                sig = SigmaSchedules.karras(trainSigmas[0], trainSigmas[trainSigmas.length - 1], numInferenceSteps);
            } else if (useLuLambdas) {
                double[] lambdas = SigmaSchedules.lu(logSigmas[0], logSigmas[logSigmas.length - 1], numInferenceSteps);
                sig = new double[lambdas.length];
                for (int i = 0; i < sig.length; i++) {
                    sig[i] = Math.exp(lambdas[i]);
                }
            } else {
                sig = SigmaSchedules.exponential(trainSigmas[0], trainSigmas[trainSigmas.length - 1], numInferenceSteps);
            }
            // karras and lu timesteps are rounded unless the schedule is squaredcos_cap_v2; exponential never
            boolean round = conversion == SigmaSchedules.Conversion.KARRAS || useLuLambdas;
            ts = new long[sig.length];
            for (int i = 0; i < sig.length; i++) {
                double t = SigmaSchedules.sigmaToT(sig[i], logSigmas);
                if (round && !cosineSchedule) {
                    t = Math.rint(t);
                }
                ts[i] = (long) t; // .to(torch.int64) truncates
            }
        } else {
            sig = SigmaSchedules.interp(SchedulerSupport.toFloats(ts), trainSigmas);
        }

        float sigmaLast = finalSigmasType.equals("sigma_min") ? trainSigmas[0] : 0f;
        this.sigmas = SigmaSchedules.appendAsFloat(sig, sigmaLast);
        this.timesteps = ts;
        this.numInferenceSteps = ts.length;
        this.modelOutputs = new float[solverOrder][];
        this.lowerOrderNums = 0;
        // add an index counter for schedulers that allow duplicated timesteps
        this.stepIndex = -1;
        this.beginIndex = -1;
    }

    @Override
    public float[] timesteps() {
        return SchedulerSupport.timesteps(NAME, timesteps);
    }

    @Override
    public int numInferenceSteps() {
        return numInferenceSteps;
    }

    /** Always 1.0. */
    @Override
    public float initNoiseSigma() {
        return 1.0f;
    }

    /** Returns a copy of {@code sample}: DPM-Solver does not scale the model input. */
    @Override
    public float[] scaleModelInput(float[] sample, float timestep) {
        return Check.notNull("sample", sample).clone();
    }

    private void initStepIndex(float timestep) {
        if (beginIndex < 0) {
            stepIndex = SigmaSchedules.indexForTimestep("timestep", timestep, SchedulerSupport.toFloats(timesteps));
        } else {
            stepIndex = beginIndex;
        }
    }

    private boolean isDataPrediction() {
        return algorithmType.equals("dpmsolver++") || algorithmType.equals("sde-dpmsolver++");
    }

    /** convert_model_output: x_0 prediction (DPM-Solver++) or noise prediction (DPM-Solver). */
    private float[] convertModelOutput(float[] modelOutput, float[] sample) {
        return SigmaSchedules.convertModelOutput(predictionType, isDataPrediction(), sigmas[stepIndex], modelOutput, sample);
    }

    /** dpm_solver_first_order_update (equivalent to DDIM). */
    private float[] firstOrderUpdate(float[] modelOutput, float[] sample, float[] noise) {
        float sigmaT0 = sigmas[stepIndex + 1];
        float sigmaS0 = sigmas[stepIndex];
        float alphaT = SigmaSchedules.alphaT(sigmaT0);
        float sigmaT = sigmaT0 * alphaT;
        float alphaS = SigmaSchedules.alphaT(sigmaS0);
        float sigmaS = sigmaS0 * alphaS;
        float lambdaT = SigmaSchedules.lambda(alphaT, sigmaT);
        float lambdaS = SigmaSchedules.lambda(alphaS, sigmaS);
        float h = lambdaT - lambdaS;
        switch (algorithmType) {
            case "dpmsolver++":
                return SchedulerSupport.lin(sigmaT / sigmaS, sample, -(alphaT * (exp(-h) - 1f)), modelOutput);
            case "dpmsolver":
                return SchedulerSupport.lin(alphaT / alphaS, sample, -(sigmaT * (exp(h) - 1f)), modelOutput);
            case "sde-dpmsolver++": {
                float e2 = exp(-2f * h);
                return SchedulerSupport.lin(sigmaT / sigmaS * exp(-h), sample, alphaT * (1f - e2), modelOutput,
                        sigmaT * sqrt(1f - e2), noise);
            }
            default: { // sde-dpmsolver
                float eh = exp(h);
                return SchedulerSupport.lin(alphaT / alphaS, sample, -(2f * (sigmaT * (eh - 1f))), modelOutput,
                        sigmaT * sqrt(exp(2f * h) - 1f), noise);
            }
        }
    }

    /** multistep_dpm_solver_second_order_update. */
    private float[] secondOrderUpdate(float[] sample, float[] noise) {
        float sT = sigmas[stepIndex + 1];
        float sS0 = sigmas[stepIndex];
        float sS1 = sigmas[stepIndex - 1];
        float alphaT = SigmaSchedules.alphaT(sT);
        float sigmaT = sT * alphaT;
        float alphaS0 = SigmaSchedules.alphaT(sS0);
        float sigmaS0 = sS0 * alphaS0;
        float alphaS1 = SigmaSchedules.alphaT(sS1);
        float sigmaS1 = sS1 * alphaS1;
        float lambdaT = SigmaSchedules.lambda(alphaT, sigmaT);
        float lambdaS0 = SigmaSchedules.lambda(alphaS0, sigmaS0);
        float lambdaS1 = SigmaSchedules.lambda(alphaS1, sigmaS1);

        float[] m0 = modelOutputs[solverOrder - 1];
        float[] m1 = modelOutputs[solverOrder - 2];
        float h = lambdaT - lambdaS0;
        float h0 = lambdaS0 - lambdaS1;
        float r0 = h0 / h;
        float[] d0 = m0;
        float[] d1 = SchedulerSupport.scale(1f / r0, SchedulerSupport.sub(m0, m1));
        switch (algorithmType) {
            case "dpmsolver++":
                // See https://huggingface.co/papers/2211.01095 for detailed derivations
                if (solverType.equals("midpoint")) {
                    float c = alphaT * (exp(-h) - 1f);
                    return SchedulerSupport.lin(sigmaT / sigmaS0, sample, -c, d0, -(0.5f * c), d1);
                } else {
                    float em = exp(-h) - 1f;
                    return SchedulerSupport.lin(sigmaT / sigmaS0, sample, -(alphaT * em), d0,
                            alphaT * (em / h + 1f), d1);
                }
            case "dpmsolver":
                // See https://huggingface.co/papers/2206.00927 for detailed derivations
                if (solverType.equals("midpoint")) {
                    float c = sigmaT * (exp(h) - 1f);
                    return SchedulerSupport.lin(alphaT / alphaS0, sample, -c, d0, -(0.5f * c), d1);
                } else {
                    float ep = exp(h) - 1f;
                    return SchedulerSupport.lin(alphaT / alphaS0, sample, -(sigmaT * ep), d0,
                            -(sigmaT * (ep / h - 1f)), d1);
                }
            case "sde-dpmsolver++": {
                float e2 = exp(-2f * h);
                float c0 = sigmaT / sigmaS0 * exp(-h);
                float c1 = alphaT * (1f - e2);
                float c2 = solverType.equals("midpoint")
                        ? 0.5f * (alphaT * (1f - e2))
                        : alphaT * ((1f - e2) / (-2f * h) + 1f);
                float c3 = sigmaT * sqrt(1f - e2);
                return SchedulerSupport.lin(c0, sample, c1, d0, c2, d1, c3, noise);
            }
            default: { // sde-dpmsolver
                float ep = exp(h) - 1f;
                float c0 = alphaT / alphaS0;
                float c1 = -(2f * (sigmaT * ep));
                float c2 = solverType.equals("midpoint") ? -(sigmaT * ep) : -(2f * (sigmaT * (ep / h - 1f)));
                float c3 = sigmaT * sqrt(exp(2f * h) - 1f);
                return SchedulerSupport.lin(c0, sample, c1, d0, c2, d1, c3, noise);
            }
        }
    }

    /** multistep_dpm_solver_third_order_update. */
    private float[] thirdOrderUpdate(float[] sample, float[] noise) {
        float sT = sigmas[stepIndex + 1];
        float sS0 = sigmas[stepIndex];
        float sS1 = sigmas[stepIndex - 1];
        float sS2 = sigmas[stepIndex - 2];
        float alphaT = SigmaSchedules.alphaT(sT);
        float sigmaT = sT * alphaT;
        float alphaS0 = SigmaSchedules.alphaT(sS0);
        float sigmaS0 = sS0 * alphaS0;
        float alphaS1 = SigmaSchedules.alphaT(sS1);
        float sigmaS1 = sS1 * alphaS1;
        float alphaS2 = SigmaSchedules.alphaT(sS2);
        float sigmaS2 = sS2 * alphaS2;
        float lambdaT = SigmaSchedules.lambda(alphaT, sigmaT);
        float lambdaS0 = SigmaSchedules.lambda(alphaS0, sigmaS0);
        float lambdaS1 = SigmaSchedules.lambda(alphaS1, sigmaS1);
        float lambdaS2 = SigmaSchedules.lambda(alphaS2, sigmaS2);

        float[] m0 = modelOutputs[solverOrder - 1];
        float[] m1 = modelOutputs[solverOrder - 2];
        float[] m2 = modelOutputs[solverOrder - 3];
        float h = lambdaT - lambdaS0;
        float h0 = lambdaS0 - lambdaS1;
        float h1 = lambdaS1 - lambdaS2;
        float r0 = h0 / h;
        float r1 = h1 / h;
        float[] d0 = m0;
        float[] d10 = SchedulerSupport.scale(1f / r0, SchedulerSupport.sub(m0, m1));
        float[] d11 = SchedulerSupport.scale(1f / r1, SchedulerSupport.sub(m1, m2));
        float[] diff = SchedulerSupport.sub(d10, d11);
        float[] d1 = new float[d10.length];
        float c = r0 / (r0 + r1);
        for (int i = 0; i < d1.length; i++) {
            d1[i] = d10[i] + c * diff[i];
        }
        float[] d2 = SchedulerSupport.scale(1f / (r0 + r1), diff);
        switch (algorithmType) {
            case "dpmsolver++": {
                // See https://huggingface.co/papers/2206.00927 for detailed derivations
                float em = exp(-h) - 1f;
                return SchedulerSupport.lin(sigmaT / sigmaS0, sample, -(alphaT * em), d0, alphaT * (em / h + 1f), d1,
                        -(alphaT * ((em + h) / (h * h) - 0.5f)), d2);
            }
            case "dpmsolver": {
                float ep = exp(h) - 1f;
                return SchedulerSupport.lin(alphaT / alphaS0, sample, -(sigmaT * ep), d0, -(sigmaT * (ep / h - 1f)), d1,
                        -(sigmaT * ((ep - h) / (h * h) - 0.5f)), d2);
            }
            default: { // sde-dpmsolver++
                float e2 = exp(-2f * h);
                float twoH = 2f * h;
                float[] coeffs = {
                    sigmaT / sigmaS0 * exp(-h),
                    alphaT * (1f - e2),
                    alphaT * ((1f - e2) / (-2f * h) + 1f),
                    alphaT * (((1f - e2) - twoH) / (twoH * twoH) - 0.5f),
                    sigmaT * sqrt(1f - e2)};
                return SchedulerSupport.lin(coeffs, new float[][] {sample, d0, d1, d2, noise});
            }
        }
    }

    /**
     * One multistep DPM-Solver step. {@code noise} is required for the sde variants and unused
     * otherwise.
     *
     * @throws IllegalStateException before {@link #setTimesteps} or after the last timestep
     * @throws IllegalArgumentException on length mismatch, a timestep that is not in the schedule
     *     (first step without a begin index), or a missing noise source for the sde variants
     */
    @Override
    public StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise) {
        if (timesteps == null) {
            throw SchedulerSupport.timestepsNotSet(NAME, "step");
        }
        SchedulerSupport.checkStepArrays(modelOutput, sample);
        boolean sde = algorithmType.startsWith("sde-");
        if (sde && noise == null) {
            throw new IllegalArgumentException("noise must not be null for algorithm_type " + algorithmType);
        }
        if (stepIndex < 0) {
            initStepIndex(timestep);
        }
        if (stepIndex >= timesteps.length) {
            throw SchedulerSupport.allStepped(NAME, stepIndex, timesteps.length);
        }
        int len = timesteps.length;
        // Improve numerical stability for small number of steps
        boolean lowerOrderFinalNow = stepIndex == len - 1
                && (eulerAtFinal || (lowerOrderFinal && len < 15) || finalSigmasType.equals("zero"));
        boolean lowerOrderSecond = stepIndex == len - 2 && lowerOrderFinal && len < 15;

        float[] converted = convertModelOutput(modelOutput, sample);
        SchedulerSupport.push(modelOutputs, converted);

        float[] noiseArr = sde ? SchedulerSupport.draw(noise, sample.length) : null;

        float[] prevSample;
        if (solverOrder == 1 || lowerOrderNums < 1 || lowerOrderFinalNow) {
            prevSample = firstOrderUpdate(converted, sample, noiseArr);
        } else if (solverOrder == 2 || lowerOrderNums < 2 || lowerOrderSecond) {
            prevSample = secondOrderUpdate(sample, noiseArr);
        } else {
            prevSample = thirdOrderUpdate(sample, noiseArr);
        }
        if (lowerOrderNums < solverOrder) {
            lowerOrderNums += 1;
        }
        // upon completion increase step index by one
        stepIndex += 1;
        return new StepResult(prevSample, isDataPrediction() ? converted.clone() : null);
    }

    /**
     * Forward diffusion {@code alpha_t * x_0 + sigma_t * noise} at the sigma of each batch element's
     * timestep: the begin index (img2img, before the first step), the current step index (after a
     * step, e.g. inpainting), or the index of the timestep in the schedule when no begin index is set.
     *
     * @throws IllegalStateException before {@link #setTimesteps}
     */
    @Override
    public float[] addNoise(float[] original, float[] noise, float[] timesteps) {
        if (this.timesteps == null) {
            throw SchedulerSupport.timestepsNotSet(NAME, "addNoise");
        }
        return SigmaSchedules.addNoiseVp(original, noise, timesteps, SchedulerSupport.toFloats(this.timesteps), sigmas,
                beginIndex, stepIndex);
    }

    /** 1 (one model evaluation per timestep). */
    @Override
    public int order() {
        return 1;
    }
}
