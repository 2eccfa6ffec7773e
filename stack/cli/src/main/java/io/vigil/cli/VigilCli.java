package io.vigil.cli;

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
        subcommands = {UpCommand.class, StatusCommand.class, DownCommand.class, RulesCommand.class})
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
        System.exit(new CommandLine(new VigilCli()).execute(args));
    }
}
