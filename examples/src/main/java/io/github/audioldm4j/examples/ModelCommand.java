package io.github.audioldm4j.examples;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What the model subcommands share: the top command's streams, the runtime options and the output options. */
abstract class ModelCommand {
    @ParentCommand
    Audioldm4j top;
    @Spec
    CommandSpec spec;
    @Mixin
    RuntimeOptions runtimeOptions;
    @Mixin
    OutputOptions output;
}
