package io.vigil.stack.process;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A process did not start: it exited, it was not ready in time, or it could not be launched at all.
 * The message names the process, its exit code if it exited, its log file and the last lines of its
 * log and output, so that a failed test or {@code vigil up} shows the cause directly.
 */
public final class ProcessStartException extends RuntimeException {

    /** Lines of each log shown in the message. */
    static final int TAIL_LINES = 30;

    private final String processName;
    private final Integer exitCode;
    private final Path logFile;

    private ProcessStartException(
            String processName, Integer exitCode, Path logFile, String message, Throwable cause) {
        super(message, cause);
        this.processName = processName;
        this.exitCode = exitCode;
        this.logFile = logFile;
    }

    /**
     * Creates the exception for a process whose log and output are in the given files.
     *
     * @param reason what went wrong, e.g. "exited with code 1 before it was ready"
     * @param exitCode the exit code if the process exited, else {@code null}
     */
    public static ProcessStartException of(
            String processName,
            String reason,
            Integer exitCode,
            Path logFile,
            Path outputFile,
            Throwable cause) {
        StringBuilder message =
                new StringBuilder(String.format("%s failed to start: %s", processName, reason));
        message.append(String.format("%n  log: %s", logFile));
        // The output file gets what never reaches the log: bad JVM options, crashes, and the
        // complaints of a logging framework that could not start.
        Set<Path> files = new LinkedHashSet<>(List.of(logFile, outputFile));
        for (Path file : files) {
            List<String> lines = LogTail.lastLines(file, TAIL_LINES);
            if (lines.isEmpty()) {
                continue;
            }
            message.append(String.format("%n  last %d lines of %s:", lines.size(), file));
            lines.forEach(line -> message.append(String.format("%n    %s", line)));
        }
        return new ProcessStartException(processName, exitCode, logFile, message.toString(), cause);
    }

    public String processName() {
        return processName;
    }

    /** The exit code if the process exited before it was ready. */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    public Path logFile() {
        return logFile;
    }
}
