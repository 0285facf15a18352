package io.github.audioldm4j.scheduler;

import static io.github.audioldm4j.scheduler.SchedulerSupport.sqrt;

import io.github.audioldm4j.random.NoiseSource;
import io.github.audioldm4j.util.Check;
import java.util.ArrayList;
import java.util.List;

/**
 * Pseudo numerical methods for diffusion models (PNDM, https://huggingface.co/papers/2202.09778), a
 * port of diffusers' {@code PNDMScheduler} (src/diffusers/schedulers/scheduling_pndm.py): Runge-Kutta
 * warm-up steps (PRK) followed by linear multistep steps (PLMS), or PLMS only with
 * {@code skip_prk_steps=true} (the Stable Diffusion / AudioLDM setting, after crowsonkb's PLMS).
 *
 * <p>Config fields and defaults: {@code num_train_timesteps} = 1000, {@code beta_start} = 0.0001,
 * {@code beta_end} = 0.02, {@code beta_schedule} = "linear" (linear, scaled_linear,
 * squaredcos_cap_v2), {@code trained_betas} = null, {@code skip_prk_steps} = false,
 * {@code set_alpha_to_one} = false, {@code prediction_type} = "epsilon" (epsilon, v_prediction),
 * {@code timestep_spacing} = "leading" (leading, trailing, linspace), {@code steps_offset} = 0.
 * Other fields (for example {@code clip_sample} from a DDIM config) are ignored, as diffusers'
 * {@code from_config} does.
 *
 * <p>With the PRK warm-up ({@code skip_prk_steps=false}) {@link #timesteps()} has
 * {@code 12 + (N - 3)} entries (the four-stage RK steps use half-step timesteps) and N must be at
 * least 4 (diffusers fails on smaller N with a numpy broadcast error). With
 * {@code skip_prk_steps=true} it has {@code N + 1} entries: the second timestep is repeated for the
 * second-order start.
 *
 * <p>Stateful and not thread-safe; one instance per generation.
 */
public final class PNDMScheduler implements Scheduler {
    private static final String NAME = "PNDMScheduler";
    // For now we only support F-PNDM, i.e. the runge-kutta method (formula (9), (12), (13), Algorithm 2)
    private static final int PNDM_ORDER = 4;

    private final SchedulerConfig config;
    private final int numTrainTimesteps;
    private final float[] betas;
    private final float[] alphas;
    private final float[] alphasCumprod;
    private final float finalAlphaCumprod;
    private final boolean skipPrkSteps;
    private final String predictionType;
    private final String timestepSpacing;
    private final int stepsOffset;

    // running values
    private float[] curModelOutput; // null stands for diffusers' integer 0
    private int counter;
    private float[] curSample;
    private List<float[]> ets = new ArrayList<>();

    // setable values
    private int numInferenceSteps;
    private long[] prkTimesteps;
    private long[] plmsTimesteps;
    private long[] timesteps;

