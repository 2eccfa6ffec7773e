package io.vigil.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.stack.process.JavaCommand;
import io.vigil.stack.process.ManagedProcess;
import io.vigil.stack.process.ReadinessCheck;
import io.vigil.stack.state.Health;
import io.vigil.stack.state.ProcessRecord;
import io.vigil.stack.state.StackState;
import io.vigil.stack.state.StackStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failure and shutdown of a stack, each on a stack of its own (not the shared one, which other test
 * classes still use): a killed node is reported dead, and nothing outlives the stack.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StackLifecycleITCase {

    @Test
    void statusReportsAKilledNodeDeadAndCloseLeavesNoProcess() throws Exception {
        Path dataDir = freshDataDir("kill");
        List<ProcessRecord> recorded;
        try (LocalStack stack =
                LocalStack.builder().dataDir(dataDir).withKafka().withCassandra().build().start()) {
            ManagedProcess cassandra = stack.process("cassandra").orElseThrow();

            cassandra.handle().destroyForcibly(); // kill -9
            cassandra.handle().onExit().get(30, TimeUnit.SECONDS);

            // As `vigil status` in another terminal would see it.
            StackStatus status = StackState.read(dataDir).orElseThrow().status();
            assertThat(status.health("cassandra")).as("%s", status).hasValue(Health.DEAD);
            assertThat(status.health("kafka")).as("%s", status).hasValue(Health.RUNNING);
            recorded = status.state().processes();
        }

        assertThat(recorded)
                .extracting(ProcessRecord::name)
                .containsExactlyInAnyOrder("kafka", "cassandra");
        assertThat(recorded)
                .allSatisfy(
                        process ->
                                assertThat(
                                                ProcessHandle.of(process.pid())
                                                        .filter(ProcessHandle::isAlive))
                                        .as("%s after close()", process.name())
                                        .isEmpty());
        assertThat(StackState.read(dataDir)).as("state file after close()").isEmpty();
    }

    @Test
    void stopAllFromTheStateFileStopsARunningStack() {
        Path dataDir = freshDataDir("down");
        try (LocalStack stack = LocalStack.builder().dataDir(dataDir).withKafka().build().start()) {
            long kafkaPid = stack.process("kafka").orElseThrow().pid();

            // What `vigil down` in another terminal does.
            List<ProcessRecord> stopped = StackState.stopAll(dataDir, Duration.ofSeconds(15));

            assertThat(stopped).extracting(ProcessRecord::name).containsExactly("kafka");
            assertThat(ProcessHandle.of(kafkaPid).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(StackState.read(dataDir)).isEmpty();
        }
    }

    @Test
    void terminatingTheJvmThatOwnsAStackStopsIt() throws Exception {
        Path dataDir = freshDataDir("sigterm");
        Path output = dataDir.resolve("owner.out");
        Files.createDirectories(dataDir);
        // The failsafe class path (a manifest-only jar naming every test dependency) serves the
        // child JVM as well.
        Process owner =
                new ProcessBuilder(
                                JavaCommand.currentJava().toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                StackInAnotherJvm.class.getName(),
                                dataDir.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
        try {
            ReadinessCheck up = ReadinessCheck.logLine(output, StackInAnotherJvm.UP);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!up.isReady()) {
                assertThat(owner.isAlive()).as("owner JVM alive, see %s", output).isTrue();
                assertThat(System.nanoTime())
                        .as("owner JVM up in time, see %s", output)
                        .isLessThan(deadline);
                Thread.sleep(200);
            }
            ProcessRecord kafka =
                    StackState.read(dataDir).orElseThrow().process("kafka").orElseThrow();
            assertThat(kafka.isAlive()).isTrue();

            owner.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks
            assertThat(owner.waitFor(1, TimeUnit.MINUTES)).isTrue();

            assertThat(ProcessHandle.of(kafka.pid()).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(StackState.read(dataDir)).isEmpty();
        } finally {
            owner.destroyForcibly();
            StackState.stopAll(dataDir, Duration.ofSeconds(15));
        }
    }

    private static Path freshDataDir(String name) {
        return Path.of("target", "it-stack-" + name + "-" + System.currentTimeMillis())
                .toAbsolutePath();
    }
}
