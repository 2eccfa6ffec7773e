package io.vigil.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * One run of the {@code vigil} command through picocli, as the {@code vigil} script runs it, with
 * what it printed on its standard output and error writers.
 *
 * @param exitCode what {@code vigil} would exit with
 */
record CliRun(int exitCode, String out, String err) {

    /** Runs {@code vigil --home <home> <args>}. */
    static CliRun run(Path home, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli =
                VigilCli.commandLine()
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        all[0] = "--home";
        all[1] = home.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int exitCode = cli.execute(all);
        return new CliRun(exitCode, out.toString(), err.toString());
    }
}
