package io.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.notifier.NotifierMain;
import io.vigil.notifier.config.ConfigLoader;
import io.vigil.notifier.config.IntegrationConfig;
import io.vigil.notifier.config.NotifierConfig;
import io.vigil.stack.process.ProcessSpec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code vigil up} starts the notifier, and the configuration it gives it by default. */
class LocalNotifierTest {

    @TempDir Path dataDir;

    @Test
    void startsTheNotifierWithItsOwnClassPathOnTheStack() {
        Path log = dataDir.resolve("logs/notifier.log");
        Path config = dataDir.resolve("notifier.yaml");

        ProcessSpec spec =
                LocalNotifier.spec(
                        log,
                        dataDir,
                        config,
                        "127.0.0.1:9092",
                        "127.0.0.1:9042",
                        "datacenter1",
                        40111);

        assertThat(spec.name()).isEqualTo("notifier");
        assertThat(spec.ports()).isEqualTo(Map.of("api", 40111));
        assertThat(spec.mainPort()).hasValue(40111);
        assertThat(spec.outputFile()).isEqualTo(log);
        assertThat(spec.logFile()).isEqualTo(log);
        assertThat(spec.readiness().description())
                .isEqualTo("'" + NotifierMain.READY + "' in " + log);
        assertThat(spec.command())
                .containsSubsequence(
                        NotifierMain.class.getName(),
                        "--config",
                        config.toString(),
                        "--kafka",
                        "127.0.0.1:9092",
                        "--cassandra",
                        "127.0.0.1:9042",
                        "--datacenter",
                        "datacenter1",
                        "--group",
                        "vigil-notifier",
                        "--instance",
                        "local",
                        "--api",
                        "127.0.0.1:40111");
    }

    @Test
    void classPathIsTheNotifiersCodeAndWhatItsBuildRecorded() {
        var classpath = LocalNotifier.classpath();

        assertThat(classpath.get(0).toString()).contains("notifier");
        assertThat(classpath).hasSizeGreaterThan(10).allMatch(Files::exists);
        assertThat(classpath)
                .as("the notifier logs with its own configuration, not the CLI's")
                .noneMatch(entry -> entry.toString().contains("stack/cli"));
    }

    @Test
    void defaultConfigurationSendsEverythingToTheInboxAndTheNotifierAcceptsIt() throws Exception {
        URI webhook = URI.create("http://127.0.0.1:40222/notifications");

        Path file = DefaultNotifierConfig.write(dataDir, webhook);
        NotifierConfig config = ConfigLoader.load(file);

        assertThat(file).isEqualTo(dataDir.resolve("notifier.yaml"));
        assertThat(config.route().receiver()).isEqualTo("vigil-up");
        assertThat(config.receiver("vigil-up").integrations())
                .containsExactly(new IntegrationConfig.Webhook(webhook, 0, true));
        assertThat(config.inhibitRules()).isEmpty();
    }
}
