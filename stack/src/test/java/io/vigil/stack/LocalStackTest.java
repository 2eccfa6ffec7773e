package io.vigil.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.stack.process.ProcessSpec;
import io.vigil.stack.process.ReadinessCheck;
import io.vigil.stack.state.ProcessRecord;
import io.vigil.stack.state.Role;
import io.vigil.stack.state.StackState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of {@link LocalStack} that need no running process. */
class LocalStackTest {

    @TempDir Path dataDir;

    @Test
    void builderNeedsADataFolderAndSomethingToStart() {
        assertThatThrownBy(() -> LocalStack.builder().withKafka().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dataDir");
        assertThatThrownBy(() -> LocalStack.builder().dataDir(dataDir).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Nothing to start");
        assertThatThrownBy(() -> LocalStack.builder().withFlink(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accessorsNameWhatIsMissing() {
        LocalStack stack = LocalStack.builder().dataDir(dataDir).withKafka().build();

        assertThatThrownBy(stack::cassandraContactPoint)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cassandra is not running")
                .hasMessageContaining("withCassandra()");
        assertThatThrownBy(() -> stack.startFlink(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not running");
        stack.close();
    }

    @Test
    void startsOnlyVigilsOwnProcessesAndOnlyOnARunningStack() {
        LocalStack stack = LocalStack.builder().dataDir(dataDir).withKafka().build();
        ProcessSpec spec =
                ProcessSpec.builder("notifier")
                        .command(List.of("true"))
                        .workingDir(dataDir)
                        .outputFile(stack.logFile("notifier"))
                        .readiness(ReadinessCheck.tcpPort(1))
                        .build();

        assertThat(stack.logFile("notifier")).isEqualTo(dataDir.resolve("logs/notifier.log"));
        assertThatThrownBy(() -> stack.startProcess(Role.KAFKA, spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The stack starts KAFKA itself; not starting notifier");
        assertThatThrownBy(() -> stack.startProcess(Role.NOTIFIER, spec))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not running");
        stack.close();
    }

    @Test
    void refusesToStartWhereAnotherStackRuns() {
        // This JVM stands in for a live process of the other stack.
        ProcessHandle self = ProcessHandle.current();
        new StackState(
                        dataDir,
                        Instant.now(),
                        self.pid(),
                        List.of(
                                new ProcessRecord(
                                        "kafka",
                                        Role.KAFKA,
                                        self.pid(),
                                        self.info().startInstant().orElse(null),
                                        null,
                                        Map.of(),
                                        dataDir.resolve("logs/kafka.log"),
                                        dataDir.resolve("logs/kafka.out"))))
                .write();
        LocalStack stack = LocalStack.builder().dataDir(dataDir).withKafka().build();

        assertThatThrownBy(stack::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("A stack already runs in")
                .hasMessageContaining("kafka pid " + self.pid());
        stack.close();
        assertThat(StackState.read(dataDir)).as("the other stack's state is kept").isPresent();
    }
}
