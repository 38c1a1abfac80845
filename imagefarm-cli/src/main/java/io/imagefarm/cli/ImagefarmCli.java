package io.imagefarm.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code imagefarm}: the command CI runs instead of the seed's bash step. The subcommands do the
 * work ({@link HashCommand}, {@link ResolveCommand}, {@link VerifyCommand}, {@link CompletionCommand}); this class wires
 * them into picocli and owns the exit codes. Results go to stdout as {@code key=value} lines;
 * every error is one line on stderr, prefixed with the command's name.
 */
@Command(name = "imagefarm",
        mixinStandardHelpOptions = true,
        optionListHeading = "%nOptions:%n",
        versionProvider = VersionProvider.class,
        description = "Names and ensures the builder images of a repository, as the seed's setup-docker step did.",
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = ImagefarmCli.EXIT_CODES_HEADING,
        exitCodeList = {ImagefarmCli.EXIT_OK, ImagefarmCli.EXIT_FAILED, ImagefarmCli.EXIT_USAGE},
        footerHeading = "%n",
        footer = {"'imagefarm COMMAND --help' describes a command.",
            "Bash completion: source <(imagefarm completion)"})
public final class ImagefarmCli implements Runnable {

    /** Success: the output lines are complete. */
    static final int OK = 0;
    /** A check failed: bad repository files, a failed or timed-out build, an unreachable or failing server. */
    static final int FAILED = 1;
    /** Bad usage: unknown command or option, a missing or malformed option value. */
    static final int USAGE = 2;

    static final String EXIT_CODES_HEADING = "%nExit codes:%n";
    static final String EXIT_OK = "0:success";
    static final String EXIT_FAILED = "1:a check failed (the command's help says which)";
    static final String EXIT_USAGE = "2:usage error: unknown command or option, missing or malformed value";

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /** @param env where {@code resolve} looks up {@code IMAGEFARM_TOKEN} */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine(env, out, err);
        try {
            return cli.execute(args);
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
            out.flush();
            err.flush();
        }
    }

    /**
     * The command tree. Settings are applied after the subcommands are added, because picocli
     * copies them down the tree only at the moment they are set.
     */
    static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new ImagefarmCli());
        cli.addSubcommand(new HashCommand(out, err));
        cli.addSubcommand(new ResolveCommand(env, out, err));
        cli.addSubcommand(new VerifyCommand(env, out, err));
        cli.addSubcommand(new CompletionCommand(out));
        cli.addSubcommand(new CommandLine.HelpCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        // Options as the hand-written parser took them: a repeated option's last value wins, and an
        // argument starting with @ is a value, not a file of arguments.
        cli.setOverwrittenOptionsAllowed(true);
        cli.setExpandAtFiles(false);
        cli.setParameterExceptionHandler(new UsageErrors());
        return cli;
    }

    /** {@code imagefarm} without a command is a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command; one of: "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
