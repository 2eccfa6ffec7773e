package io.vigil.stack.state;

import io.vigil.stack.process.ReadinessCheck;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * What {@code vigil status} shows: each recorded process of a stack with its pid, ports and {@link
 * Health}, checked at one moment.
 *
 * <pre>{@code
 * StackStatus status = StackState.read(dataDir).orElseThrow().status();
 * if (status.health("cassandra").orElseThrow() == Health.DEAD) { ... }
 * }</pre>
 */
public final class StackStatus {

    private final StackState state;
    private final Instant checkedAt;
    private final List<ProcessStatus> processes;

    private StackStatus(StackState state, Instant checkedAt, List<ProcessStatus> processes) {
        this.state = state;
        this.checkedAt = checkedAt;
        this.processes = List.copyOf(processes);
    }

    /**
     * Checks every recorded process: is it alive (same pid and start time), and does its main port
     * accept a TCP connection on the loopback address.
     */
    public static StackStatus probe(StackState state) {
        List<ProcessStatus> processes =
                state.processes().stream()
                        .map(process -> new ProcessStatus(process, probe(process)))
                        .toList();
        return new StackStatus(state, Instant.now(), processes);
    }

    private static Health probe(ProcessRecord process) {
        boolean alive = process.isAlive();
        OptionalInt port = process.mainPortNumber();
        // Only a live process's port is worth a connection attempt; one without a port to check
        // counts as serving while it is alive.
        boolean portOpen = alive && (port.isEmpty() || acceptsConnections(port.getAsInt()));
        return Health.classify(alive, portOpen);
    }

    private static boolean acceptsConnections(int port) {
        try {
            return ReadinessCheck.tcpPort(port).isReady();
        } catch (Exception e) {
            return false;
        }
    }

    public StackState state() {
        return state;
    }

    public Instant checkedAt() {
        return checkedAt;
    }

    /** Every recorded process, in start order. */
    public List<ProcessStatus> processes() {
        return processes;
    }

    /** The status of the recorded process with this name. */
    public Optional<ProcessStatus> process(String name) {
        return processes.stream().filter(status -> status.name().equals(name)).findFirst();
    }

    /** The health of the recorded process with this name. */
    public Optional<Health> health(String name) {
        return process(name).map(ProcessStatus::health);
    }

    /** Whether every recorded process is {@link Health#RUNNING}. */
    public boolean allRunning() {
        return processes.stream().allMatch(status -> status.health() == Health.RUNNING);
    }

    /** One line per process: name, health, pid, ports, log. */
    @Override
    public String toString() {
        return processes.stream()
                .map(
                        status ->
                                String.format(
                                        "%-22s %-9s pid %-8s ports %-40s log %s",
                                        status.name(),
                                        status.health(),
                                        status.pid(),
                                        status.process().ports(),
                                        status.process().logFile()))
                .collect(Collectors.joining(System.lineSeparator()));
    }
}
