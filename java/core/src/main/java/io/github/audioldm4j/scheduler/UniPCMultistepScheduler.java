package io.github.audioldm4j.scheduler;

import static io.github.audioldm4j.scheduler.SchedulerSupport.expm1;
import static io.github.audioldm4j.scheduler.SchedulerSupport.sqrt;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.util.Check;
import java.util.List;
import java.util.OptionalInt;

/**
 * UniPC, a unified predictor-corrector framework for fast sampling of diffusion models
 * (https://huggingface.co/papers/2302.04867), a port of diffusers' {@code UniPCMultistepScheduler}
 * (src/diffusers/schedulers/scheduling_unipc_multistep.py): the UniP predictor and the UniC corrector,
 * both in the B(h) form.
 *
 * <p>Config fields and defaults:
 * <ul>
 *   <li>{@code num_train_timesteps} = 1000, {@code beta_start} = 0.0001, {@code beta_end} = 0.02,
 *       {@code beta_schedule} = "linear" (linear, scaled_linear, squaredcos_cap_v2),
 *       {@code trained_betas} = null, {@code rescale_betas_zero_snr} = false</li>
 *   <li>{@code solver_order} = 2 (any positive integer; the effective order is solver_order + 1)</li>
 *   <li>{@code prediction_type} = "epsilon" (epsilon, sample, v_prediction)</li>
 *   <li>{@code predict_x0} = true</li>
 *   <li>{@code solver_type} = "bh2" (bh1, bh2; midpoint/heun/logrho map to bh2)</li>
 *   <li>{@code lower_order_final} = true</li>
 *   <li>{@code disable_corrector} = [] (step indices whose corrector is skipped)</li>
 *   <li>{@code use_karras_sigmas} = false, {@code use_exponential_sigmas} = false,
 *       {@code sigma_min} = null, {@code sigma_max} = null (override the Karras / exponential range)</li>
 *   <li>{@code timestep_spacing} = "linspace" (linspace, leading, trailing), {@code steps_offset} = 0</li>
 *   <li>{@code final_sigmas_type} = "zero" (zero, sigma_min)</li>
 * </ul>
 * Rejected with {@link UnsupportedOperationException}: {@code thresholding=true}, a non-null
 * {@code solver_p}, {@code use_beta_sigmas=true}, {@code use_flow_sigmas=true},
 * {@code use_dynamic_shifting=true}, {@code prediction_type="flow_prediction"}; a non-null
 * {@code shift_terminal} is an error as in diffusers (flow sigmas only). {@code final_sigmas_type="zero"}
 * together with {@code solver_type="bh1"} or {@code predict_x0=false} is an error here: with a zero
 * final sigma diffusers' last step evaluates {@code (-inf) * 0} (or {@code 0 * inf}) and returns NaN.
 *
 * <p>{@link StepResult#predOriginalSample()} is the converted model output (x_0) when
 * {@code predict_x0} is true, otherwise null. The small linear systems of the B(h) updates are
 * solved in float32 as {@code torch.linalg.solve} does (see {@link #solveF32}).
 *
 * <p>Deviations from diffusers, on misuse only: {@link #addNoise} before {@link #setTimesteps}
 * throws, and a timestep that is not in the schedule throws.
 *
 * <p>Stateful and not thread-safe; one instance per generation.
 */
public final class UniPCMultistepScheduler implements Scheduler {
    private static final String NAME = "UniPCMultistepScheduler";

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
    private final boolean predictX0;
    private final String solverType;
    private final boolean lowerOrderFinal;
    private final List<Integer> disableCorrector;
    private final SigmaSchedules.Conversion conversion;
    private final Double sigmaMinConfig;
    private final Double sigmaMaxConfig;
    private final String timestepSpacing;
    private final int stepsOffset;
    private final String finalSigmasType;

    private int numInferenceSteps;
    private long[] timesteps;
    private float[] sigmas;
    private float[][] modelOutputs;
    private int lowerOrderNums;
    private float[] lastSample;
    private int thisOrder;
    private int stepIndex = -1;
    private int beginIndex = -1;

