package io.vigil.stack.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running child process of the local stack, started from a {@link ProcessSpec}: its stdout and
 * stderr go to a file, never to this JVM's console.
 *
 * <pre>{@code
 * ManagedProcess kafka = ManagedProcess.launch(spec); // returns at once
 * kafka.awaitReady(); // polls the readiness check, or throws ProcessStartException
 * ...
 * kafka.stop(); // SIGTERM, then SIGKILL after the stop timeout, then leftover descendants
 * }</pre>
 *
 * <p>Launching and waiting are separate so that the owner can record the process (for its shutdown
 * hook and state file) before the possibly long wait.
 */
public final class ManagedProcess {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedProcess.class);

    /** How often readiness is checked while a process starts. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private final ProcessSpec spec;
    private final Process process;
    private final long launchedAtNanos;
    private final Instant startedAt;
    private volatile Duration startupTime;

    private ManagedProcess(ProcessSpec spec, Process process, long launchedAtNanos) {
        this.spec = spec;
        this.process = process;
        this.launchedAtNanos = launchedAtNanos;
        // The OS's start time identifies the process together with its pid; it is what lets
        // another JVM tell our process from a later one that reuses the pid.
        this.startedAt = process.info().startInstant().orElseGet(Instant::now);
    }

    /**
     * Starts the process and returns without waiting for it to be ready. Logs of a previous run
     * with the same file names are moved aside to {@code <file>.previous} first, so that the log
     * and the readiness check see this run only.
     *
     * @throws ProcessStartException if the process cannot be started at all
     */
    public static ManagedProcess launch(ProcessSpec spec) {
        try {
            Files.createDirectories(spec.workingDir());
            moveAside(spec.outputFile());
            moveAside(spec.logFile());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    String.format("Cannot prepare the files of %s", spec.name()), e);
        }
        ProcessBuilder builder =
                new ProcessBuilder(spec.command())
                        .directory(spec.workingDir().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.to(spec.outputFile().toFile()));
        // glibc gives every thread that mallocs an arena of its own, up to eight per core; a JVM
        // with a hundred threads then holds tens of MiB of mostly empty arenas. Two suffice for
        // the JVM's own native allocations. A spec may say otherwise.
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.environment().putAll(spec.environment());
        long launchedAtNanos = System.nanoTime();
        Process process;
        try {
            process = builder.start();
            // Nothing is ever typed into these processes; EOF on stdin is the honest answer.
            process.getOutputStream().close();
        } catch (IOException e) {
            throw ProcessStartException.of(
                    spec.name(),
                    String.format("cannot run %s: %s", spec.command().get(0), e.getMessage()),
                    null,
                    spec.logFile(),
                    spec.outputFile(),
                    e);
        }
        LOG.info(
                "Started {} (pid {}), ports {}, log {}",
                spec.name(),
                process.pid(),
                spec.ports(),
                spec.logFile());
        LOG.debug("Command of {}: {}", spec.name(), spec.command());
        return new ManagedProcess(spec, process, launchedAtNanos);
    }

    /**
     * Waits until the readiness check passes, polling every 200 ms.
     *
     * @return this process, for chaining
     * @throws ProcessStartException if the process exits first, or is not ready within the start
     *     timeout (it is stopped then), or the waiting thread is interrupted (it is stopped too)
     */
    public ManagedProcess awaitReady() {
        long deadline = launchedAtNanos + spec.startTimeout().toNanos();
        String lastCheckError = null;
        while (true) {
            if (!process.isAlive()) {
                int exitCode = process.exitValue();
                throw startFailure(
                        String.format("exited with code %s before it was ready", exitCode),
                        exitCode);
            }
            try {
                if (spec.readiness().isReady()) {
                    startupTime = Duration.ofNanos(System.nanoTime() - launchedAtNanos);
                    LOG.info(
                            "{} (pid {}) is ready after {} ms",
                            spec.name(),
                            process.pid(),
                            startupTime.toMillis());
                    return this;
                }
            } catch (Exception e) {
                lastCheckError = e.toString();
            }
            if (System.nanoTime() - deadline > 0) {
                stop();
                throw startFailure(
                        String.format(
                                "not ready within %s s (waiting for %s%s); stopped it",
                                spec.startTimeout().toSeconds(),
                                spec.readiness().description(),
                                lastCheckError == null ? "" : ", last check: " + lastCheckError),
                        null);
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw startFailure(
                        "interrupted while waiting for it to be ready; stopped it", null);
            }
        }
    }

    /**
     * Stops the process and anything it started: SIGTERM, up to the spec's stop timeout to exit,
     * then SIGKILL. Idempotent and safe to call from any thread, including a shutdown hook.
     */
    public void stop() {
        ProcessTermination.stop(spec.name(), process.toHandle(), spec.stopTimeout());
    }

    /**
     * An exception for a start that failed after this process became ready, e.g. a TaskManager that
     * never registered; it carries this process's log like any failed start.
     */
    public ProcessStartException startFailure(String reason) {
        return startFailure(reason, process.isAlive() ? null : process.exitValue());
    }

    private ProcessStartException startFailure(String reason, Integer exitCode) {
        return ProcessStartException.of(
                spec.name(), reason, exitCode, spec.logFile(), spec.outputFile(), null);
    }

    public String name() {
        return spec.name();
    }

    public long pid() {
        return process.pid();
    }

    /** The OS handle, e.g. to kill the process hard in a failure test. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** When the OS started the process (with the pid, its identity). */
    public Instant startedAt() {
        return startedAt;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code once the process has exited. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** How long it took from launch to ready, once it is ready. */
    public Optional<Duration> startupTime() {
        return Optional.ofNullable(startupTime);
    }

    public Map<String, Integer> ports() {
        return spec.ports();
    }

    public OptionalInt mainPort() {
        return spec.mainPort();
    }

    public Path logFile() {
        return spec.logFile();
    }

    public Path outputFile() {
        return spec.outputFile();
    }

    public ProcessSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return String.format(
                "%s (pid %s, %s, ports %s, log %s)",
                spec.name(), pid(), isAlive() ? "alive" : "exited", spec.ports(), spec.logFile());
    }

    private static void moveAside(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            Files.move(
                    file,
                    file.resolveSibling(file.getFileName() + ".previous"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
