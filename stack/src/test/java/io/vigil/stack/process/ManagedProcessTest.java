package io.vigil.stack.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts, waits for and stops real (tiny) JVMs: see {@link FakeService}. */
class ManagedProcessTest {

    private static final Duration GENEROUS = Duration.ofSeconds(30);

    @TempDir Path dir;

    private ManagedProcess process;

    @AfterEach
    void stopProcess() {
        if (process != null) {
            process.stop();
        }
    }

    @Test
    void waitsForReadinessAndStops() {
        process = ManagedProcess.launch(fakeService("ready", "ready").build());

        process.awaitReady();

        assertThat(process.isAlive()).isTrue();
        assertThat(process.startupTime()).isPresent();
        process.stop();
        assertThat(process.isAlive()).isFalse();
        assertThat(process.handle().isAlive()).isFalse();
    }

    @Test
    void reportsAnEarlyExitWithExitCodeAndTheEndOfTheLog() {
        process = ManagedProcess.launch(fakeService("quitter", "exit", "3").build());

        assertThatThrownBy(process::awaitReady)
                .isInstanceOfSatisfying(
                        ProcessStartException.class,
                        e -> {
                            assertThat(e.processName()).isEqualTo("quitter");
                            assertThat(e.exitCode()).hasValue(3);
                            assertThat(e.logFile()).isEqualTo(dir.resolve("quitter.out"));
                        })
                .hasMessageContaining("quitter failed to start: exited with code 3")
                .hasMessageContaining(dir.resolve("quitter.out").toString())
                // The last 30 of 40 lines.
                .hasMessageContaining("line 11")
                .hasMessageContaining("line 40")
                .hasMessageNotContaining("line 10\n");
    }

    @Test
    void stopsAProcessThatIsNotReadyInTime() {
        process =
                ManagedProcess.launch(
                        fakeService("slowpoke", "ready")
                                .readiness(
                                        ReadinessCheck.logLine(
                                                dir.resolve("slowpoke.out"), "NEVER"))
                                .startTimeout(Duration.ofSeconds(2))
                                .build());

        assertThatThrownBy(process::awaitReady)
                .isInstanceOf(ProcessStartException.class)
                .hasMessageContaining("not ready within 2 s")
                .hasMessageContaining("'NEVER' in");
        assertThat(process.isAlive()).isFalse();
    }

    @Test
    void killsAProcessThatIgnoresSigterm() {
        process =
                ManagedProcess.launch(
                                fakeService("stubborn", "stubborn")
                                        .stopTimeout(Duration.ofSeconds(1))
                                        .build())
                        .awaitReady();

        long start = System.nanoTime();
        process.stop();

        assertThat(process.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void killsDescendantsLeftBehind() throws Exception {
        process = ManagedProcess.launch(fakeService("parent", "parent").build()).awaitReady();
        long childPid = childPid(dir.resolve("parent.out"));
        assertThat(ProcessHandle.of(childPid)).get().matches(ProcessHandle::isAlive);

        process.stop();

        assertThat(ProcessHandle.of(childPid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void keepsThePreviousRunsLogAside() throws Exception {
        ManagedProcess first = ManagedProcess.launch(fakeService("twice", "exit", "0").build());
        first.handle().onExit().get();

        process = ManagedProcess.launch(fakeService("twice", "ready").build()).awaitReady();

        assertThat(dir.resolve("twice.out.previous")).content().contains("line 40");
        assertThat(dir.resolve("twice.out")).content().doesNotContain("line 40");
    }

    @Test
    void oneShotProcessReturnsOutputOrFailsWithIt() {
        String output =
                OneShotProcess.run(
                        "echo",
                        List.of("sh", "-c", "echo hello"),
                        dir,
                        dir.resolve("echo.out"),
                        GENEROUS);
        assertThat(output).isEqualTo("hello\n");

        assertThatThrownBy(
                        () ->
                                OneShotProcess.run(
                                        "failing-tool",
                                        List.of("sh", "-c", "echo broken; exit 2"),
                                        dir,
                                        dir.resolve("failing.out"),
                                        GENEROUS))
                .isInstanceOfSatisfying(
                        ProcessStartException.class, e -> assertThat(e.exitCode()).hasValue(2))
                .hasMessageContaining("failing-tool failed to start: exited with code 2")
                .hasMessageContaining("broken");
    }

    private ProcessSpec.Builder fakeService(String name, String... args) {
        Path output = dir.resolve(name + ".out");
        return ProcessSpec.builder(name)
                .command(
                        JavaCommand.builder(JavaCommand.currentJava())
                                .jvmOption("-Xmx32m")
                                .classpath(List.of(testClasses()))
                                .mainClass(FakeService.class.getName())
                                .args(List.of(args))
                                .build())
                .workingDir(dir)
                .outputFile(output)
                .readiness(ReadinessCheck.logLine(output, FakeService.READY))
                .startTimeout(GENEROUS);
    }

    private static Path testClasses() {
        try {
            return Path.of(
                    FakeService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long childPid(Path output) throws Exception {
        Matcher matcher = Pattern.compile("child (\\d+)").matcher(Files.readString(output));
        assertThat(matcher.find()).as("child pid in %s", output).isTrue();
        return Long.parseLong(matcher.group(1));
    }
}