    /**
     * Builds the scheduler from a diffusers config (defaults in the class javadoc).
     *
     * @throws IllegalArgumentException naming the field and value for an invalid config
     * @throws UnsupportedOperationException for options this port does not implement
     */
    public UniPCMultistepScheduler(SchedulerConfig config) {
        this.config = Check.notNull("config", config);
        this.numTrainTimesteps = SchedulerSupport.numTrainTimesteps(config);
        SchedulerSupport.rejectUnportedSolverOptions(config, NAME);
        SchedulerSupport.rejectNonNull(config, "solver_p", NAME, "a custom predictor scheduler is not ported");
        if (config.has("shift_terminal")) {
            throw new IllegalArgumentException("scheduler config field shift_terminal is only supported with"
                    + " use_flow_sigmas=true, got shift_terminal=" + config.raw("shift_terminal"));
        }
        this.conversion = SigmaSchedules.readSolverConversion(config);
        this.sigmaMinConfig = config.has("sigma_min") ? positive(config, "sigma_min") : null;
        this.sigmaMaxConfig = config.has("sigma_max") ? positive(config, "sigma_max") : null;

        TrainSchedule s = TrainSchedule.fromConfig(config, numTrainTimesteps, TrainSchedule.ZeroSnr.RESCALE_AND_CLAMP);
        this.betas = s.betas;
        this.alphas = s.alphas;
        this.alphasCumprod = s.alphasCumprod;
        // Currently we only support VP-type noise schedule
        SigmaSchedules.VpTables vp = SigmaSchedules.VpTables.of(alphasCumprod);
        this.alphaT = vp.alphaT();
        this.sigmaT = vp.sigmaT();
        this.lambdaT = vp.lambdaT();
        this.trainSigmas = SigmaSchedules.vpSigmas(alphasCumprod);
        this.sigmas = trainSigmas.clone();

        int order = config.getInt("solver_order", 2);
        if (order < 1) {
            throw new IllegalArgumentException("scheduler config field solver_order must be >= 1, got " + order);
        }
        this.solverOrder = order;
        this.predictionType = config.getEnum("prediction_type", "epsilon", "epsilon", "sample", "v_prediction");
        this.predictX0 = config.getBoolean("predict_x0", true);
        String st = config.getString("solver_type", "bh2");
        if (st.equals("midpoint") || st.equals("heun") || st.equals("logrho")) {
            st = "bh2";
        }
        if (!(st.equals("bh1") || st.equals("bh2"))) {
            throw new IllegalArgumentException("scheduler config field solver_type must be one of bh1, bh2, got \""
                    + st + "\"");
        }
        this.solverType = st;
        this.lowerOrderFinal = config.getBoolean("lower_order_final", true);
        this.disableCorrector = List.copyOf(SchedulerSupport.intList(config, "disable_corrector"));
        this.timestepSpacing = config.getEnum("timestep_spacing", "linspace", TimestepSpacing.NAMES);
        this.stepsOffset = SchedulerSupport.stepsOffset(config);
        this.finalSigmasType = config.getEnum("final_sigmas_type", "zero", "zero", "sigma_min");
        if (finalSigmasType.equals("zero") && (solverType.equals("bh1") || !predictX0)) {
            // lambda_t = +inf at sigma 0 makes diffusers' last step compute (-inf) * 0 or 0 * inf = NaN
            throw new IllegalArgumentException("scheduler config field final_sigmas_type \"zero\" is not supported with "
                    + (predictX0 ? "solver_type bh1" : "predict_x0=false")
                    + " (diffusers' last step returns NaN there), use \"sigma_min\"");
        }
        this.modelOutputs = new float[solverOrder][];
    }

    private static double positive(SchedulerConfig c, String key) {
        double v = c.getDouble(key, Double.NaN);
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException("scheduler config field " + key + " must be finite and > 0, got " + v);
        }
        return v;
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

    /** sqrt(alphas_cumprod) per training timestep (a copy). */
    public float[] alphaT() {
        return alphaT.clone();
    }

