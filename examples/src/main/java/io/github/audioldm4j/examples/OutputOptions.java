package io.github.audioldm4j.examples;

import picocli.CommandLine.Option;

/** {@code --json}, {@code --quiet} and {@code --verbose}, shared by the commands. */
final class OutputOptions {
    @Option(names = "--json", description = "print the result as one JSON object on standard output")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "no progress or information on standard error")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "more detail, and stack traces on errors")
    boolean verbose;
}
