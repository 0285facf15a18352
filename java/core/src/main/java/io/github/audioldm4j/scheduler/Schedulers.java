package io.github.audioldm4j.scheduler;

import io.github.audioldm4j.random.NoiseSource;
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
    public static final List<String> SUPPORTED = java.util.Arrays.stream(SchedulerType.values())
            .map(SchedulerType::className).toList();

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
        return SchedulerType.byClassName(name).orElseThrow(() -> unsupported("\"" + name + "\"")).create(config);
    }

    /**
     * Creates the scheduler and sets diffusers' {@code eta} step argument where the class has one
     * ({@link SchedulerType#supportsEta()}; ignored otherwise, as diffusers' pipelines pass it only
     * to schedulers whose {@code step} accepts it).
     */
    public static Scheduler create(SchedulerConfig config, double eta) {
        Scheduler s = create(config);
        SchedulerType.byClassName(config.className()).orElseThrow().applyEta(s, eta);
        return s;
    }

    /**
     * Creates a scheduler of the given class from another scheduler's config (diffusers'
     * {@code Cls.from_config(other.config)}): the config with {@code _class_name} replaced.
     */
    public static Scheduler create(String className, SchedulerConfig config) {
        Check.notBlank("className", className);
        return create(Check.notNull("config", config).with("_class_name", className));
    }

    private static final java.util.Map<String, Integer> MAX_STEPS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The largest {@code num_inference_steps} this config can run; the valid range is
     * {@code [1, maxInferenceSteps(config)]}. Below {@code num_train_timesteps} for some configs:
     * with AudioLDM2's {@code timestep_spacing="leading"} and {@code steps_offset=1}, DDIM and PNDM
     * would index timestep 1000 at 1000 steps (diffusers fails there too), DPM-Solver++ and UniPC
     * get a degenerate leading schedule, and LMS's order-4 coefficient integrals stop converging.
     * Found by running the schedule dry (a one-element sample, zero model output, zero noise) and
     * bisecting; the result is cached per config.
     *
     * @throws IllegalArgumentException for an invalid config
     */
    public static int maxInferenceSteps(SchedulerConfig config) {
        Check.notNull("config", config);
        create(config); // validates the config, with its own message
        return MAX_STEPS.computeIfAbsent(config.toString(), k -> {
            int hi = Math.max(1, config.getInt("num_train_timesteps", 1000));
            if (runsDry(config, hi)) {
                return hi;
            }
            int lo = 1; // runsDry(lo) holds for every supported config
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (runsDry(config, mid)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return lo;
        });
    }

    /**
     * Checks {@code steps} against {@link #maxInferenceSteps}; call before any model work.
     *
     * @param name the caller's name for the value (e.g. {@code "numInferenceSteps"})
     * @throws IllegalArgumentException naming {@code name}, the range, the scheduler and the value
     */
    public static void checkInferenceSteps(String name, SchedulerConfig config, int steps) {
        int max = maxInferenceSteps(config);
        if (steps < 1 || steps > max) {
            throw new IllegalArgumentException(name + " must be in [1, " + max + "] for " + config.className()
                    + " (timestep_spacing " + config.getString("timestep_spacing", "leading") + ", steps_offset "
                    + config.getInt("steps_offset", 0) + ", num_train_timesteps "
                    + config.getInt("num_train_timesteps", 1000) + "), got " + steps);
        }
    }

    private static boolean runsDry(SchedulerConfig config, int steps) {
        try {
            Scheduler s = create(config);
            s.setTimesteps(steps);
            float[] sample = new float[1];
            NoiseSource zeros = float[]::new;
            for (float t : s.timesteps()) {
                float[] in = s.scaleModelInput(sample, t);
                sample = s.step(new float[in.length], t, sample, zeros).prevSample();
            }
            return Float.isFinite(sample[0]);
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            return false;
        }
    }

    private static IllegalArgumentException unsupported(String got) {
        return new IllegalArgumentException("scheduler config field _class_name must be one of "
                + String.join(", ", SUPPORTED) + ", got " + got);
    }
}
