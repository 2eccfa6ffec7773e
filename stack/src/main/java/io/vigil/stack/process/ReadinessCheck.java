package io.vigil.stack.process;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Tells whether a started process is ready to serve, polled by {@link ManagedProcess#awaitReady()}
 * until it answers {@code true} or the start timeout passes.
 *
 * <p>Checks are cheap and side-effect free from the process's point of view; an exception thrown by
 * {@link #isReady()} counts as "not ready yet" and its message is shown if the start times out.
 *
 * <pre>{@code
 * ReadinessCheck cassandraReady =
 *         ReadinessCheck.allOf(
 *                 ReadinessCheck.logLine(logFile, "Starting listening for CQL clients"),
 *                 ReadinessCheck.tcpPort(9042));
 * }</pre>
 */
public interface ReadinessCheck {

    /** Whether the process is ready now. */
    boolean isReady() throws Exception;

    /** What the check waits for, for error messages, e.g. {@code TCP 127.0.0.1:9042}. */
    String description();

    /** Ready once a TCP connection to the port on the loopback address succeeds. */
    static ReadinessCheck tcpPort(int port) {
        return new ReadinessChecks.TcpPort(port);
    }

    /**
     * Ready once the file contains the text. The file is read incrementally from its start, so it
     * must be new for this start of the process ({@link ManagedProcess#launch} moves old logs
     * aside). The text must be ASCII.
     */
    static ReadinessCheck logLine(Path file, String text) {
        return new ReadinessChecks.LogLine(file, text);
    }

    /** Ready once a GET of the URI answers HTTP 200. */
    static ReadinessCheck httpOk(URI uri) {
        return ReadinessChecks.HttpOk.create(uri);
    }

    /** Ready once all checks are, checked in order (later ones only when earlier ones pass). */
    static ReadinessCheck allOf(ReadinessCheck... checks) {
        return new ReadinessChecks.AllOf(List.of(checks));
    }
}
