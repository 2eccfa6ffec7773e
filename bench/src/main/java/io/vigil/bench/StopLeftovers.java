package io.vigil.bench;

import io.vigil.bench.pipeline.Console;
import io.vigil.bench.process.ChildProcess;
import io.vigil.stack.state.ProcessRecord;
import io.vigil.stack.state.StackState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stop}, a subcommand of every benchmark: stops what a run in a folder left behind if its
 * JVM was killed before it could clean up (the benchmark scripts call it on every exit).
 */
@Command(name = "stop", description = "Stop the processes a killed run left behind.")
final class StopLeftovers implements Callable<Integer> {
    @Option(names = "--run-dir", required = true, description = "The run's folder.")
    Path runDir;

    @Override
    public Integer call() throws IOException {
        List<ProcessRecord> stopped =
                StackState.stopAll(runDir.resolve("vigil-stack"), Duration.ofSeconds(20));
        stopped.forEach(p -> Console.say("stopped leftover %s (pid %d)", p.name(), p.pid()));
        ChildProcess.stopLeftovers(runDir).forEach(p -> Console.say("stopped leftover %s", p));
        return 0;
    }
}
