package io.github.audioldm4j.scheduler;

import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The registry of scheduler classes: diffusers class name, factory and capabilities. Adding a
 * scheduler is one entry here.
 */
public enum SchedulerType {
    DDIM("DDIMScheduler", DDIMScheduler::new, (s, eta) -> ((DDIMScheduler) s).setEta(eta)),
    PNDM("PNDMScheduler", PNDMScheduler::new, null),
    DPM_SOLVER_MULTISTEP("DPMSolverMultistepScheduler", DPMSolverMultistepScheduler::new, null),
    UNIPC_MULTISTEP("UniPCMultistepScheduler", UniPCMultistepScheduler::new, null),
    EULER("EulerDiscreteScheduler", EulerDiscreteScheduler::new, null),
    EULER_ANCESTRAL("EulerAncestralDiscreteScheduler", EulerAncestralDiscreteScheduler::new, null),
    LMS("LMSDiscreteScheduler", LMSDiscreteScheduler::new, null),
    HEUN("HeunDiscreteScheduler", HeunDiscreteScheduler::new, null);

    private final String className;
    private final Function<SchedulerConfig, Scheduler> factory;
    private final BiConsumer<Scheduler, Double> etaSetter;

    SchedulerType(String className, Function<SchedulerConfig, Scheduler> factory, BiConsumer<Scheduler, Double> eta) {
        this.className = className;
        this.factory = factory;
        this.etaSetter = eta;
    }

    /** diffusers' class name, the config's {@code _class_name}. */
    public String className() {
        return className;
    }

    /** Whether the class takes diffusers' {@code eta} step argument (DDIM's stochasticity). */
    public boolean supportsEta() {
        return etaSetter != null;
    }

    /** A new scheduler of this type from a config (its {@code _class_name} is not read). */
    public Scheduler create(SchedulerConfig config) {
        return factory.apply(config);
    }

    /** Sets {@code eta} on a scheduler of this type; ignored by types without eta (as diffusers' pipelines do). */
    void applyEta(Scheduler s, double eta) {
        if (etaSetter != null) {
            etaSetter.accept(s, eta);
        }
    }

    /** The type with this diffusers class name. */
    public static Optional<SchedulerType> byClassName(String className) {
        for (SchedulerType t : values()) {
            if (t.className.equals(className)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
