package io.github.audioldm4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.audioldm4j.bundle.Npy;
import io.github.audioldm4j.runtime.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --npy-out DIR} of the audio-in commands: exact float32 intermediates as .npy files
 * plus {@code npy.json} (the scalars a comparison needs: gain, sample counts, shapes, settings),
 * read by {@code torchscript-models/upstream/parity.py}.
 */
final class NpyOut {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final List<String> files = new ArrayList<>();
    private final Map<String, Object> meta = new LinkedHashMap<>();
    private final Map<String, Object> arrays = new LinkedHashMap<>();

    private NpyOut(Path dir) {
        this.dir = dir;
    }

    /** Creates the folder (checked beforehand by {@link CliChecks#outputDirectory}). */
    static NpyOut open(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new NpyOut(dir);
    }

    /** Writes {@code NAME.npy}, float32 of the given shape (the product of which must be data.length). */
    NpyOut put(String name, float[] data, long... shape) throws IOException {
        Path p = dir.resolve(name + ".npy");
        Npy.write(p, HostTensor.ofFloats(data, shape));
        files.add(p.toAbsolutePath().toString());
        arrays.put(name, shape.clone());
        return this;
    }

    /** Writes a tensor as {@code NAME.npy}. */
    NpyOut put(String name, HostTensor t) throws IOException {
        return put(name, t.floats(), t.shape());
    }

    /** A scalar or small value for npy.json. */
    NpyOut meta(String key, Object value) {
        meta.put(key, value);
        return this;
    }

    /** Writes npy.json and returns the absolute paths of every file written. */
    List<String> finish() throws IOException {
        Map<String, Object> j = new LinkedHashMap<>(meta);
        j.put("arrays", arrays);
        Path p = dir.resolve("npy.json");
        Files.writeString(p, MAPPER.writeValueAsString(j) + "\n");
        List<String> all = new ArrayList<>(files);
        all.add(p.toAbsolutePath().toString());
        return all;
    }
}
