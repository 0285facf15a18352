package io.github.audioldm4j.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.audioldm4j.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scheduler_train_schedules.json}: what each class holds right after construction from the
 * AudioLDM2 config (betas, alphas, alphas_cumprod, final_alpha_cumprod, and for the multistep
 * solvers alpha_t, sigma_t, lambda_t and the training sigmas). The default pre-setTimesteps
 * timesteps of diffusers are not compared: here {@link Scheduler#timesteps()} throws before
 * {@link Scheduler#setTimesteps}, which is checked instead.
 */
class TrainScheduleGoldenTest {
    private static final String FILE = "scheduler_train_schedules.json";

    @AfterAll
    static void report() {
        GoldenCompare.report(FILE);
    }

    private static JsonNode schedule(String key) {
        JsonNode s = Golden.load(FILE).get("schedules").get(key);
        assertEquals(true, s != null, key + " present");
        return s;
    }

    private static void common(String key, float[] betas, float[] alphas, float[] alphasCumprod) {
        JsonNode s = schedule(key);
        GoldenCompare.assertClose(FILE, key + ".betas", s.get("betas"), betas);
        GoldenCompare.assertClose(FILE, key + ".alphas", s.get("alphas"), alphas);
        GoldenCompare.assertClose(FILE, key + ".alphas_cumprod", s.get("alphas_cumprod"), alphasCumprod);
    }

    @Test
    void ddim() {
        DDIMScheduler d = new DDIMScheduler(SchedulerConfig.audioLdm2());
        assertEquals("DDIMScheduler", schedule("ddim_eta0").get("class").asText());
        common("ddim_eta0", d.betas(), d.alphas(), d.alphasCumprod());
        float expected = (float) schedule("ddim_eta0").get("final_alpha_cumprod").asDouble();
        GoldenCompare.assertClose(FILE, "ddim_eta0.final_alpha_cumprod", new float[] {expected},
                new float[] {d.finalAlphaCumprod()});
        assertThrows(IllegalStateException.class, d::timesteps);
    }

    @Test
    void pndm() {
        PNDMScheduler p = new PNDMScheduler(SchedulerConfig.audioLdm2().with("_class_name", "PNDMScheduler")
                .with("skip_prk_steps", true));
        assertEquals("PNDMScheduler", schedule("pndm").get("class").asText());
        common("pndm", p.betas(), p.alphas(), p.alphasCumprod());
        float expected = (float) schedule("pndm").get("final_alpha_cumprod").asDouble();
        GoldenCompare.assertClose(FILE, "pndm.final_alpha_cumprod", new float[] {expected},
                new float[] {p.finalAlphaCumprod()});
        assertThrows(IllegalStateException.class, p::timesteps);
    }

    @Test
    void dpmSolver() {
        DPMSolverMultistepScheduler d = new DPMSolverMultistepScheduler(SchedulerConfig.audioLdm2()
                .with("_class_name", "DPMSolverMultistepScheduler").with("algorithm_type", "dpmsolver++")
                .with("solver_order", 2));
        JsonNode s = schedule("dpmpp2m");
        assertEquals("DPMSolverMultistepScheduler", s.get("class").asText());
        common("dpmpp2m", d.betas(), d.alphas(), d.alphasCumprod());
        GoldenCompare.assertClose(FILE, "dpmpp2m.alpha_t", s.get("alpha_t"), d.alphaT());
        GoldenCompare.assertClose(FILE, "dpmpp2m.sigma_t", s.get("sigma_t"), d.sigmaT());
        GoldenCompare.assertClose(FILE, "dpmpp2m.lambda_t", s.get("lambda_t"), d.lambdaT());
        GoldenCompare.assertClose(FILE, "dpmpp2m.sigmas", s.get("sigmas"), d.sigmas());
        assertThrows(IllegalStateException.class, d::timesteps);
    }

    @Test
    void uniPC() {
        UniPCMultistepScheduler u = new UniPCMultistepScheduler(SchedulerConfig.audioLdm2()
                .with("_class_name", "UniPCMultistepScheduler"));
        JsonNode s = schedule("unipc");
        assertEquals("UniPCMultistepScheduler", s.get("class").asText());
        common("unipc", u.betas(), u.alphas(), u.alphasCumprod());
        GoldenCompare.assertClose(FILE, "unipc.alpha_t", s.get("alpha_t"), u.alphaT());
        GoldenCompare.assertClose(FILE, "unipc.sigma_t", s.get("sigma_t"), u.sigmaT());
        GoldenCompare.assertClose(FILE, "unipc.lambda_t", s.get("lambda_t"), u.lambdaT());
        GoldenCompare.assertClose(FILE, "unipc.sigmas", s.get("sigmas"), u.sigmas());
        assertThrows(IllegalStateException.class, u::timesteps);
    }

    /** The shared schedule is bit-exact (torch.linspace's vectorised float32 kernel, cumprod in float64). */
    @Test
    void betasAndCumprodAreBitExact() {
        DDIMScheduler d = new DDIMScheduler(SchedulerConfig.audioLdm2());
        JsonNode s = schedule("ddim_eta0");
        org.junit.jupiter.api.Assertions.assertArrayEquals(Golden.floats(s.get("betas")), d.betas());
        org.junit.jupiter.api.Assertions.assertArrayEquals(Golden.floats(s.get("alphas_cumprod")), d.alphasCumprod());
    }
}
