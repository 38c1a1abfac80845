package io.imagefarm.cli;

import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A usage error is one line on stderr, {@code imagefarm CMD: what is wrong (see 'imagefarm CMD --help')},
 * and exit code 2. The wording of the hand-written parser it replaced is kept where CI logs may be
 * grepped for it: {@code unknown command 'x'}, {@code unknown option '--x'}, {@code missing --a and --b},
 * {@code --x needs a value}.
 */
final class UsageErrors implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + oneLine(describe(ex)) + " (see '" + name + " --help')");
        cmd.getErr().flush();
        return ImagefarmCli.USAGE;
    }

    static String describe(ParameterException ex) {
        List<String> unknown = ex.getCommandLine().getUnmatchedArguments();
        if (!(ex instanceof UnmatchedArgumentException) && !unknown.isEmpty()) {
            // picocli checks required options before it complains about unknown arguments; a
            // misspelt option explains a missing one, so it is named first, as the old parser did.
            return describe(new UnmatchedArgumentException(ex.getCommandLine(), unknown));
        }
        if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            boolean commandExpected = !ex.getCommandLine().getSubcommands().isEmpty();
            String what = first.startsWith("-") ? "unknown option '" + first + "'"
                    : commandExpected ? "unknown command '" + first + "'"
                    : "unexpected argument '" + first + "'";
            List<String> suggestions = unmatched.getSuggestions();
            return suggestions.isEmpty() ? what : what + "; did you mean " + String.join(" or ", suggestions) + "?";
        }
        if (ex instanceof MissingParameterException missing && !missing.getMissing().isEmpty()) {
            // picocli raises the same exception for an absent required option and for an option
            // given last without its value; only its message tells them apart.
            String names = missing.getMissing().stream().map(UsageErrors::name).collect(Collectors.joining(" and "));
            return String.valueOf(ex.getMessage()).startsWith("Missing required option")
                    ? "missing " + names
                    : names + " needs a value";
        }
        String message = String.valueOf(ex.getMessage());
        // picocli's own messages start upper-case ("Invalid value for option ..."); ours read on after "imagefarm CMD: ".
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
    }

    static String oneLine(String message) {
        return message.replace('\n', ' ').replace('\r', ' ');
    }
}
