package io.vigil.stack.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a log file, for error messages. */
public final class LogTail {

    /** Enough for 30 long lines, without reading a log of hundreds of megabytes. */
    private static final int MAX_BYTES = 64 * 1024;

    private LogTail() {}

    /** The last {@code count} lines of the file; empty if it does not exist. */
    public static List<String> lastLines(Path file, int count) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, in.length() - MAX_BYTES);
            byte[] bytes = new byte[(int) (in.length() - start)];
            in.seek(start);
            in.readFully(bytes);
            List<String> lines =
                    Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n"));
            if (start > 0 && !lines.isEmpty()) {
                // The first line was cut in the middle.
                lines = lines.subList(1, lines.size());
            }
            return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(String.format("Cannot read %s", file), e);
        }
    }
}
