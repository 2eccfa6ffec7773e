package io.vigil.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.cli.RunningStack.RecordedNotifier;
import io.vigil.connectors.cassandra.CqlSessions;
import io.vigil.notifier.log.CassandraNotificationLog;
import io.vigil.stack.state.Health;
import io.vigil.stack.state.ProcessStatus;
import io.vigil.stack.state.StackState;
import io.vigil.stack.state.StackStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vigil status}: each process of the local stack with pid, port and health, read from the
 * state file that {@code vigil up} writes, and where the notifier's API is. Exits 1 when a process
 * is not healthy, so scripts can test it.
 */
@Command(name = "status", description = "Show each process of the local stack and its health.")
final class StatusCommand implements Callable<Integer> {
    /**
     * Status is a quick look: a Cassandra that does not answer in this is reported, not awaited.
     */
    private static final Duration CQL_TIMEOUT = Duration.ofSeconds(5);

    @ParentCommand VigilCli cli;

    @Override
    public Integer call() {
        Optional<StackStatus> status = print(cli.dataDir());
        if (status.isEmpty()) {
            return 3;
        }
        RecordedNotifier.of(status.get().state())
                .ifPresent(notifier -> printNotifier(notifier, status.get().state()));
        return status.get().allRunning() ? 0 : 1;
    }

    /** Where the notifier's API is and how many notifications it delivered since it started. */
    private static void printNotifier(RecordedNotifier notifier, StackState state) {
        Instant since = notifier.process().startedAt();
        String delivered =
                RunningStack.of(state)
                        .map(stack -> delivered(stack, since))
                        .orElse("unknown (Cassandra is not running)");
        Console.say(
                "notifier: silence API %s/api/v2/silences (./vigil silence list); notifications"
                        + " delivered since %s: %s",
                notifier.api(),
                since == null ? "its start" : since.truncatedTo(ChronoUnit.SECONDS),
                delivered);
    }

    private static String delivered(RunningStack stack, Instant since) {
        try (CqlSession session =
                CqlSessions.open(stack.cassandra(), stack.cassandraDatacenter(), CQL_TIMEOUT)) {
            return Long.toString(
                    CassandraNotificationLog.countDelivered(
                            session, since == null ? Instant.EPOCH : since));
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
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
