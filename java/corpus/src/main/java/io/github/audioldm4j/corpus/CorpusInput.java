package io.github.audioldm4j.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** The clips of a corpus: a folder (recursive) or a manifest (CSV or JSONL with {@code path}, {@code id}, {@code caption}). */
public final class CorpusInput {
    /** File extensions read from a folder (anything FFmpeg decodes with these names). */
    public static final Set<String> AUDIO_EXTENSIONS = Set.of("wav", "flac", "mp3", "ogg", "oga", "opus", "m4a", "aac",
            "aif", "aiff", "wma", "webm", "mka");

    /**
     * One clip: a whole file, or (with {@link CorpusSpec#segments()}) one segment of a long file.
     *
     * @param id unique id (a folder's clips: the path relative to it; a segment: the file's id,
     *     {@code #} and the segment's index in five digits)
     * @param path the audio file
     * @param caption its caption, or null
     * @param offsetSeconds where the clip starts in the file, {@code >= 0}
     * @param source the id of the file a segment was cut from (the file's own id when it fits in
     *     one segment), or null for a clip that {@link #expand} has not seen
     */
    public record Clip(String id, Path path, String caption, double offsetSeconds, String source) {
        public Clip {
            Check.notBlank("id", id);
            Check.notNull("path", path);
            Check.finite("offsetSeconds", offsetSeconds);
            Check.nonNegative("offsetSeconds", offsetSeconds);
        }

        /** A whole file. */
        public Clip(String id, Path path, String caption) {
            this(id, path, caption, 0.0, null);
        }

        /** True when this clip is one of several segments of its file. */
        public boolean segment() {
            return source != null && !source.equals(id);
        }
    }

    /**
     * The clips a job runs for {@code spec}: the clips as given when the spec cuts long files to
     * their first {@code max_seconds}; with {@link CorpusSpec#segments()}, every file longer than
     * {@code max_seconds} becomes consecutive segments of {@code max_seconds} (ids {@code id#00000},
     * {@code id#00001}, ...; the last one shorter, and left out when shorter than
     * {@code min_seconds}), so every part of a long recording is measured and the report aggregates
     * the segments per file. The length comes from the container header, or from a streaming decode
     * (bounded memory) when the header has none; a file that cannot be read stays one clip (its
     * decode records why). Idempotent: clips already expanded are kept. Sorted by id.
     */
    public static List<Clip> expand(List<Clip> clips, CorpusSpec spec) {
        Check.notNull("clips", clips);
        Check.notNull("spec", spec);
        if (!spec.segments()) {
            return clips;
        }
        List<Clip> out = new ArrayList<>();
        for (Clip c : clips) {
            Check.notNull("clips element", c);
            if (c.source() != null) {
                out.add(c);
                continue;
            }
            long[] rateAndLength = lengthOf(c.path());
            if (rateAndLength == null) {
                out.add(new Clip(c.id(), c.path(), c.caption(), c.offsetSeconds(), c.id()));
                continue;
            }
            int rate = (int) rateAndLength[0];
            long total = rateAndLength[1];
            long seg = Math.round(spec.maxSeconds() * rate);
            long min = (long) Math.ceil(spec.minSeconds() * rate);
            if (total <= seg) {
                out.add(new Clip(c.id(), c.path(), c.caption(), 0.0, c.id()));
                continue;
            }
            for (long k = 0; k * seg < total; k++) {
                long start = k * seg;
                if (k > 0 && total - start < min) {
                    break; // a tail shorter than min_seconds
                }
                if (k >= 100_000) {
                    throw new IllegalArgumentException("clip " + c.id() + " would make more than 100000 segments of "
                            + spec.maxSeconds() + " s (" + total / (double) rate + " s long); raise max_seconds");
                }
                out.add(new Clip(c.id() + String.format(Locale.ROOT, "#%05d", k), c.path(), c.caption(),
                        start / (double) rate, c.id()));
            }
        }
        return sortedUnique(Path.of("(expanded clips)"), out);
    }

