package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.stack.process.Loopback;
import io.vigil.stack.state.ProcessRecord;
import io.vigil.stack.state.Role;
import io.vigil.stack.state.StackState;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How commands find the notifier of a stack that {@code vigil up} runs in another terminal. */
class RunningStackTest {

    @TempDir Path dataDir;

    @Test
    void findsTheNotifiersApiInTheStateFile() throws Exception {
        // This JVM and a port it listens on stand in for the notifier and its API.
        try (ServerSocket api = new ServerSocket(0, 1, Loopback.address())) {
            record(notifier(ProcessHandle.current().pid(), api.getLocalPort()));

            assertThat(RunningStack.notifier(dataDir))
                    .hasValueSatisfying(
                            found ->
                                    assertThat(found.api())
                                            .isEqualTo(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + api.getLocalPort())));
        }
    }

    @Test
    void aNotifierThatIsGoneIsNotFound() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        record(notifier(exited.pid(), 40111));

        assertThat(RunningStack.notifier(dataDir)).isEmpty();
    }

    @Test
    void noStackNoNotifier() {
        assertThat(RunningStack.notifier(dataDir)).isEmpty();
    }

    private ProcessRecord notifier(long pid, int port) {
        return new ProcessRecord(
                "notifier",
                Role.NOTIFIER,
                pid,
                ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()).orElse(null),
                "api",
                Map.of("api", port),
                dataDir.resolve("logs/notifier.log"),
                dataDir.resolve("logs/notifier.log"));
    }

    private void record(ProcessRecord process) {
        new StackState(dataDir, Instant.now(), ProcessHandle.current().pid(), List.of(process))
                .write();
    }
}