    /**
     * Builds the scheduler from a diffusers config (defaults in the class javadoc).
     *
     * @throws IllegalArgumentException naming the field and value for an invalid config
     */
    public PNDMScheduler(SchedulerConfig config) {
        this.config = Check.notNull("config", config);
        this.numTrainTimesteps = SchedulerSupport.numTrainTimesteps(config);
        TrainSchedule s = TrainSchedule.fromConfig(config, numTrainTimesteps, TrainSchedule.ZeroSnr.NOT_A_FIELD);
        this.betas = s.betas;
        this.alphas = s.alphas;
        this.alphasCumprod = s.alphasCumprod;
        this.finalAlphaCumprod = config.getBoolean("set_alpha_to_one", false) ? 1f : alphasCumprod[0];
        this.skipPrkSteps = config.getBoolean("skip_prk_steps", false);
        this.predictionType = config.getEnum("prediction_type", "epsilon", "epsilon", "v_prediction");
        this.timestepSpacing = config.getEnum("timestep_spacing", "leading", TimestepSpacing.NAMES);
        this.stepsOffset = SchedulerSupport.stepsOffset(config);
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

    /** The alphas_cumprod used past the last step (1 with set_alpha_to_one, else alphas_cumprod[0]). */
    public float finalAlphaCumprod() {
        return finalAlphaCumprod;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        SchedulerSupport.checkNumInferenceSteps(numInferenceSteps, numTrainTimesteps);
        if (!skipPrkSteps && numInferenceSteps < PNDM_ORDER) {
            throw new IllegalArgumentException("numInferenceSteps must be >= " + PNDM_ORDER
                    + " when skip_prk_steps=false (the Runge-Kutta warm-up needs 4 timesteps), got " + numInferenceSteps);
        }
        // "linspace", "leading", "trailing" corresponds to annotation of Table 2. of
        // https://huggingface.co/papers/2305.08891
        long[] asc = TimestepSpacing.pndmAscending(timestepSpacing, numTrainTimesteps, numInferenceSteps, stepsOffset);
        int m = asc.length;
        if (skipPrkSteps) {
            // plms_timesteps = concat(_timesteps[:-1], _timesteps[-2:-1], _timesteps[-1:])[::-1]
            long[] cat;
            if (m >= 2) {
                cat = new long[m + 1];
                System.arraycopy(asc, 0, cat, 0, m - 1);
                cat[m - 1] = asc[m - 2];
                cat[m] = asc[m - 1];
            } else { // _timesteps[-2:-1] is empty for a single timestep
                cat = new long[] {asc[0]};
            }
            prkTimesteps = new long[0];
            plmsTimesteps = reverse(cat);
        } else {
            // prk_timesteps = _timesteps[-4:].repeat(2) + tile([0, ratio // 2], 4)
            long half = numTrainTimesteps / numInferenceSteps / 2;
            long[] prk = new long[2 * PNDM_ORDER];
            for (int i = 0; i < PNDM_ORDER; i++) {
                long t = asc[m - PNDM_ORDER + i];
                prk[2 * i] = t;
                prk[2 * i + 1] = t + half;
            }
            // (prk[:-1].repeat(2)[1:-1])[::-1]
            long[] rep = new long[2 * (prk.length - 1)];
            for (int i = 0; i < prk.length - 1; i++) {
                rep[2 * i] = prk[i];
                rep[2 * i + 1] = prk[i];
            }
            long[] mid = new long[rep.length - 2];
            System.arraycopy(rep, 1, mid, 0, mid.length);
            prkTimesteps = reverse(mid);
            long[] head = new long[m - 3];
            System.arraycopy(asc, 0, head, 0, head.length);
            plmsTimesteps = reverse(head);
        }
        long[] all = new long[prkTimesteps.length + plmsTimesteps.length];
        System.arraycopy(prkTimesteps, 0, all, 0, prkTimesteps.length);
        System.arraycopy(plmsTimesteps, 0, all, prkTimesteps.length, plmsTimesteps.length);
        SchedulerSupport.checkBelowNumTrain(all, numTrainTimesteps, stepsOffset, numInferenceSteps);
        this.numInferenceSteps = numInferenceSteps;
        this.timesteps = all;
        this.ets = new ArrayList<>();
        this.counter = 0;
        this.curModelOutput = null;
        this.curSample = null;
    }

    private static long[] reverse(long[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
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

    /** Returns a copy of {@code sample}: PNDM does not scale the model input. */
    @Override
    public float[] scaleModelInput(float[] sample, float timestep) {
        return Check.notNull("sample", sample).clone();
    }

    /**
     * One PNDM step: a Runge-Kutta stage while the PRK warm-up lasts, a PLMS step afterwards. PNDM
     * predicts no x_0, so {@link StepResult#predOriginalSample()} is null. {@code noise} is unused.
     */
    @Override
    public StepResult step(float[] modelOutput, float timestep, float[] sample, NoiseSource noise) {
        if (timesteps == null) {
            throw SchedulerSupport.timestepsNotSet(NAME, "step");
        }
        SchedulerSupport.checkStepArrays(modelOutput, sample);
        int t = SchedulerSupport.trainTimestep("timestep", timestep, numTrainTimesteps);
        float[] prev;
        if (counter < prkTimesteps.length && !skipPrkSteps) {
            prev = stepPrk(modelOutput, t, sample);
        } else {
            prev = stepPlms(modelOutput, t, sample);
        }
        return new StepResult(prev, null);
    }

    /** step_prk: the four-stage Runge-Kutta method, four forward passes per timestep. */
    private float[] stepPrk(float[] modelOutput, int timestep, float[] sample) {
        int diffToPrev = counter % 2 != 0 ? 0 : numTrainTimesteps / numInferenceSteps / 2;
        int prevTimestep = timestep - diffToPrev;
        int t = (int) prkTimesteps[counter / 4 * 4];

        float[] mo = modelOutput;
        if (counter % 4 == 0) {
            curModelOutput = addScaled(curModelOutput, (float) (1.0 / 6), modelOutput);
            ets.add(modelOutput.clone());
            curSample = sample.clone();
        } else if ((counter - 1) % 4 == 0) {
            curModelOutput = addScaled(curModelOutput, (float) (1.0 / 3), modelOutput);
        } else if ((counter - 2) % 4 == 0) {
            curModelOutput = addScaled(curModelOutput, (float) (1.0 / 3), modelOutput);
        } else {
            mo = addScaled(curModelOutput, (float) (1.0 / 6), modelOutput);
            curModelOutput = null;
        }
        // cur_sample should not be `None`
        float[] cur = curSample != null ? curSample : sample;
        float[] prevSample = getPrevSample(cur, t, prevTimestep, mo);
        counter += 1;
        return prevSample;
    }

    /** {@code acc + c * x} in float32, with a null accumulator standing for 0. */
    private static float[] addScaled(float[] acc, float c, float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float p = c * x[i];
            out[i] = acc == null ? 0f + p : acc[i] + p;
        }
        return out;
    }

    /** step_plms: the linear multistep method, one forward pass per timestep. */
    private float[] stepPlms(float[] modelOutput, int timestep, float[] sample) {
        if (!skipPrkSteps && ets.size() < 3) {
            throw new IllegalStateException(NAME + " can only run PLMS steps after the PRK warm-up of 12 steps"
                    + " (skip_prk_steps=false), got " + ets.size() + " stored model outputs");
        }
        int ratio = numTrainTimesteps / numInferenceSteps;
        int prevTimestep = timestep - ratio;
        int t = timestep;
        if (counter != 1) {
            if (ets.size() > 3) {
                ets = new ArrayList<>(ets.subList(ets.size() - 3, ets.size()));
            }
            ets.add(modelOutput.clone());
        } else {
            prevTimestep = timestep;
            t = timestep + ratio;
        }

        int n = modelOutput.length;
        int k = ets.size();
        float[] mo = new float[n];
        float[] s = sample;
        if (k == 1 && counter == 0) {
            System.arraycopy(modelOutput, 0, mo, 0, n);
            curSample = sample.clone();
        } else if (k == 1 && counter == 1) {
            float[] e1 = ets.get(0);
            for (int i = 0; i < n; i++) {
                mo[i] = (modelOutput[i] + e1[i]) / 2f;
            }
            s = curSample;
            curSample = null;
        } else if (k == 2) {
            float[] e1 = ets.get(k - 1);
            float[] e2 = ets.get(k - 2);
            for (int i = 0; i < n; i++) {
                mo[i] = (3f * e1[i] - e2[i]) / 2f;
            }
        } else if (k == 3) {
            float[] e1 = ets.get(k - 1);
            float[] e2 = ets.get(k - 2);
            float[] e3 = ets.get(k - 3);
            for (int i = 0; i < n; i++) {
                float a = 23f * e1[i];
                float b = 16f * e2[i];
                float c = 5f * e3[i];
                mo[i] = ((a - b) + c) / 12f;
            }
        } else {
            float[] e1 = ets.get(k - 1);
            float[] e2 = ets.get(k - 2);
            float[] e3 = ets.get(k - 3);
            float[] e4 = ets.get(k - 4);
            float c24 = (float) (1.0 / 24);
            for (int i = 0; i < n; i++) {
                float a = 55f * e1[i];
                float b = 59f * e2[i];
                float c = 37f * e3[i];
                float d = 9f * e4[i];
                mo[i] = c24 * (((a - b) + c) - d);
            }
        }
        if (s == null) {
            throw new IllegalStateException(NAME + ": no stored sample for the second PLMS step");
        }
        float[] prevSample = getPrevSample(s, t, prevTimestep, mo);
        counter += 1;
        return prevSample;
    }

    /** _get_prev_sample: x_(t-delta) from x_t with formula (9) of the PNDM paper. */
    private float[] getPrevSample(float[] sample, int timestep, int prevTimestep, float[] modelOutput) {
        if (timestep > numTrainTimesteps - 1) {
            throw new IllegalArgumentException("timestep " + timestep + " derived by the PLMS warm-up is beyond"
                    + " num_train_timesteps - 1 = " + (numTrainTimesteps - 1));
        }
        float alphaProdT = alphasCumprod[timestep];
        float alphaProdTPrev = prevTimestep >= 0 ? alphasCumprod[prevTimestep] : finalAlphaCumprod;
        float betaProdT = 1f - alphaProdT;
        float betaProdTPrev = 1f - alphaProdTPrev;

        int n = sample.length;
        float[] mo = modelOutput;
        if (predictionType.equals("v_prediction")) {
            float sa = sqrt(alphaProdT);
            float sb = sqrt(betaProdT);
            mo = new float[n];
            for (int i = 0; i < n; i++) {
                mo[i] = sa * modelOutput[i] + sb * sample[i];
            }
        }

        // corresponds to (alpha_(t-delta) - alpha_t) divided by denominator of x_t in formula (9)
        // and plus 1; equals sqrt(alpha_(t-delta)) / sqrt(alpha_t)
        float sampleCoeff = sqrt(alphaProdTPrev / alphaProdT);
        // corresponds to denominator of e_theta(x_t, t) in formula (9)
        float modelOutputDenomCoeff = alphaProdT * sqrt(betaProdTPrev)
                + sqrt(alphaProdT * betaProdT * alphaProdTPrev);
        float diff = alphaProdTPrev - alphaProdT;

        // full formula (9)
        float[] prevSample = new float[n];
        for (int i = 0; i < n; i++) {
            float a = sampleCoeff * sample[i];
            float b = (diff * mo[i]) / modelOutputDenomCoeff;
            prevSample[i] = a - b;
        }
        return prevSample;
    }

    /** DDPM forward diffusion (same as {@link DDIMScheduler#addNoise}); does not need setTimesteps. */
    @Override
    public float[] addNoise(float[] original, float[] noise, float[] timesteps) {
        return DDIMScheduler.addNoiseDdpm(original, noise, timesteps, alphasCumprod, numTrainTimesteps);
    }

    /** 1 (diffusers' class attribute; the PRK warm-up consumes its extra timesteps from the list). */
    @Override
    public int order() {
        return 1;
    }
}
