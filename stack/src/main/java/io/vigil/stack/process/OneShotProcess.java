package io.vigil.stack.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short tool process to completion, e.g. Kafka's storage formatter or Flink's memory
 * calculator, with its output in a file.
 */
public final class OneShotProcess {

    private OneShotProcess() {}

    /**
     * Runs the command and returns its output (stdout and stderr together).
     *
     * @param outputFile where the output is kept for later reading; replaced
     * @throws ProcessStartException if it exits with a non-zero code or runs longer than the
     *     timeout (it is killed then); the message holds the end of its output
     */
    public static String run(
            String name, List<String> command, Path workingDir, Path outputFile, Duration timeout) {
        Process process;
        try {
            Files.createDirectories(workingDir);
            Files.createDirectories(outputFile.toAbsolutePath().getParent());
            process =
                    new ProcessBuilder(command)
                            .directory(workingDir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(outputFile.toFile())
                            .start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException(String.format("Cannot run %s", name), e);
        }
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException(String.format("Interrupted while running %s", name), e);
        }
        if (!finished) {
            ProcessTermination.stop(name, process.toHandle(), Duration.ZERO);
            throw ProcessStartException.of(
                    name,
                    String.format("did not finish within %s s; killed it", timeout.toSeconds()),
                    null,
                    outputFile,
                    outputFile,
                    null);
        }
        if (process.exitValue() != 0) {
            throw ProcessStartException.of(
                    name,
                    String.format("exited with code %s", process.exitValue()),
                    process.exitValue(),
                    outputFile,
                    outputFile,
                    null);
        }
        try {
            // Lenient decoding: a tool's odd byte must not hide its answer.
            return new String(Files.readAllBytes(outputFile), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(String.format("Cannot read the output of %s", name), e);
        }
    }
}
