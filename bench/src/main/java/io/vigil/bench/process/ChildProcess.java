package io.vigil.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A server a benchmark runs as a child process (Prometheus, Alertmanager, the notifier): its output
 * goes to a log file, its pid to {@code <name>.pid} in its folder, and it is stopped when the
 * benchmark closes it, on Ctrl-C (a shutdown hook), and, if the benchmark's JVM was killed, by
 * {@link #stopLeftovers} that the benchmark scripts run on every exit.
 *
 * <pre>{@code
 * try (ChildProcess am = ChildProcess.start("alertmanager", command, dir)) {
 *     am.awaitReady(() -> httpOk(url), Duration.ofSeconds(60));
 * }
 * }</pre>
 */
public final class ChildProcess implements AutoCloseable {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread shutdownHook;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.shutdownHook = new Thread(this::stop, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code command} with its output in {@code <dir>/<name>.log} and its pid in {@code
     * <dir>/<name>.pid}. The command line should name a path in the run's folder, so that {@link
     * #stopLeftovers} recognises the process as this run's.
     */
    public static ChildProcess start(String name, List<String> command, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        process.getOutputStream().close();
        Files.writeString(dir.resolve(name + ".pid"), process.pid() + "\n");
        return new ChildProcess(name, process, log);
    }

    /**
     * Waits until {@code ready} answers true; stops the process and fails if it exits first or
     * takes longer than {@code timeout}.
     */
    public void awaitReady(BooleanSupplier ready, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        String.format(
                                "%s exited with %s before it was ready; see %s",
                                name, process.exitValue(), log));
            }
            if (ready.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        stop();
        throw new IOException(
                String.format("%s not ready within %d s; see %s", name, timeout.toSeconds(), log));
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, up to 30 s to finish cleanly, then SIGKILL. */
    private void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down and the hook runs (or ran) anyway.
        }
    }

    /**
     * Stops what a killed run left behind: every process named by a {@code *.pid} file up to two
     * folders below {@code runDir} whose command line names {@code runDir} (never a process that
     * reused the pid).
     *
     * @return the names of the pid files whose process was stopped
     */
    public static List<String> stopLeftovers(Path runDir) throws IOException {
        List<String> stopped = new ArrayList<>();
        if (!Files.isDirectory(runDir)) {
            return stopped;
        }
        List<Path> pidFiles;
        try (Stream<Path> files = Files.find(runDir, 2, (p, a) -> p.toString().endsWith(".pid"))) {
            pidFiles = files.toList();
        }
        for (Path pidFile : pidFiles) {
            long pid;
            try {
                pid = Long.parseLong(Files.readString(pidFile).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            Optional<ProcessHandle> process =
                    ProcessHandle.of(pid)
                            .filter(
                                    h ->
                                            h.info()
                                                    .commandLine()
                                                    .map(c -> c.contains(runDir.toString()))
                                                    .orElse(false));
            if (process.isPresent()) {
                process.get().destroy();
                stopped.add(
                        pidFile.getFileName().toString().replace(".pid", "")
                                + " (pid "
                                + pid
                                + ")");
            }
        }
        return stopped;
    }
}
