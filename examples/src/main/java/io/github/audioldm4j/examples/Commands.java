package io.github.audioldm4j.examples;

/** Helpers of the per-command example mains. */
final class Commands {
    private Commands() {}

    /** {@code [command, args...]}. */
    static String[] prepend(String command, String[] args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }
}
