package io.vigil.cli;

import io.vigil.stack.state.Health;
import io.vigil.stack.state.ProcessStatus;
import io.vigil.stack.state.StackState;
import io.vigil.stack.state.StackStatus;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vigil status}: each process of the local stack with pid, port and health, read from the
 * state file that {@code vigil up} writes. Exits 1 when a process is not healthy, so scripts can
 * test it.
 */
@Command(name = "status", description = "Show each process of the local stack and its health.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand VigilCli cli;

    @Override
    public Integer call() {
        Optional<StackStatus> status = print(cli.dataDir());
        if (status.isEmpty()) {
            return 3;
        }
        return status.get().allRunning() ? 0 : 1;
    }

    /** Prints the status table of the stack in {@code dataDir}; empty if none was started. */
    static Optional<StackStatus> print(Path dataDir) {
        Optional<StackState> state = StackState.read(dataDir);
        if (state.isEmpty()) {
            Console.say("no local stack recorded in %s; start one with ./vigil up", dataDir);
            return Optional.empty();
        }
        StackStatus status = StackStatus.probe(state.get());
        System.out.printf("%-22s %-8s %-7s %-10s %s%n", "NAME", "PID", "PORT", "HEALTH", "LOG");
        for (ProcessStatus process : status.processes()) {
            System.out.printf(
                    "%-22s %-8d %-7s %-10s %s%n",
                    process.name(),
                    process.pid(),
                    process.process().mainPortNumber().isPresent()
                            ? Integer.toString(process.process().mainPortNumber().getAsInt())
                            : "-",
                    process.health(),
                    dataDir.getParent().relativize(process.process().logFile()));
        }
        status.processes().stream()
                .filter(process -> process.health() != Health.RUNNING)
                .forEach(
                        process ->
                                Console.say(
                                        "%s is %s; its log: %s",
                                        process.name(),
                                        process.health(),
                                        process.process().logFile()));
        return Optional.of(status);
    }
}
