package io.github.audioldm4j.bundle;

import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.util.Check;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format 1.0/2.0/3.0, C order, little-endian) holding
 * float32, int64 or bool arrays, as {@link HostTensor}s. Used for bundle reference tensors and for
 * dumping intermediate tensors.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * Reads a {@code .npy} file.
     *
     * @throws BundleException naming the file if it is missing, truncated, Fortran-ordered or of
     *     an unsupported dtype
     */
    public static HostTensor read(Path file) {
        Check.notNull("file", file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BundleException(file, "cannot read .npy file: " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    static HostTensor parse(Path file, byte[] bytes) {
        if (bytes.length < 10) {
            throw new BundleException(file, "not a .npy file: " + bytes.length + " bytes is shorter than the header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new BundleException(file, "not a .npy file: bad magic bytes");
            }
        }
        int major = bytes[6] & 0xff;
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int dataStart;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xffff;
            dataStart = 10 + headerLen;
        } else if (major == 2 || major == 3) {
            headerLen = bb.getInt(8);
            dataStart = 12 + headerLen;
        } else {
            throw new BundleException(file, "unsupported .npy format version " + major);
        }
        if (headerLen < 0 || dataStart > bytes.length) {
            throw new BundleException(file, "truncated .npy header");
        }
        String header = new String(bytes, dataStart - headerLen, headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(file, DESCR, header, "descr");
        if (group(file, ORDER, header, "fortran_order").equals("True")) {
            throw new BundleException(file, "Fortran-ordered .npy arrays are not supported");
        }
        String shapeText = group(file, SHAPE, header, "shape").trim();
        List<Long> dims = new ArrayList<>();
        for (String part : shapeText.split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                dims.add(Long.parseLong(p));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        int count = Math.toIntExact(n);
        bb.position(dataStart);
        switch (descr) {
            case "<f4": {
                need(file, bytes, dataStart, 4L * count);
                float[] f = new float[count];
                bb.asFloatBuffer().get(f);
                return HostTensor.ofFloats(f, shape);
            }
            case "<i8": {
                need(file, bytes, dataStart, 8L * count);
                long[] l = new long[count];
                bb.asLongBuffer().get(l);
                return HostTensor.ofLongs(l, shape);
            }
            case "|b1": {
                need(file, bytes, dataStart, count);
                boolean[] b = new boolean[count];
                for (int i = 0; i < count; i++) {
                    b[i] = bytes[dataStart + i] != 0;
                }
                return HostTensor.ofBools(b, shape);
            }
            default:
                throw new BundleException(file, "unsupported .npy dtype '" + descr + "' (expected <f4, <i8 or |b1)");
        }
    }

    private static void need(Path file, byte[] bytes, int start, long size) {
        if (start + size > bytes.length) {
            throw new BundleException(file, "truncated .npy data: expected " + size + " bytes, found "
                    + (bytes.length - start));
        }
    }

    private static String group(Path file, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new BundleException(file, ".npy header has no valid '" + key + "' entry: " + header.trim());
        }
        return m.group(1);
    }

    /** Writes a tensor as a version 1.0 {@code .npy} file. */
    public static void write(Path file, HostTensor t) {
        Check.notNull("file", file);
        Check.notNull("tensor", t);
        String descr;
        int elem;
        switch (t.dtype()) {
            case FLOAT32: descr = "<f4"; elem = 4; break;
            case INT64: descr = "<i8"; elem = 8; break;
            default: descr = "|b1"; elem = 1; break;
        }
        long[] shape = t.shape();
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
        }
        s.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + s + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        int count = Math.toIntExact(t.numel());
        ByteBuffer bb = ByteBuffer.allocate(10 + header.length() + count * elem).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        bb.put(header.getBytes(StandardCharsets.ISO_8859_1));
        switch (t.dtype()) {
            case FLOAT32: for (float v : t.floats()) { bb.putFloat(v); } break;
            case INT64: for (long v : t.longs()) { bb.putLong(v); } break;
            default: for (boolean v : t.bools()) { bb.put((byte) (v ? 1 : 0)); } break;
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(bb.array());
        } catch (IOException e) {
            throw new BundleException(file, "cannot write .npy file: " + e.getMessage(), e);
        }
    }
}