    /** {native rate, length in samples} of a file, or null when it cannot be read. */
    private static long[] lengthOf(Path file) {
        try {
            io.github.audioldm4j.io.AudioInfo info = io.github.audioldm4j.io.AudioDecoder.probe(file);
            int rate = info.sampleRate();
            if (Double.isFinite(info.durationSeconds()) && !info.durationEstimated()) {
                return new long[] {rate, Math.round(info.durationSeconds() * rate)};
            }
            // no exact header duration: count the samples in a streaming decode
            long n = 0;
            float[] buf = new float[1 << 16];
            try (io.github.audioldm4j.io.AudioReader r = io.github.audioldm4j.io.AudioReader.open(file,
                    io.github.audioldm4j.io.DecodeOptions.of(rate))) {
                int k;
                while ((k = r.read(buf, 0, buf.length)) > 0) {
                    n += k;
                }
            }
            return new long[] {rate, n};
        } catch (io.github.audioldm4j.io.AudioIOException | RuntimeException e) {
            return null;
        }
    }

    private CorpusInput() {}

    /** Reads a folder (recursively, by extension) or a manifest ({@code .csv}, {@code .jsonl}); sorted by id. */
    public static List<Clip> read(Path input) {
        Check.notNull("input", input);
        if (Files.isDirectory(input)) {
            return folder(input);
        }
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("input must be a folder or a manifest file, got " + input + " (not found)");
        }
        String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
        List<Clip> clips;
        if (name.endsWith(".csv")) {
            clips = csv(input);
        } else if (name.endsWith(".jsonl")) {
            clips = jsonl(input);
        } else {
            throw new IllegalArgumentException("manifest must end in .csv or .jsonl, got " + input);
        }
        return sortedUnique(input, clips);
    }

    private static List<Clip> folder(Path dir) {
        List<Clip> clips = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                String n = p.getFileName().toString();
                int dot = n.lastIndexOf('.');
                if (dot > 0 && AUDIO_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                    clips.add(new Clip(dir.relativize(p).toString().replace('\\', '/'), p, null));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (clips.isEmpty()) {
            throw new IllegalArgumentException("input folder " + dir + " holds no audio file (extensions "
                    + AUDIO_EXTENSIONS + ")");
        }
        return sortedUnique(dir, clips);
    }

    private static List<Clip> csv(Path file) {
        List<String> lines = lines(file);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("manifest " + file + " is empty");
        }
        List<String> header = parseCsvLine(lines.get(0));
        int path = header.indexOf("path");
        if (path < 0) {
            throw new IllegalArgumentException("manifest " + file + " must have a 'path' column, got " + header);
        }
        int id = header.indexOf("id");
        int caption = header.indexOf("caption");
        List<Clip> clips = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> f = parseCsvLine(lines.get(i));
            if (f.size() <= path || f.get(path).isBlank()) {
                throw new IllegalArgumentException("manifest " + file + " line " + (i + 1) + ": no path");
            }
            Path p = file.getParent() == null ? Path.of(f.get(path)) : file.getParent().resolve(f.get(path));
            clips.add(new Clip(id >= 0 && f.size() > id && !f.get(id).isBlank() ? f.get(id) : f.get(path), p,
                    caption >= 0 && f.size() > caption && !f.get(caption).isEmpty() ? f.get(caption) : null));
        }
        return clips;
    }

    private static List<Clip> jsonl(Path file) {
        ObjectMapper mapper = new ObjectMapper();
        List<Clip> clips = new ArrayList<>();
        List<String> lines = lines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = mapper.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IllegalArgumentException("manifest " + file + " line " + (i + 1) + " is not JSON: "
                        + e.getMessage(), e);
            }
            if (n == null || !n.hasNonNull("path")) {
                throw new IllegalArgumentException("manifest " + file + " line " + (i + 1) + ": no \"path\"");
            }
            String ps = n.get("path").asText();
            Path p = file.getParent() == null ? Path.of(ps) : file.getParent().resolve(ps);
            clips.add(new Clip(n.hasNonNull("id") ? n.get("id").asText() : ps, p,
                    n.hasNonNull("caption") ? n.get("caption").asText() : null));
        }
        return clips;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifest " + file, e);
        }
    }

    /** RFC 4180 fields of one line (quotes, doubled quotes inside quotes). */
    static List<String> parseCsvLine(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean q = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (q) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    q = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                q = true;
            } else if (c == ',') {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }

    private static List<Clip> sortedUnique(Path input, List<Clip> clips) {
        Set<String> seen = new HashSet<>();
        for (Clip c : clips) {
            if (!seen.add(c.id())) {
                throw new IllegalArgumentException("clip ids must be unique in " + input + ", got \"" + c.id()
                        + "\" twice");
            }
        }
        List<Clip> sorted = new ArrayList<>(clips);
        sorted.sort(Comparator.comparing(Clip::id));
        return sorted;
    }
}