    /** sqrt(1 - alphas_cumprod) per training timestep (a copy). */
    public float[] sigmaT() {
        return sigmaT.clone();
    }

    /** log(alpha_t) - log(sigma_t) per training timestep (a copy). */
    public float[] lambdaT() {
        return lambdaT.clone();
    }

    /**
     * The sigmas: the training sigmas before {@link #setTimesteps}, afterwards one per timestep plus
     * the final sigma. A copy.
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

    /** Sets the index of the first timestep to run (img2img); reset by {@link #setTimesteps}. */
    @Override
    public void setBeginIndex(int beginIndex) {
        this.beginIndex = Check.nonNegative("beginIndex", beginIndex);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        SchedulerSupport.checkNumInferenceSteps(numInferenceSteps, numTrainTimesteps);
        // "linspace", "leading", "trailing" corresponds to annotation of Table 2. of
        // https://huggingface.co/papers/2305.08891
        long[] ts = TimestepSpacing.multistep(timestepSpacing, numTrainTimesteps, numTrainTimesteps, numInferenceSteps,
                stepsOffset);
        double[] sig;
        double sigmaLast;
        if (conversion != SigmaSchedules.Conversion.NONE) {
            float[] logSigmas = SigmaSchedules.logF32(trainSigmas);
            double sigmaMin = sigmaMinConfig != null ? sigmaMinConfig : trainSigmas[0];
            double sigmaMax = sigmaMaxConfig != null ? sigmaMaxConfig : trainSigmas[trainSigmas.length - 1];
            boolean karras = conversion == SigmaSchedules.Conversion.KARRAS;
            sig = karras
                    ? SigmaSchedules.karras(sigmaMin, sigmaMax, numInferenceSteps)
                    : SigmaSchedules.exponential(sigmaMin, sigmaMax, numInferenceSteps);
            ts = new long[sig.length];
            for (int i = 0; i < sig.length; i++) {
                double t = SigmaSchedules.sigmaToT(sig[i], logSigmas);
                ts[i] = (long) (karras ? Math.rint(t) : t);
            }
            sigmaLast = finalSigmasType.equals("sigma_min") ? sig[sig.length - 1] : 0.0;
        } else {
            sig = SigmaSchedules.interp(SchedulerSupport.toFloats(ts), trainSigmas);
            sigmaLast = finalSigmasType.equals("sigma_min") ? trainSigmas[0] : 0.0;
        }
        this.sigmas = SigmaSchedules.appendAsFloat(sig, sigmaLast);
        this.timesteps = ts;
        this.numInferenceSteps = ts.length;
        this.modelOutputs = new float[solverOrder][];
        this.lowerOrderNums = 0;
        this.lastSample = null;
        this.thisOrder = 0;
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

    /** Returns a copy of {@code sample}: UniPC does not scale the model input. */
    @Override
    public float[] scaleModelInput(float[] sample, float timestep) {
        return Check.notNull("sample", sample).clone();
    }

    /** convert_model_output: x_0 (predict_x0) or epsilon. */
    private float[] convertModelOutput(float[] modelOutput, float[] sample) {
        return SigmaSchedules.convertModelOutput(predictionType, predictX0, sigmas[stepIndex], modelOutput, sample);
    }

    /** The B(h) coefficients shared by UniP and UniC: rows R (rks^(i-1)), right-hand side b, B_h, h_phi_1. */
    private static final class BhTerms {
        final float[][] r;
        final float[] b;
        final float bH;
        final float hPhi1;

        BhTerms(float[][] r, float[] b, float bH, float hPhi1) {
            this.r = r;
            this.b = b;
            this.bH = bH;
            this.hPhi1 = hPhi1;
        }
    }

    private BhTerms bhTerms(float[] rks, float h, int order) {
        float hh = predictX0 ? -h : h;
        float hPhi1 = expm1(hh); // h\phi_1(h) = e^h - 1
        float hPhiK = hPhi1 / hh - 1f;
        long factorialI = 1;
        float bH = solverType.equals("bh1") ? hh : expm1(hh);
        float[][] r = new float[order][];
        float[] b = new float[order];
        for (int i = 1; i <= order; i++) {
            r[i - 1] = powRow(rks, i - 1);
            b[i - 1] = hPhiK * (float) factorialI / bH;
            factorialI *= i + 1;
            hPhiK = hPhiK / hh - (float) (1.0 / factorialI);
        }
        return new BhTerms(r, b, bH, hPhi1);
    }

    /** {@code torch.pow(rks, e)} for a small integer exponent (torch special-cases 0..3). */
    private static float[] powRow(float[] rks, int e) {
        float[] out = new float[rks.length];
        for (int j = 0; j < rks.length; j++) {
            float x = rks[j];
            switch (e) {
                case 0: out[j] = 1f; break;
                case 1: out[j] = x; break;
                case 2: out[j] = x * x; break;
                case 3: out[j] = x * x * x; break;
                default: out[j] = (float) Math.pow(x, e); break;
            }
        }
        return out;
    }

    private float lambdaAt(int index) {
        float a = SigmaSchedules.alphaT(sigmas[index]);
        float s = sigmas[index] * a;
        return SigmaSchedules.lambda(a, s);
    }

    /** sum_k rhos[k] * d1s[k] (the einsum), or null when there are no terms. */
    private static float[] weightedSum(float[] rhos, float[][] d1s, int count) {
        if (count == 0) {
            return null;
        }
        int n = d1s[0].length;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float s = rhos[0] * d1s[0][i];
            for (int k = 1; k < count; k++) {
                s = s + rhos[k] * d1s[k][i];
            }
            out[i] = s;
        }
        return out;
    }

