package io.vigil.stack.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessSpecTest {
    private static final Path DIR = Path.of("stack-dir");

    private static ProcessSpec spec() {
        return ProcessSpec.builder("kafka")
                .command(List.of("/usr/bin/java", "-Xmx512m", "-cp", "k.jar", "kafka.Kafka"))
                .workingDir(DIR)
                .environment("A", "1")
                .outputFile(DIR.resolve("kafka.out"))
                .logFile(DIR.resolve("kafka.log"))
                .mainPort("broker", 9092)
                .port("controller", 9093)
                .readiness(ReadinessCheck.tcpPort(9092))
                .startTimeout(Duration.ofSeconds(7))
                .stopTimeout(Duration.ofSeconds(3))
                .build();
    }

    /** What vigil up does for a small fleet: every process on the quick compiler. */
    @Test
    void jvmOptionsGoRightAfterTheExecutableAndTheRestStaysAsItWas() {
        ProcessSpec original = spec();

        ProcessSpec quick = original.withJvmOptions(List.of("-XX:TieredStopAtLevel=1"));

        assertThat(quick.command())
                .containsExactly(
                        "/usr/bin/java",
                        "-XX:TieredStopAtLevel=1",
                        "-Xmx512m",
                        "-cp",
                        "k.jar",
                        "kafka.Kafka");
        assertThat(quick.name()).isEqualTo(original.name());
        assertThat(quick.workingDir()).isEqualTo(original.workingDir());
        assertThat(quick.environment()).isEqualTo(original.environment());
        assertThat(quick.outputFile()).isEqualTo(original.outputFile());
        assertThat(quick.logFile()).isEqualTo(original.logFile());
        assertThat(quick.ports()).isEqualTo(original.ports());
        assertThat(quick.mainPortName()).isEqualTo(original.mainPortName());
        assertThat(quick.readiness()).isSameAs(original.readiness());
        assertThat(quick.startTimeout()).isEqualTo(original.startTimeout());
        assertThat(quick.stopTimeout()).isEqualTo(original.stopTimeout());
        assertThat(original.command()).hasSize(5);
    }

    @Test
    void noOptionsIsTheSameSpec() {
        ProcessSpec original = spec();

        assertThat(original.withJvmOptions(List.of())).isSameAs(original);
    }
}
