package io.vigil.stack.state;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One process of a local stack as recorded in its state file.
 *
 * @param name unique within the stack, e.g. {@code kafka} or {@code flink-taskmanager-1}
 * @param pid the OS process id
 * @param startedAt when the OS started the process, or {@code null} if it did not say; with the pid
 *     it tells our process from a later one that got the same pid
 * @param mainPort the name of the port in {@code ports} whose answering means the process serves,
 *     or {@code null} if it has none
 * @param ports the loopback ports the process listens on, by name
 * @param logFile what its logging framework writes
 * @param outputFile its stdout and stderr
 */
public record ProcessRecord(
        String name,
        Role role,
        long pid,
        Instant startedAt,
        String mainPort,
        Map<String, Integer> ports,
        Path logFile,
        Path outputFile) {

    /**
     * Start times are compared with this slack: the OS reports them in clock ticks, and a reused
     * pid within a second of the original process is not a realistic case.
     */
    private static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(1);

    public ProcessRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(logFile, "logFile");
        Objects.requireNonNull(outputFile, "outputFile");
        ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
        if (mainPort != null && !ports.containsKey(mainPort)) {
            throw new IllegalArgumentException(
                    String.format(
                            "Main port %s of %s is not among its ports %s", mainPort, name, ports));
        }
    }

    /** The port whose answering means the process serves, if it has one. */
    public OptionalInt mainPortNumber() {
        return mainPort == null ? OptionalInt.empty() : OptionalInt.of(ports.get(mainPort));
    }

    /** The live process this record describes, if it still runs. */
    public Optional<ProcessHandle> liveHandle() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isSameProcess);
    }

    /** Whether the process this record describes still runs. */
    public boolean isAlive() {
        return liveHandle().isPresent();
    }

    private boolean isSameProcess(ProcessHandle handle) {
        if (startedAt == null) {
            return true;
        }
        return handle.info()
                .startInstant()
                .map(
                        actual ->
                                Duration.between(startedAt, actual)
                                                .abs()
                                                .compareTo(START_TIME_TOLERANCE)
                                        <= 0)
                .orElse(true);
    }
}
