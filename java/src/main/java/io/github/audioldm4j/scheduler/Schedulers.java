package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.util.Check;
import java.util.List;

/**
 * Builds a {@link Scheduler} from a diffusers scheduler config by its {@code _class_name}, the way
 * diffusers' {@code SchedulerMixin.from_config} picks the class. Fields a class does not know are
 * ignored, so a DDIM config can be handed to any class with {@code _class_name} replaced, as
 * AudioLDM2 users swap schedulers with {@code Cls.from_config(pipe.scheduler.config)}.
 */
public final class Schedulers {
    /** The class names {@link #create} accepts. */
    public static final List<String> SUPPORTED = List.of(
            "DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler",
            "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler", "HeunDiscreteScheduler");

    private Schedulers() {}

    /**
     * Creates the scheduler named by the config's {@code _class_name}.
     *
     * @throws IllegalArgumentException for a missing or unsupported class name (the message lists the
     *     supported ones) or an invalid config
     * @throws UnsupportedOperationException for config options the class does not implement
     */
    public static Scheduler create(SchedulerConfig config) {
        Check.notNull("config", config);
        String name = config.className();
        if (name == null) {
            throw unsupported("null");
        }
        switch (name) {
            case "DDIMScheduler":
                return new DDIMScheduler(config);
            case "PNDMScheduler":
                return new PNDMScheduler(config);
            case "DPMSolverMultistepScheduler":
                return new DPMSolverMultistepScheduler(config);
            case "UniPCMultistepScheduler":
                return new UniPCMultistepScheduler(config);
            case "EulerDiscreteScheduler":
                return new EulerDiscreteScheduler(config);
            case "EulerAncestralDiscreteScheduler":
                return new EulerAncestralDiscreteScheduler(config);
            case "LMSDiscreteScheduler":
                return new LMSDiscreteScheduler(config);
            case "HeunDiscreteScheduler":
                return new HeunDiscreteScheduler(config);
            default:
                throw unsupported("\"" + name + "\"");
        }
    }

    /**
     * Creates a scheduler of the given class from another scheduler's config (diffusers'
     * {@code Cls.from_config(other.config)}): the config with {@code _class_name} replaced.
     */
    public static Scheduler create(String className, SchedulerConfig config) {
        Check.notBlank("className", className);
        return create(Check.notNull("config", config).with("_class_name", className));
    }

    private static IllegalArgumentException unsupported(String got) {
        return new IllegalArgumentException("scheduler config field _class_name must be one of "
                + String.join(", ", SUPPORTED) + ", got " + got);
    }
}