    /** multistep_uni_p_bh_update: the UniP predictor for x at the next timestep. */
    private float[] uniPUpdate(float[] sample, int order) {
        float[] m0 = modelOutputs[solverOrder - 1];
        float[] x = sample;
        float sT = sigmas[stepIndex + 1];
        float sS0 = sigmas[stepIndex];
        float alphaT = SigmaSchedules.alphaT(sT);
        float sigmaT = sT * alphaT;
        float alphaS0 = SigmaSchedules.alphaT(sS0);
        float sigmaS0 = sS0 * alphaS0;
        float lambdaT = SigmaSchedules.lambda(alphaT, sigmaT);
        float lambdaS0 = SigmaSchedules.lambda(alphaS0, sigmaS0);
        float h = lambdaT - lambdaS0;

        float[] rks = new float[order];
        float[][] d1s = new float[Math.max(0, order - 1)][];
        for (int i = 1; i < order; i++) {
            int si = stepIndex - i;
            float[] mi = modelOutputs[solverOrder - 1 - i];
            float rk = (lambdaAt(si) - lambdaS0) / h;
            rks[i - 1] = rk;
            d1s[i - 1] = SchedulerSupport.div(SchedulerSupport.sub(mi, m0), rk);
        }
        rks[order - 1] = 1f;
        BhTerms t = bhTerms(rks, h, order);

        float[] rhosP = null;
        if (order >= 2) {
            if (order == 2) {
                rhosP = new float[] {0.5f};
            } else {
                float[][] a = new float[order - 1][];
                for (int i = 0; i < order - 1; i++) {
                    a[i] = java.util.Arrays.copyOf(t.r[i], order - 1);
                }
                rhosP = solveF32(a, java.util.Arrays.copyOf(t.b, order - 1), false); // R[:-1, :-1] is a view
            }
        }
        float[] predRes = weightedSum(rhosP, d1s, order - 1);
        float[] xT;
        float c;
        if (predictX0) {
            xT = SchedulerSupport.lin(sigmaT / sigmaS0, x, -(alphaT * t.hPhi1), m0);
            c = alphaT * t.bH;
        } else {
            xT = SchedulerSupport.lin(alphaT / alphaS0, x, -(sigmaT * t.hPhi1), m0);
            c = sigmaT * t.bH;
        }
        if (predRes != null) {
            for (int i = 0; i < xT.length; i++) {
                xT[i] = xT[i] - c * predRes[i];
            }
        }
        return xT;
    }

