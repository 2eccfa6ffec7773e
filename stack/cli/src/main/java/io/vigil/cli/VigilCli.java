package io.vigil.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code vigil} command: runs Vigil on its embedded local stack. The {@code vigil} script at
 * the repository root builds what is missing and starts this class.
 */
@Command(
        name = "vigil",
        mixinStandardHelpOptions = true,
        description = "Runs Vigil on its embedded local stack.",
        subcommands = {
            UpCommand.class,
            StatusCommand.class,
            DownCommand.class,
            RulesCommand.class,
            SilenceCommand.class
        })
public final class VigilCli {
    @Option(
            names = "--home",
            defaultValue = ".",
            scope = CommandLine.ScopeType.INHERIT,
            description = "The Vigil checkout (holds the built job jar).")
    Path home;

    /** The local stack's folder: data, logs and the state file that status and down read. */
    Path dataDir() {
        return home.resolve(".vigil").toAbsolutePath().normalize();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line of {@code vigil}. A mistyped argument gets its message and a pointer to the
     * subcommand's help rather than the whole help text, which would push the message out of sight.
     */
    static CommandLine commandLine() {
        return new CommandLine(new VigilCli())
                .setParameterExceptionHandler(
                        (exception, args) -> {
                            CommandLine command = exception.getCommandLine();
                            PrintWriter err = command.getErr();
                            err.println(exception.getMessage());
                            CommandLine.UnmatchedArgumentException.printSuggestions(exception, err);
                            err.printf(
                                    "Try '%s --help' for more information.%n",
                                    command.getCommandSpec().qualifiedName());
                            err.flush();
                            return command.getCommandSpec().exitCodeOnInvalidInput();
                        });
    }
}
