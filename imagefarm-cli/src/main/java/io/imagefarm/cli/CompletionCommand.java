package io.imagefarm.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imagefarm completion}: prints picocli's bash (and zsh) completion script for the whole command tree. */
@Command(name = "completion",
        mixinStandardHelpOptions = true,
        optionListHeading = "%nOptions:%n",
        versionProvider = VersionProvider.class,
        description = {
            "Prints a bash completion script for every command and option.",
            "",
            "  source <(imagefarm completion)                            # this shell",
            "  imagefarm completion > /etc/bash_completion.d/imagefarm   # new shells",
            "",
            "It completes the command named imagefarm: put bin/ on the PATH, or alias imagefarm to "
                    + "bin/imagefarm. zsh reads it after: autoload -U +X bashcompinit && bashcompinit"},
        exitCodeListHeading = ImagefarmCli.EXIT_CODES_HEADING,
        exitCodeList = {ImagefarmCli.EXIT_OK, ImagefarmCli.EXIT_USAGE})
final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private final PrintStream out;

    CompletionCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        out.print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
        out.flush();
        return ImagefarmCli.OK;
    }
}
