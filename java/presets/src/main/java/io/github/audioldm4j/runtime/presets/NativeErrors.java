package io.github.audioldm4j.runtime.presets;

/** Turns libtorch exception messages (c10::Error with a C++ backtrace) into one readable line. */
final class NativeErrors {
    private NativeErrors() {}

    static String summary(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int cut = m.indexOf("Exception raised from");
        if (cut > 0) {
            m = m.substring(0, cut);
        }
        StringBuilder sb = new StringBuilder();
        for (String line : m.split("\n")) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("frame #")) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(s);
            if (sb.length() > 600) {
                sb.setLength(600);
                sb.append("...");
                break;
            }
        }
        return sb.toString();
    }
}
