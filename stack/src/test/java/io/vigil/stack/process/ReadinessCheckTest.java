package io.vigil.stack.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadinessCheckTest {

    @TempDir Path dir;

    @Test
    void logLineIsFoundWhenWrittenAcrossTwoPolls() throws Exception {
        Path log = dir.resolve("server.log");
        ReadinessCheck check = ReadinessCheck.logLine(log, "Kafka Server started");

        assertThat(check.isReady()).as("no file yet").isFalse();
        append(log, "INFO booting\nINFO [KafkaRaftServer nodeId=1] Kafka Ser");
        assertThat(check.isReady()).isFalse();
        append(log, "ver started (kafka.server.KafkaRaftServer)\n");
        assertThat(check.isReady()).isTrue();
    }

    @Test
    void logLineIsFoundAmongMultiByteCharacters() throws Exception {
        Path log = dir.resolve("server.log");
        append(
                log,
                "WARN Größe überschritten ✓\nStarting listening for CQL clients on /127.0.0.1\n");

        assertThat(ReadinessCheck.logLine(log, "Starting listening for CQL clients").isReady())
                .isTrue();
    }

    @Test
    void logLineMustBeAscii() {
        assertThatThrownBy(() -> ReadinessCheck.logLine(dir.resolve("x"), "bereit ✓"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tcpPortIsReadyWhileSomethingListens() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            assertThat(ReadinessCheck.tcpPort(port).isReady()).isTrue();
        }
        assertThat(ReadinessCheck.tcpPort(port).isReady()).isFalse();
    }

    @Test
    void allOfNeedsEveryCheck() throws Exception {
        Path log = dir.resolve("server.log");
        append(log, "Startup complete\n");
        int closedPort = new PortAllocator().next();

        ReadinessCheck check =
                ReadinessCheck.allOf(
                        ReadinessCheck.logLine(log, "Startup complete"),
                        ReadinessCheck.tcpPort(closedPort));

        assertThat(check.isReady()).isFalse();
        assertThat(check.description())
                .isEqualTo("'Startup complete' in " + log + " and TCP 127.0.0.1:" + closedPort);
    }

    /**
     * Cassandra logs that it starts listening a moment before its port accepts: the log line found
     * in a poll where the port still failed must still count in the next poll, when the port is up
     * (it did not, and a start timed out with the node ready).
     */
    @Test
    void allOfStaysReadyForALogLineFoundWhileALaterCheckFailed() throws Exception {
        Path log = dir.resolve("server.log");
        append(log, "Starting listening for CQL clients on /127.0.0.1\n");
        int port = new PortAllocator().next();
        ReadinessCheck check =
                ReadinessCheck.allOf(
                        ReadinessCheck.logLine(log, "Starting listening for CQL clients"),
                        ReadinessCheck.tcpPort(port));

        assertThat(check.isReady()).as("the port not yet open").isFalse();
        try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(check.isReady()).as("the port open, no new log line").isTrue();
        }
    }

    private static void append(Path file, String text) throws Exception {
        Files.writeString(
                file,
                text,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
