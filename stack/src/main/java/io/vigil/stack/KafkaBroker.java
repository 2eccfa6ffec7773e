package io.vigil.stack;

import io.vigil.stack.process.JavaCommand;
import io.vigil.stack.process.OneShotProcess;
import io.vigil.stack.process.ProcessSpec;
import io.vigil.stack.process.ReadinessCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A single Kafka 4 node in KRaft combined mode: broker and controller in one process, both on
 * loopback ports, sized and configured for local development and tests.
 */
final class KafkaBroker {

    static final String NAME = "kafka";

    private static final String MAIN_CLASS = "kafka.Kafka";
    private static final String STORAGE_TOOL = "kafka.tools.StorageTool";

    /** Logged by KafkaRaftServer once the broker serves requests, not only accepts connections. */
    private static final String READY_LOG_LINE = "Kafka Server started";

    /**
     * The same JVM options as Kafka's own start scripts, with a smaller heap: at most 512 MiB (what
     * 100 000 samples/s in batches need), starting small, and given back to the system after a
     * quiet minute, so that a local stack with little traffic stays small.
     */
    private static final List<String> JVM_OPTIONS =
            List.of(
                    "-Xms64m",
                    "-Xmx512m",
                    "-XX:G1PeriodicGCInterval=60000",
                    "-XX:MinHeapFreeRatio=10",
                    "-XX:MaxHeapFreeRatio=30",
                    "-XX:+UseG1GC",
                    "-XX:MaxGCPauseMillis=20",
                    "-XX:InitiatingHeapOccupancyPercent=35",
                    "-XX:+ExplicitGCInvokesConcurrent",
                    "-Djava.awt.headless=true");

    private static final Duration FORMAT_TIMEOUT = Duration.ofMinutes(1);

    private final StackLayout layout;
    private final Path java;
    private final int brokerPort;
    private final int controllerPort;

    KafkaBroker(StackLayout layout, Path java, int brokerPort, int controllerPort) {
        this.layout = layout;
        this.java = java;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /**
     * Writes the broker's configuration, formats its storage unless a previous start already did,
     * and returns how to start it.
     */
    ProcessSpec prepare(Duration startTimeout) {
        Path dir = layout.component(NAME);
        Path dataDir = dir.resolve("data");
        Path serverProperties = dir.resolve("server.properties");
        Path log4jConfig = dir.resolve("log4j2.properties");
        Path logFile = layout.logFile(NAME);
        try {
            Files.createDirectories(dataDir);
            Files.writeString(
                    serverProperties, serverProperties(brokerPort, controllerPort, dataDir));
            Files.writeString(log4jConfig, log4j2Properties(logFile));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    String.format("Cannot write the Kafka configuration in %s", dir), e);
        }
        List<Path> classpath = RuntimeClasspath.load(NAME);
        formatStorage(classpath, dir, dataDir, serverProperties);
        List<String> command =
                JavaCommand.builder(java)
                        .jvmOptions(JVM_OPTIONS)
                        .systemProperty("log4j2.configurationFile", log4jConfig)
                        .systemProperty("kafka.logs.dir", layout.logs())
                        .classpath(classpath)
                        .mainClass(MAIN_CLASS)
                        .arg(serverProperties.toString())
                        .build();
        return ProcessSpec.builder(NAME)
                .command(command)
                .workingDir(dir)
                .outputFile(layout.outputFile(NAME))
                .logFile(logFile)
                .mainPort("broker", brokerPort)
                .port("controller", controllerPort)
                // The listener accepts connections before the broker has caught up with the
                // metadata log; the log line comes when it serves requests.
                .readiness(
                        ReadinessCheck.allOf(
                                ReadinessCheck.logLine(logFile, READY_LOG_LINE),
                                ReadinessCheck.tcpPort(brokerPort)))
                .startTimeout(startTimeout)
                .build();
    }

    /**
     * KRaft needs its log folder formatted with a cluster id before the first start. A folder
     * formatted by an earlier start keeps its id (formatting it again with a new one fails).
     */
    private void formatStorage(
            List<Path> classpath, Path dir, Path dataDir, Path serverProperties) {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        List<String> command =
                JavaCommand.builder(java)
                        // No log configuration: log4j2's default prints errors to the output file.
                        .jvmOption("-Xmx256m")
                        .classpath(classpath)
                        .mainClass(STORAGE_TOOL)
                        .args(
                                List.of(
                                        "format",
                                        "-t",
                                        newClusterId(),
                                        "-c",
                                        serverProperties.toString()))
                        .build();
        OneShotProcess.run(
                "kafka-storage-format",
                command,
                dir,
                layout.outputFile("kafka-storage-format"),
                FORMAT_TIMEOUT);
    }

    /** The broker's configuration. Static controller voters: no {@code --standalone} format. */
    static String serverProperties(int brokerPort, int controllerPort, Path dataDir) {
        return String.join(
                        "\n",
                        "# Generated by the Vigil local stack on every start; edits are"
                                + " overwritten.",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:"
                                + brokerPort
                                + ",CONTROLLER://127.0.0.1:"
                                + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                        "log.dirs=" + escape(dataDir.toString()),
                        "# Topics are created explicitly, as in production: a typo must not create"
                                + " one.",
                        "auto.create.topics.enable=false",
                        "num.partitions=4",
                        "# One broker: every internal topic has one replica.",
                        "offsets.topic.replication.factor=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "# Fewer partitions than the default 50 make the first consumer group start"
                                + " fast.",
                        "offsets.topic.num.partitions=4",
                        "transaction.state.log.num.partitions=4",
                        "# Tests start consuming at once instead of waiting 3 s for more members.",
                        "group.initial.rebalance.delay.ms=0",
                        "# The compacted topics (rules, silences, consumer offsets) are small: the"
                                + " log cleaner's default 128 MiB dedupe buffer would be most of"
                                + " the heap.",
                        "log.cleaner.dedupe.buffer.size=16777216")
                + "\n";
    }

    /**
     * Kafka 4 logs with log4j2: everything at INFO into one file. Appending matters: log4j2
     * re-reads this file when Kafka shuts down, and a truncating appender would then wipe the log
     * (the previous run's log is moved aside before each start anyway).
     */
    static String log4j2Properties(Path logFile) {
        return String.join(
                        "\n",
                        "# Generated by the Vigil local stack on every start.",
                        "status = warn",
                        "appender.file.type = File",
                        "appender.file.name = FILE",
                        "appender.file.fileName = " + escape(logFile.toString()),
                        "appender.file.append = true",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = FILE",
                        "# Per-request and per-partition chatter.",
                        "logger.request.name = kafka.request.logger",
                        "logger.request.level = WARN",
                        "logger.state.name = state.change.logger",
                        "logger.state.level = WARN")
                + "\n";
    }

    /** A new cluster id in Kafka's format: a random UUID, URL-safe base64 without padding. */
    static String newClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16);
            bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            // Kafka avoids ids starting with '-' too: a command line would take them for an option.
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    /** Escapes a value for a Java properties file (only backslashes can occur in our paths). */
    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }
}
