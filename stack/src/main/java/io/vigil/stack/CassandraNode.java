package io.vigil.stack;

import io.vigil.stack.process.JavaCommand;
import io.vigil.stack.process.Loopback;
import io.vigil.stack.process.ProcessSpec;
import io.vigil.stack.process.ReadinessCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** A single Cassandra 5.0 node on loopback ports, configured for local development and tests. */
final class CassandraNode {

    static final String NAME = "cassandra";

    /** The data center SimpleSnitch puts every node in; drivers need it as their local DC. */
    static final String LOCAL_DATACENTER = "datacenter1";

    private static final Logger LOG = LoggerFactory.getLogger(CassandraNode.class);

    private static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

    /** Logged once the native transport accepts CQL clients. */
    private static final String READY_LOG_LINE = "Starting listening for CQL clients";

    /**
     * Cassandra reaches into JDK internals (off-heap memory, direct buffers, its own security
     * manager, memory measuring); Java 17 forbids that unless opened. This is the JPMS list of
     * Cassandra's conf/jvm17-server.options together with the packages that older builds of that
     * file opened too.
     */
    static final List<String> JAVA_17_MODULE_OPTIONS =
            List.of(
                    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
                    "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
                    "--add-exports",
                            "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
                    "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
                    "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
                    "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
                    "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
                    "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
                    "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
                    "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
                    "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
                    "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
                    "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
                    "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
                    "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
                    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens", "java.base/java.io=ALL-UNNAMED",
                    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                    "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens", "java.base/java.util=ALL-UNNAMED",
                    "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "--add-opens", "java.base/java.math=ALL-UNNAMED",
                    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens", "java.base/java.net=ALL-UNNAMED",
                    "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED");

    private static final List<String> JVM_OPTIONS =
            List.of(
                    // At most 768 MiB, starting small and given back after a quiet minute: a
                    // local node's footprint follows its load (its memtables, caches and pools
                    // are sized from the maximum, and smaller in cassandra.yaml).
                    "-Xms128m",
                    "-Xmx768m",
                    "-XX:+UseG1GC",
                    "-XX:G1PeriodicGCInterval=60000",
                    "-XX:MinHeapFreeRatio=10",
                    "-XX:MaxHeapFreeRatio=30",
                    // A node that ran out of memory may have corrupted state; dying is safer, and
                    // the stack status then says DEAD.
                    "-XX:+ExitOnOutOfMemoryError",
                    // Cassandra measures object sizes by attaching to itself.
                    "-Djdk.attach.allowAttachSelf=true",
                    "-Djava.net.preferIPv4Stack=true",
                    // As in jvm17-server.options: Netty may use Unsafe for direct buffers.
                    "-Dio.netty.tryReflectionSetAccessible=true");

    private final StackLayout layout;
    private final Path java;
    private final int nativePort;
    private final int storagePort;

    CassandraNode(StackLayout layout, Path java, int nativePort, int storagePort) {
        this.layout = layout;
        this.java = java;
        this.nativePort = nativePort;
        this.storagePort = storagePort;
    }

    InetSocketAddress contactPoint() {
        return Loopback.socketAddress(nativePort);
    }

