package io.github.audioldm4j.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job's results: an append-only JSONL file, one row per clip and stage, keyed by content
 * hash + stage + settings. Rows of a clip are appended together and forced to disk before the
 * next clip starts, so a crash loses at most the clip in flight; a line cut by a crash is dropped
 * when the store is opened again. Thread-safe (the job's prefetch thread asks what is done).
 */
final class ResultStore implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Map<String, ObjectNode> rows = new LinkedHashMap<>();
    private final FileChannel channel;

    ResultStore(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                byte[] all = Files.readAllBytes(file);
                int end = all.length;
                while (end > 0 && all[end - 1] != '\n') {
                    end--; // a line the previous run did not finish
                }
                String text = new String(all, 0, end, StandardCharsets.UTF_8);
                for (String line : text.split("\n")) {
                    if (!line.isBlank()) {
                        ObjectNode row = (ObjectNode) MAPPER.readTree(line);
                        rows.put(row.get("key").asText(), row);
                    }
                }
                if (end != all.length) {
                    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        c.truncate(end);
                    }
                }
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the results " + file, e);
        }
    }

    synchronized boolean has(String key) {
        return rows.containsKey(key);
    }

    synchronized ObjectNode get(String key) {
        return rows.get(key);
    }

    synchronized Collection<ObjectNode> all() {
        return new ArrayList<>(rows.values());
    }

    /** Appends the rows of one clip and forces them to disk. */
    synchronized void append(List<ObjectNode> clipRows) {
        if (clipRows.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (ObjectNode r : clipRows) {
            sb.append(r.toString()).append('\n');
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append results", e);
        }
        for (ObjectNode r : clipRows) {
            rows.put(r.get("key").asText(), r);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
