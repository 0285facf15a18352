package io.github.audioldm4j.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.audioldm4j.study.ReconstructionStudy;
import io.github.audioldm4j.util.Check;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a corpus job runs: the study's stages (and {@code generate}: text-to-audio from each clip's
 * caption), the diffusion settings, the seed and the length policy.
 *
 * @param stages stage names of {@link ReconstructionStudy#STAGE_NAMES} and/or {@value #GENERATE}
 * @param prompt text condition of the diffusion stages
 * @param numInferenceSteps schedule length
 * @param guidanceScale guidance of the diffusion stages
 * @param strength SDEdit / band-split strength
 * @param cutoffHz band edge of guided and band-split
 * @param seed job seed; each clip's seed is derived from it and the clip id
 * @param maxSeconds clips are cut to their first {@code maxSeconds}, or with {@code segments} into
 *     segments of {@code maxSeconds}
 * @param minSeconds shorter clips are recorded as failed (a long file's shorter tail is left out)
 * @param worstClips how many worst clips per stage the report shows (with audio and spectrograms)
 * @param segments false: a long file counts with its first {@code maxSeconds} only (JSON
 *     {@code "long_clips": "first"}); true: every {@code maxSeconds} of it is a clip, aggregated per
 *     file in the report ({@code "segments"}); see {@link CorpusInput#expand}
 */
public record CorpusSpec(List<String> stages, String prompt, int numInferenceSteps, double guidanceScale,
        double strength, double cutoffHz, long seed, double maxSeconds, double minSeconds, int worstClips,
        boolean segments) {
    /** The text-to-audio stage (needs captions). */
    public static final String GENERATE = "generate";

    public CorpusSpec {
        Check.notEmpty("stages", stages);
        Set<String> seen = new LinkedHashSet<>();
        for (String s : stages) {
            if (!ReconstructionStudy.STAGE_NAMES.contains(s) && !GENERATE.equals(s)) {
                throw new IllegalArgumentException("stages must be names of " + ReconstructionStudy.STAGE_NAMES
                        + " or \"generate\", got \"" + s + "\"");
            }
            if (!seen.add(s)) {
                throw new IllegalArgumentException("stages must not repeat, got \"" + s + "\" twice");
            }
        }
        stages = List.copyOf(stages);
        Check.notNull("prompt", prompt);
        Check.inRange("numInferenceSteps", numInferenceSteps, 1, 1000);
        Check.nonNegative("guidanceScale", guidanceScale);
        Check.inRangeExclusiveMin("strength", strength, 0.0, 1.0);
        Check.inRange("cutoffHz", cutoffHz, 100.0, 7900.0);
        Check.inRange("maxSeconds", maxSeconds, 0.25, 60.0);
        Check.inRange("minSeconds", minSeconds, 0.25, maxSeconds);
        Check.inRange("worstClips", worstClips, 0, 100);
    }

    /** A spec that cuts long files to their first {@code maxSeconds}. */
    public CorpusSpec(List<String> stages, String prompt, int numInferenceSteps, double guidanceScale,
            double strength, double cutoffHz, long seed, double maxSeconds, double minSeconds, int worstClips) {
        this(stages, prompt, numInferenceSteps, guidanceScale, strength, cutoffHz, seed, maxSeconds, minSeconds,
                worstClips, false);
    }

    /** All study stages, 100 steps, guidance 3.5, strength 0.3, 4 kHz, seed 0, 0.25..10.24 s, 3 worst clips. */
    public static CorpusSpec defaults() {
        return new CorpusSpec(ReconstructionStudy.STAGE_NAMES, "", 100, 3.5, 0.3, 4000, 0, 10.24, 0.25, 3);
    }

    public CorpusSpec withStages(List<String> s) {
        return new CorpusSpec(s, prompt, numInferenceSteps, guidanceScale, strength, cutoffHz, seed, maxSeconds,
                minSeconds, worstClips, segments);
    }

    public CorpusSpec withSteps(int n) {
        return new CorpusSpec(stages, prompt, n, guidanceScale, strength, cutoffHz, seed, maxSeconds, minSeconds,
                worstClips, segments);
    }

    public CorpusSpec withSeed(long s) {
        return new CorpusSpec(stages, prompt, numInferenceSteps, guidanceScale, strength, cutoffHz, s, maxSeconds,
                minSeconds, worstClips, segments);
    }

    public CorpusSpec withMaxSeconds(double s) {
        return new CorpusSpec(stages, prompt, numInferenceSteps, guidanceScale, strength, cutoffHz, seed, s,
                Math.min(minSeconds, s), worstClips, segments);
    }

    /** Long files as consecutive segments of {@code maxSeconds} (true) or cut to the first (false). */
    public CorpusSpec withSegments(boolean value) {
        return new CorpusSpec(stages, prompt, numInferenceSteps, guidanceScale, strength, cutoffHz, seed, maxSeconds,
                minSeconds, worstClips, value);
    }

    /**
     * The spec written by {@link #toJson()} (validated as by the constructor).
     *
     * @throws IllegalArgumentException naming the missing or mistyped field
     */
    public static CorpusSpec fromJson(com.fasterxml.jackson.databind.JsonNode o) {
        Check.notNull("json", o);
        for (String f : List.of("stages", "prompt", "num_inference_steps", "guidance_scale", "strength", "cutoff_hz",
                "seed", "max_seconds", "min_seconds", "worst_clips")) {
            if (!o.hasNonNull(f)) {
                throw new IllegalArgumentException("corpus spec JSON must have \"" + f + "\", got " + o);
            }
        }
        if (!o.get("stages").isArray()) {
            throw new IllegalArgumentException("corpus spec JSON \"stages\" must be an array, got " + o.get("stages"));
        }
        String longClips = o.path("long_clips").asText("first");
        if (!longClips.equals("first") && !longClips.equals("segments")) {
            throw new IllegalArgumentException("corpus spec JSON \"long_clips\" must be \"first\" or \"segments\", got "
                    + o.get("long_clips"));
        }
        List<String> st = new java.util.ArrayList<>();
        o.get("stages").forEach(n -> st.add(n.asText()));
        return new CorpusSpec(st, o.get("prompt").asText(), o.get("num_inference_steps").asInt(),
                o.get("guidance_scale").asDouble(), o.get("strength").asDouble(), o.get("cutoff_hz").asDouble(),
                o.get("seed").asLong(), o.get("max_seconds").asDouble(), o.get("min_seconds").asDouble(),
                o.get("worst_clips").asInt(), longClips.equals("segments"));
    }

    /** The settings as JSON (stages included). */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        ArrayNode a = o.putArray("stages");
        stages.forEach(a::add);
        o.put("prompt", prompt);
        o.put("num_inference_steps", numInferenceSteps);
        o.put("guidance_scale", guidanceScale);
        o.put("strength", strength);
        o.put("cutoff_hz", cutoffHz);
        o.put("seed", seed);
        o.put("max_seconds", maxSeconds);
        o.put("min_seconds", minSeconds);
        o.put("worst_clips", worstClips);
        o.put("long_clips", segments ? "segments" : "first");
        return o;
    }

    /**
     * The key of the settings a stage result depends on: everything but the stage list and the
     * report size, so adding a stage to a finished job reuses the results it has. The long-file
     * policy is left out too: a segment's clip id names it, and a file that fits in one segment is
     * the same result under both policies.
     */
    public String settingsKey() {
        ObjectNode o = toJson();
        o.remove("stages");
        o.remove("worst_clips");
        o.remove("long_clips");
        return sha256(o.toString());
    }

    /**
     * The key of one result: content hash, stage, these settings and the clip id (the clip's seed
     * derives from it, so two clips with the same content are two results).
     */
    public String resultKey(String content, String clipId, String stage) {
        return sha256(content + "|" + stage + "|" + settingsKey() + "|" + clipId);
    }

    /** The seed of one clip: SHA-256 of the job seed and the clip id (independent of order and threads). */
    public long clipSeed(String clipId) {
        byte[] h = digest(seed + "|" + clipId);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        return v & Long.MAX_VALUE;
    }

    static String sha256(String s) {
        return HexFormat.of().formatHex(digest(s));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