    /** Writes the node's configuration and returns how to start it. */
    ProcessSpec prepare(Duration startTimeout) {
        Path dir = layout.component(NAME);
        Path configFile = dir.resolve("cassandra.yaml");
        Path logbackConfig = dir.resolve("logback.xml");
        Path logFile = layout.logFile(NAME);
        try {
            // An empty triggers folder: Cassandra scans it every minute and warns if it is missing.
            Files.createDirectories(dir.resolve("triggers"));
            Files.writeString(configFile, toYaml(cassandraYaml(nativePort, storagePort, dir)));
            Files.writeString(logbackConfig, logbackXml(logFile));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    String.format("Cannot write the Cassandra configuration in %s", dir), e);
        }
        ReadinessCheck readiness =
                ReadinessCheck.allOf(
                        ReadinessCheck.logLine(logFile, READY_LOG_LINE),
                        ReadinessCheck.tcpPort(nativePort));
        List<String> command =
                JavaCommand.builder(java)
                        .jvmOptions(JVM_OPTIONS)
                        .jvmOptions(JAVA_17_MODULE_OPTIONS)
                        .systemProperty("cassandra.config", configFile.toUri())
                        // Keeps stdout and stderr open instead of detaching like a daemon.
                        .systemProperty("cassandra-foreground", "yes")
                        .systemProperty("cassandra.storagedir", dir)
                        .systemProperty("cassandra.logdir", layout.logs())
                        .systemProperty("cassandra.triggers_dir", dir.resolve("triggers"))
                        // A single node has no gossip to wait for: saves about 30 s per start.
                        .systemProperty("cassandra.skip_wait_for_gossip_to_settle", 0)
                        .systemProperty("logback.configurationFile", logbackConfig)
                        .classpath(RuntimeClasspath.load(NAME))
                        .mainClass(MAIN_CLASS)
                        .build();
        return ProcessSpec.builder(NAME)
                .command(command)
                .workingDir(dir)
                .outputFile(layout.outputFile(NAME))
                .logFile(logFile)
                .mainPort("native", nativePort)
                .port("storage", storagePort)
                .readiness(readiness)
                .startTimeout(startTimeout)
                .build();
    }

    /** The node's cassandra.yaml: every folder under {@code dir}, small thread pools. */
    static Map<String, Object> cassandraYaml(int nativePort, int storagePort, Path dir) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("cluster_name", "vigil-local");
        config.put("num_tokens", 16);
        config.put("partitioner", "org.apache.cassandra.dht.Murmur3Partitioner");
        config.put(
                "seed_provider",
                List.of(
                        Map.of(
                                "class_name",
                                "org.apache.cassandra.locator.SimpleSeedProvider",
                                "parameters",
                                List.of(Map.of("seeds", "127.0.0.1:" + storagePort)))));
        config.put("listen_address", "127.0.0.1");
        config.put("rpc_address", "127.0.0.1");
        config.put("storage_port", storagePort);
        config.put("native_transport_port", nativePort);
        config.put("start_native_transport", true);
        config.put("data_file_directories", List.of(dir.resolve("data").toString()));
        config.put("commitlog_directory", dir.resolve("commitlog").toString());
        config.put("saved_caches_directory", dir.resolve("saved_caches").toString());
        config.put("hints_directory", dir.resolve("hints").toString());
        config.put("cdc_raw_directory", dir.resolve("cdc_raw").toString());
        config.put("endpoint_snitch", "SimpleSnitch");
        config.put("commitlog_sync", "periodic");
        config.put("commitlog_sync_period", "10000ms");
        // Two cores are shared with Kafka and Flink: small pools, one compactor.
        config.put("concurrent_reads", 4);
        config.put("concurrent_writes", 4);
        config.put("concurrent_counter_writes", 4);
        config.put("concurrent_materialized_view_writes", 2);
        config.put("concurrent_compactors", 1);
        // Off-heap caches sized for one node on a laptop, not a server: the chunk cache would
        // take up to 512 MiB and the networking buffers 128 MiB.
        config.put("file_cache_size", "64MiB");
        config.put("networking_cache_size", "32MiB");
        // The sinks send rows of partitions with the same replicas as unlogged batches of up to
        // 32 rows and 40 KiB (CassandraSinkOptions): warn only above that, not for every batch.
        config.put("batch_size_warn_threshold", "48KiB");
        config.put("unlogged_batch_across_partitions_warn_threshold", 64);
        config.put("authenticator", "AllowAllAuthenticator");
        config.put("authorizer", "AllowAllAuthorizer");
        // Lightweight transactions in one round trip less, as recommended for new clusters.
        config.put("paxos_variant", "v2");
        return config;
    }

    static String toYaml(Map<String, Object> config) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return "# Generated by the Vigil local stack on every start; edits are overwritten.\n"
                + new Yaml(options).dump(config);
    }

    /**
     * Logback configuration: everything at INFO into one file, appended to (the previous run's log
     * is moved aside before each start).
     */
    static String logbackXml(Path logFile) {
        return String.join(
                        "\n",
                        "<!-- Generated by the Vigil local stack on every start. -->",
                        "<configuration>",
                        "  <appender name=\"FILE\" class=\"ch.qos.logback.core.FileAppender\">",
                        "    <file>" + escapeXml(logFile.toString()) + "</file>",
                        "    <append>true</append>",
                        "    <encoder>",
                        "      <pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern>",
                        "    </encoder>",
                        "  </appender>",
                        "  <root level=\"INFO\">",
                        "    <appender-ref ref=\"FILE\"/>",
                        "  </root>",
                        "</configuration>")
                + "\n";
    }

    private static String escapeXml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