    /** multistep_uni_c_bh_update: the UniC corrector for the current sample. */
    private float[] uniCUpdate(float[] thisModelOutput, float[] lastSample, int order) {
        float[] m0 = modelOutputs[solverOrder - 1];
        float[] x = lastSample;
        float[] modelT = thisModelOutput;
        float sT = sigmas[stepIndex];
        float sS0 = sigmas[stepIndex - 1];
        float alphaT = SigmaSchedules.alphaT(sT);
        float sigmaT = sT * alphaT;
        float alphaS0 = SigmaSchedules.alphaT(sS0);
        float sigmaS0 = sS0 * alphaS0;
        float lambdaT = SigmaSchedules.lambda(alphaT, sigmaT);
        float lambdaS0 = SigmaSchedules.lambda(alphaS0, sigmaS0);
        float h = lambdaT - lambdaS0;

        float[] rks = new float[order];
        float[][] d1s = new float[Math.max(0, order - 1)][];
        for (int i = 1; i < order; i++) {
            int si = stepIndex - (i + 1);
            float[] mi = modelOutputs[solverOrder - 1 - i];
            float rk = (lambdaAt(si) - lambdaS0) / h;
            rks[i - 1] = rk;
            d1s[i - 1] = SchedulerSupport.div(SchedulerSupport.sub(mi, m0), rk);
        }
        rks[order - 1] = 1f;
        BhTerms t = bhTerms(rks, h, order);

        // for order 1, we use a simplified version
        float[] rhosC = order == 1 ? new float[] {0.5f} : solveF32(t.r, t.b, true);
        float[] corrRes = weightedSum(rhosC, d1s, order - 1);
        float rhoLast = rhosC[rhosC.length - 1];
        float[] xT;
        float c;
        if (predictX0) {
            xT = SchedulerSupport.lin(sigmaT / sigmaS0, x, -(alphaT * t.hPhi1), m0);
            c = alphaT * t.bH;
        } else {
            xT = SchedulerSupport.lin(alphaT / alphaS0, x, -(sigmaT * t.hPhi1), m0);
            c = sigmaT * t.bH;
        }
        for (int i = 0; i < xT.length; i++) {
            float d1T = modelT[i] - m0[i];
            float p = rhoLast * d1T;
            float sum = corrRes == null ? p : corrRes[i] + p;
            xT[i] = xT[i] - c * sum;
        }
        return xT;
    }

