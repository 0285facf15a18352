package io.github.audioldm4j.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The {@code forward} signature of a TorchScript archive, read without loading it: the root
 * module's class is the first GLOBAL of {@code <archive>/data.pkl} (torch's C++ pickler writes
 * {@code c<module>\n<class>\n}), and its source is {@code <archive>/code/<module path>.py}, where
 * torch serialises {@code def forward(self: <class>, name: Type, ...) -> ...:}. Only the zip's
 * directory and these two small entries are read, so this is cheap even for multi-GB files.
 *
 * @param className the root module's qualified class, e.g. {@code __torch__.UNet}
 * @param arguments the argument names of {@code forward} after {@code self}
 */
record TorchScriptSchema(String className, List<String> arguments) {

    /** The class name without its module and torch's name-mangling prefix. */
    String simpleClassName() {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /**
     * Reads the schema of {@code file}.
     *
     * @throws BundleException naming the file if it is not a TorchScript archive or has no forward
     */
    static TorchScriptSchema read(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pkl = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                String n = e.getName();
                if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) {
                    pkl = e;
                    break;
                }
            }
            if (pkl == null) {
                throw new BundleException(file, "not a TorchScript archive: no <name>/data.pkl entry");
            }
            String root = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            String cls = rootClass(file, read(zip, pkl, 1 << 16));
            int dot = cls.lastIndexOf('.');
            String module = cls.substring(0, dot);
            String simple = cls.substring(dot + 1);
            String codePath = root + "code/" + module.replace('.', '/') + ".py";
            ZipEntry code = zip.getEntry(codePath);
            if (code == null) {
                throw new BundleException(file, "not a TorchScript archive: no code entry " + codePath + " for class "
                        + cls);
            }
            String src = new String(read(zip, code, 16 << 20), StandardCharsets.UTF_8);
            return new TorchScriptSchema(cls, forwardArguments(file, src, simple));
        } catch (ZipException e) {
            throw new BundleException(file, "not a TorchScript archive (not a readable zip file: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new BundleException(file, "cannot read the TorchScript archive: " + e.getMessage(), e);
        }
    }

    private static byte[] read(ZipFile zip, ZipEntry e, int limit) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while (out.size() < limit && (n = in.read(buf, 0, Math.min(buf.length, limit - out.size()))) > 0) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** The first GLOBAL ({@code 'c' module '\n' name '\n'}) after the PROTO opcode. */
    static String rootClass(Path file, byte[] pkl) {
        int i = 0;
        if (pkl.length >= 2 && (pkl[0] & 0xff) == 0x80) {
            i = 2; // PROTO n
        }
        if (i >= pkl.length || pkl[i] != 'c') {
            throw new BundleException(file, "not a TorchScript archive: data.pkl does not start with the root module's class");
        }
        int a = i + 1;
        int b = indexOf(pkl, (byte) '\n', a);
        int c = b < 0 ? -1 : indexOf(pkl, (byte) '\n', b + 1);
        if (c < 0) {
            throw new BundleException(file, "not a TorchScript archive: truncated class name in data.pkl");
        }
        String module = new String(pkl, a, b - a, StandardCharsets.UTF_8);
        String name = new String(pkl, b + 1, c - b - 1, StandardCharsets.UTF_8);
        if (!module.startsWith("__torch__") || name.isEmpty()) {
            throw new BundleException(file, "not a TorchScript module: data.pkl's root object is " + module + "." + name);
        }
        return module + "." + name;
    }

    private static int indexOf(byte[] a, byte v, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** The argument names of {@code forward} in {@code class <simple>(...)} of the serialised source. */
    static List<String> forwardArguments(Path file, String src, String simple) {
        int cls = src.indexOf("class " + simple + "(");
        if (cls < 0) {
            throw new BundleException(file, "TorchScript code has no class " + simple);
        }
        int next = src.indexOf("\nclass ", cls + 1);
        String body = src.substring(cls, next < 0 ? src.length() : next);
        int def = body.indexOf("def forward(");
        if (def < 0) {
            throw new BundleException(file, "TorchScript module " + simple + " has no forward method");
        }
        int open = def + "def forward(".length();
        int depth = 1;
        int close = -1;
        for (int k = open; k < body.length(); k++) {
            char ch = body.charAt(k);
            if (ch == '(' || ch == '[') {
                depth++;
            } else if (ch == ')' || ch == ']') {
                depth--;
                if (depth == 0) {
                    close = k;
                    break;
                }
            }
        }
        if (close < 0) {
            throw new BundleException(file, "TorchScript module " + simple + ": unterminated forward signature");
        }
        List<String> names = new ArrayList<>();
        for (String arg : splitTopLevel(body.substring(open, close))) {
            String a = arg.strip();
            if (a.isEmpty()) {
                continue;
            }
            int colon = a.indexOf(':');
            int eq = a.indexOf('=');
            int end = colon >= 0 ? colon : eq >= 0 ? eq : a.length();
            names.add(a.substring(0, end).strip());
        }
        if (names.isEmpty() || !names.get(0).equals("self")) {
            throw new BundleException(file, "TorchScript module " + simple + ": forward has no self argument");
        }
        return List.copyOf(names.subList(1, names.size()));
    }

    private static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int k = 0; k < s.length(); k++) {
            char ch = s.charAt(k);
            if (ch == '(' || ch == '[') {
                depth++;
            } else if (ch == ')' || ch == ']') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                out.add(s.substring(start, k));
                start = k + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }
}
