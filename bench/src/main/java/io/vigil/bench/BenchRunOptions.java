package io.vigil.bench;

import io.vigil.bench.pipeline.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options every benchmark run takes (a picocli mixin): where its data goes, what it runs, and
 * where its report is appended.
 */
public final class BenchRunOptions {
    @Option(
            names = "--run-dir",
            description = "A fresh folder for this run's data, logs and profiles (required).")
    Path runDir;

    @Option(names = "--job-jar", description = "The shaded vigil-jobs jar (for the Vigil side).")
    Path jobJar;

    @Option(
            names = "--prometheus",
            defaultValue = "/usr/bin/prometheus",
            description = "The prometheus executable (${DEFAULT-VALUE}).")
    Path prometheusBinary;

    @Option(
            names = "--results",
            description = "Markdown file the results are appended to (required).")
    Path results;

    @Option(
            names = "--command-line",
            defaultValue = "",
            description = "The command as typed, for the report.")
    String commandLine;

    /**
     * Fails the command unless {@code --run-dir} and {@code --results} were given (not
     * picocli-required: that would make them required for the {@code stop} subcommand too), and
     * creates the run folder.
     */
    void requireRun(Object command) throws IOException {
        if (runDir == null || results == null) {
            throw new CommandLine.ParameterException(
                    new CommandLine(command), "--run-dir and --results are required");
        }
        Files.createDirectories(runDir);
    }

    /** Prints the report and appends it to the results file. */
    void appendReport(String report) throws IOException {
        System.out.println();
        System.out.println(report);
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.writeString(
                results,
                "\n" + report,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Console.say("results appended to %s; data, logs and profiles in %s", results, runDir);
    }
}
