package io.github.audioldm4j.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.github.audioldm4j.bundle.BundleException;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} (through DJL's bindings to the Rust tokenizers library)
 * with the truncation/padding rules AudioLDM2 uses. Truncation is done by the tokenizers library
 * so that special tokens (RoBERTa's {@code <s> ... </s>}, T5's trailing {@code </s>}) survive it,
 * as with {@code truncation=True} in transformers. Padding is done here with the bundle's pad id.
 * Not thread-safe.
 */
public final class TextTokenizer implements AutoCloseable {
    private final Path file;
    private final long padId;
    private final Map<Integer, HuggingFaceTokenizer> byMaxLength = new HashMap<>();
    private boolean closed;

    /**
     * @param file a tokenizer.json
     * @param padId the id used for padding (RoBERTa 1, T5 0)
     */
    public TextTokenizer(Path file, long padId) {
        this.file = Check.notNull("file", file);
        if (padId < 0) {
            throw new IllegalArgumentException("padId must be >= 0, got " + padId);
        }
        this.padId = padId;
        instance(512); // fail fast on a malformed file
    }

    public long padId() {
        return padId;
    }

    private HuggingFaceTokenizer instance(int maxLength) {
        if (closed) {
            throw new IllegalStateException("tokenizer " + file + " is closed");
        }
        HuggingFaceTokenizer t = byMaxLength.get(maxLength);
        if (t == null) {
            try {
                t = HuggingFaceTokenizer.builder()
                        .optTokenizerPath(file)
                        .optAddSpecialTokens(true)
                        .optTruncation(true)
                        .optMaxLength(maxLength)
                        .optPadding(false)
                        .build();
            } catch (IOException | RuntimeException e) {
                throw new BundleException(file, "cannot load tokenizer.json: " + e.getMessage(), e);
            }
            byMaxLength.put(maxLength, t);
        }
        return t;
    }

    private HuggingFaceTokenizer untruncated;

    /**
     * The number of tokens of {@code text} with special tokens and without truncation, to tell
     * whether {@link #encode} at some max length cuts it.
     */
    public synchronized int untruncatedLength(String text) {
        Check.notNull("text", text);
        if (closed) {
            throw new IllegalStateException("tokenizer " + file + " is closed");
        }
        if (untruncated == null) {
            try {
                untruncated = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(true)
                        .optTruncation(false).optPadding(false).build();
            } catch (IOException | RuntimeException e) {
                throw new BundleException(file, "cannot load tokenizer.json: " + e.getMessage(), e);
            }
        }
        return untruncated.encode(text).getIds().length;
    }

    /** Token ids of {@code text} with special tokens, truncated to at most {@code maxLength}. */
    public long[] encode(String text, int maxLength) {
        Check.notNull("text", text);
        Check.positive("maxLength", maxLength);
        Encoding e = instance(maxLength).encode(text);
        return e.getIds();
    }

    /**
     * Tokenises a batch into a [B, length] id matrix and mask, padding each row with the pad id
     * to {@code length} (truncating to it first).
     */
    public TokenBatch encodeBatch(java.util.List<String> texts, int length) {
        Check.notEmpty("texts", texts);
        Check.positive("length", length);
        long[] ids = new long[texts.size() * length];
        long[] mask = new long[texts.size() * length];
        java.util.Arrays.fill(ids, padId);
        for (int b = 0; b < texts.size(); b++) {
            long[] row = encode(Check.requireNonNullElement("texts", texts.get(b), b), length);
            System.arraycopy(row, 0, ids, b * length, row.length);
            java.util.Arrays.fill(mask, b * length, b * length + row.length, 1L);
        }
        return new TokenBatch(ids, mask, texts.size(), length);
    }

    /** Longest tokenised length in a batch after truncation to {@code maxLength} ({@code padding=True}). */
    public int longest(java.util.List<String> texts, int maxLength) {
        int n = 0;
        for (int b = 0; b < texts.size(); b++) {
            n = Math.max(n, encode(Check.requireNonNullElement("texts", texts.get(b), b), maxLength).length);
        }
        return n;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (HuggingFaceTokenizer t : byMaxLength.values()) {
            t.close();
        }
        byMaxLength.clear();
        if (untruncated != null) {
            untruncated.close();
            untruncated = null;
        }
    }
}
