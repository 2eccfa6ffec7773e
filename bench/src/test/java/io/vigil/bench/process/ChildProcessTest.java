package io.vigil.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {

    @Test
    void leftoversOfARunAreStoppedButNotAProcessThatMerelyReusedAPid(@TempDir Path runDir)
            throws Exception {
        // bash's $0 is the run folder, so that the command line names it, as every server's
        // configuration path does; two commands, so that bash does not exec into sleep.
        ChildProcess sleeper =
                ChildProcess.start(
                        "sleeper",
                        List.of("bash", "-c", "sleep 60; exit 0", runDir.toString()),
                        runDir.resolve("sleeper"));
        // A pid file naming this JVM, whose command line does not name the run folder.
        Files.writeString(runDir.resolve("stranger.pid"), ProcessHandle.current().pid() + "\n");
        sleeper.awaitReady(sleeper::isAlive, Duration.ofSeconds(10));

        List<String> stopped = ChildProcess.stopLeftovers(runDir);

        assertThat(stopped).containsExactly("sleeper (pid " + sleeper.pid() + ")");
        ProcessHandle.of(sleeper.pid())
                .ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(Files.readString(runDir.resolve("sleeper/sleeper.pid")).trim())
                .isEqualTo(Long.toString(sleeper.pid()));
        sleeper.close();
    }
}
