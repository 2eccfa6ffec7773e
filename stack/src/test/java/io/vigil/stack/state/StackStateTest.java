package io.vigil.stack.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackStateTest {

    private static final Instant T0 = Instant.parse("2026-03-03T08:00:00Z");

    @TempDir Path dataDir;

    @Test
    void survivesARoundTripThroughTheFile() {
        StackState written =
                new StackState(
                        dataDir,
                        T0,
                        4242,
                        List.of(
                                record("kafka", Role.KAFKA, 101, "broker", Map.of("broker", 9092)),
                                record(
                                        "flink-taskmanager-1",
                                        Role.FLINK_TASKMANAGER,
                                        102,
                                        null,
                                        Map.of())));

        written.write();
        StackState read = StackState.read(dataDir).orElseThrow();

        assertThat(StackState.file(dataDir)).exists();
        assertThat(read.createdAt()).isEqualTo(T0);
        assertThat(read.ownerPid()).isEqualTo(4242);
        assertThat(read.dataDir()).isEqualTo(dataDir.toAbsolutePath());
        assertThat(read.processes()).isEqualTo(written.processes());
        assertThat(read.process("kafka").orElseThrow().mainPortNumber()).hasValue(9092);
        assertThat(read.process("flink-taskmanager-1").orElseThrow().mainPortNumber()).isEmpty();
    }

    @Test
    void readsNothingWhereNoStackRuns() {
        assertThat(StackState.read(dataDir)).isEmpty();
    }

    @Test
    void classifiesHealth() {
        assertThat(Health.classify(true, true)).isEqualTo(Health.RUNNING);
        assertThat(Health.classify(true, false)).isEqualTo(Health.UNHEALTHY);
        assertThat(Health.classify(false, true)).isEqualTo(Health.DEAD);
        assertThat(Health.classify(false, false)).isEqualTo(Health.DEAD);
    }

    @Test
    void reportsAProcessThatExitedAsDead() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        ProcessRecord gone = record("cassandra", Role.CASSANDRA, exited.pid(), null, Map.of());

        StackStatus status = new StackState(dataDir, T0, 1, List.of(gone)).status();

        assertThat(status.health("cassandra")).hasValue(Health.DEAD);
        assertThat(status.allRunning()).isFalse();
    }

    @Test
    void reportsAReusedPidAsDead() {
        ProcessHandle self = ProcessHandle.current();
        Instant realStart = self.info().startInstant().orElseThrow();
        ProcessRecord earlierProcess =
                new ProcessRecord(
                        "kafka",
                        Role.KAFKA,
                        self.pid(),
                        realStart.minus(Duration.ofHours(1)),
                        null,
                        Map.of(),
                        dataDir.resolve("kafka.log"),
                        dataDir.resolve("kafka.out"));

        StackStatus status = new StackState(dataDir, T0, 1, List.of(earlierProcess)).status();

        assertThat(status.health("kafka")).hasValue(Health.DEAD);
    }

    @Test
    void reportsAliveProcessesByTheirMainPort() throws Exception {
        try (ServerSocket open = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket soonClosed =
                        new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int closedPort = soonClosed.getLocalPort();
            soonClosed.close();
            long self = ProcessHandle.current().pid();
            StackState state =
                    new StackState(
                            dataDir,
                            T0,
                            self,
                            List.of(
                                    record(
                                            "kafka",
                                            Role.KAFKA,
                                            self,
                                            "broker",
                                            Map.of("broker", open.getLocalPort())),
                                    record(
                                            "cassandra",
                                            Role.CASSANDRA,
                                            self,
                                            "native",
                                            Map.of("native", closedPort)),
                                    record(
                                            "flink-taskmanager-1",
                                            Role.FLINK_TASKMANAGER,
                                            self,
                                            null,
                                            Map.of())));

            StackStatus status = state.status();

            assertThat(status.health("kafka")).hasValue(Health.RUNNING);
            assertThat(status.health("cassandra")).hasValue(Health.UNHEALTHY);
            assertThat(status.health("flink-taskmanager-1")).hasValue(Health.RUNNING);
            assertThat(status.toString()).contains("kafka", "RUNNING", "cassandra", "UNHEALTHY");
        }
    }

    @Test
    void stopAllStopsRecordedProcessesAndDeletesTheFile() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        ProcessRecord sleeping =
                new ProcessRecord(
                        "kafka",
                        Role.KAFKA,
                        sleeper.pid(),
                        sleeper.info().startInstant().orElse(null),
                        null,
                        Map.of(),
                        dataDir.resolve("kafka.log"),
                        dataDir.resolve("kafka.out"));
        new StackState(dataDir, T0, 1, List.of(sleeping)).write();

        List<ProcessRecord> stopped = StackState.stopAll(dataDir, Duration.ofSeconds(5));

        assertThat(stopped).containsExactly(sleeping);
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(Files.exists(StackState.file(dataDir))).isFalse();
    }

    private ProcessRecord record(
            String name, Role role, long pid, String mainPort, Map<String, Integer> ports) {
        return new ProcessRecord(
                name,
                role,
                pid,
                null,
                mainPort,
                ports,
                dataDir.resolve("logs").resolve(name + ".log"),
                dataDir.resolve("logs").resolve(name + ".out"));
    }
}