    /**
     * Solves {@code a x = b} in float32 the way {@code torch.linalg.solve} does on the CPU (LAPACK
     * sgetrf + sgetrs, reference-BLAS order of operations). torch picks the factorisation by memory
     * layout: a contiguous matrix (UniC's full R) is factored as its transpose {@code a^T = P L U} and
     * solved with the adjoint (sgetrs trans='T'); a non-contiguous view (UniP's {@code R[:-1, :-1]})
     * is factored as is and solved with trans='N'. sgetrf pivots on the first largest |value| and
     * scales the column by the pivot's reciprocal.
     *
     * @param contiguous whether torch sees {@code a} as a contiguous tensor
     */
    static float[] solveF32(float[][] a, float[] b, boolean contiguous) {
        int n = b.length;
        float[][] m = new float[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = contiguous ? a[j][i] : a[i][j];
            }
        }
        // sgetrf: m = P L U in place
        int[] piv = new int[n];
        for (int k = 0; k < n; k++) {
            int p = k;
            for (int i = k + 1; i < n; i++) {
                if (Math.abs(m[i][k]) > Math.abs(m[p][k])) {
                    p = i;
                }
            }
            piv[k] = p;
            if (p != k) {
                float[] tmp = m[p];
                m[p] = m[k];
                m[k] = tmp;
            }
            if (m[k][k] == 0f) {
                throw new ArithmeticException("UniPC: singular " + n + "x" + n + " system in the B(h) update");
            }
            float recip = 1f / m[k][k];
            for (int i = k + 1; i < n; i++) {
                m[i][k] = m[i][k] * recip;
            }
            for (int j = k + 1; j < n; j++) {
                for (int i = k + 1; i < n; i++) {
                    m[i][j] = m[i][j] - m[i][k] * m[k][j];
                }
            }
        }
        float[] x = b.clone();
        if (contiguous) {
            // sgetrs trans='T': U^T z = b, then L^T w = z, then the interchanges in reverse order
            for (int i = 0; i < n; i++) {
                float temp = x[i];
                for (int k = 0; k < i; k++) {
                    temp = temp - m[k][i] * x[k];
                }
                x[i] = temp / m[i][i];
            }
            for (int i = n - 1; i >= 0; i--) {
                float temp = x[i];
                for (int k = i + 1; k < n; k++) {
                    temp = temp - m[k][i] * x[k];
                }
                x[i] = temp;
            }
            for (int k = n - 1; k >= 0; k--) {
                swap(x, k, piv[k]);
            }
        } else {
            // sgetrs trans='N': the interchanges, then L y = P b, then U x = y
            for (int k = 0; k < n; k++) {
                swap(x, k, piv[k]);
            }
            for (int k = 0; k < n; k++) {
                if (x[k] != 0f) {
                    for (int i = k + 1; i < n; i++) {
                        x[i] = x[i] - x[k] * m[i][k];
                    }
                }
            }
            for (int k = n - 1; k >= 0; k--) {
                if (x[k] != 0f) {
                    x[k] = x[k] / m[k][k];
                    for (int i = 0; i < k; i++) {
                        x[i] = x[i] - x[k] * m[i][k];
                    }
                }
            }
        }
        return x;
    }

    private static void swap(float[] x, int i, int j) {
        if (i != j) {
            float tmp = x[i];
            x[i] = x[j];
            x[j] = tmp;
        }
    }

    /**
     * One UniPC step: the UniC corrector refines {@code sample} with the new model output (from the
     * second step on, unless disabled for that step), then the UniP predictor gives the next sample.
     *
     * @throws IllegalStateException before {@link #setTimesteps} or after the last timestep
     * @throws IllegalArgumentException on length mismatch or a timestep that is not in the schedule
     */
    @Override
    public StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise) {
        if (timesteps == null) {
            throw SchedulerSupport.timestepsNotSet(NAME, "step");
        }
        SchedulerSupport.checkStepArrays(modelOutput, sample);
        if (stepIndex < 0) {
            stepIndex = beginIndex < 0 ? SigmaSchedules.indexForTimestep("timestep", timestep,
                    SchedulerSupport.toFloats(timesteps)) : beginIndex;
        }
        if (stepIndex >= timesteps.length) {
            throw SchedulerSupport.allStepped(NAME, stepIndex, timesteps.length);
        }
        boolean useCorrector = stepIndex > 0 && !disableCorrector.contains(stepIndex - 1) && lastSample != null;

        float[] modelOutputConvert = convertModelOutput(modelOutput, sample);
        float[] s = sample;
        if (useCorrector) {
            s = uniCUpdate(modelOutputConvert, lastSample, thisOrder);
        }
        SchedulerSupport.push(modelOutputs, modelOutputConvert);

        int order = lowerOrderFinal ? Math.min(solverOrder, timesteps.length - stepIndex) : solverOrder;
        thisOrder = Math.min(order, lowerOrderNums + 1); // warmup for multistep
        lastSample = s == sample ? sample.clone() : s;
        float[] prevSample = uniPUpdate(lastSample, thisOrder);

        if (lowerOrderNums < solverOrder) {
            lowerOrderNums += 1;
        }
        // upon completion increase step index by one
        stepIndex += 1;
        return new StepResult(prevSample, predictX0 ? modelOutputConvert.clone() : null);
    }

    /**
     * Forward diffusion at the sigma of each batch element's timestep (begin index, current step
     * index, or the timestep's index in the schedule), as {@link DPMSolverMultistepScheduler#addNoise}.
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
