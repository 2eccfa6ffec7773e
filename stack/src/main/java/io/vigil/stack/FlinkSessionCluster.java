package io.vigil.stack;

import io.vigil.stack.process.JavaCommand;
import io.vigil.stack.process.OneShotProcess;
import io.vigil.stack.process.ProcessSpec;
import io.vigil.stack.process.ReadinessCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Flink session cluster: one JobManager ({@code StandaloneSessionClusterEntrypoint}) and N
 * TaskManagers ({@code TaskManagerRunner}), each its own JVM, started the way Flink's bin/*.sh
 * scripts start them, from the repository's {@code flink-conf/config.yaml} with ports and folders
 * set per start.
 */
final class FlinkSessionCluster {

    static final String JOBMANAGER = "flink-jobmanager";

    private static final String JOBMANAGER_MAIN_CLASS =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASKMANAGER_MAIN_CLASS =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /** The cluster settings shipped in this jar from the repository's flink-conf folder. */
    private static final String BUNDLED_CONF = "io/vigil/stack/flink-conf/";

    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(1);

    private final StackLayout layout;
    private final Path java;
    private final int restPort;
    private final int rpcPort;
    private final int blobPort;
    private final Map<String, Object> extraSettings;
    private final Path dir;
    private final Path confDir;

    /**
     * @param extraSettings set on top of the bundled configuration and the per-start settings
     */
    FlinkSessionCluster(
            StackLayout layout,
            Path java,
            int restPort,
            int rpcPort,
            int blobPort,
            Map<String, Object> extraSettings) {
        this.layout = layout;
        this.java = java;
        this.restPort = restPort;
        this.rpcPort = rpcPort;
        this.blobPort = blobPort;
        this.extraSettings = Map.copyOf(extraSettings);
        this.dir = layout.component("flink");
        this.confDir = dir.resolve("conf");
    }

    static String taskManagerName(int index) {
        return "flink-taskmanager-" + index;
    }

    URI restUri() {
        return URI.create("http://127.0.0.1:" + restPort);
    }

    /**
     * Writes the cluster's configuration folder (used by the JobManager and all TaskManagers) and
     * returns how to start the JobManager.
     */
    ProcessSpec prepareJobManager(Duration startTimeout) {
        Map<String, Object> config = writeConfiguration();
        BashJavaUtilsResult memory = resourceParams("GET_JM_RESOURCE_PARAMS");
        Path logFile = layout.logFile(JOBMANAGER);
        return ProcessSpec.builder(JOBMANAGER)
                .command(
                        command(
                                JOBMANAGER_MAIN_CLASS,
                                "jobmanager",
                                config,
                                memory,
                                logFile,
                                List.of()))
                .workingDir(dir)
                .environment("FLINK_CONF_DIR", confDir.toString())
                .outputFile(layout.outputFile(JOBMANAGER))
                .logFile(logFile)
                .mainPort("rest", restPort)
                .port("rpc", rpcPort)
                .port("blob", blobPort)
                .readiness(ReadinessCheck.httpOk(restUri().resolve("/overview")))
                .startTimeout(startTimeout)
                .build();
    }

    /**
     * Returns how to start the TaskManagers, one per given RPC port. Needs the configuration that
     * {@link #prepareJobManager} wrote.
     */
    List<ProcessSpec> prepareTaskManagers(List<Integer> rpcPorts, Duration startTimeout) {
        Map<String, Object> config = readConfiguration();
        BashJavaUtilsResult memory = resourceParams("GET_TM_RESOURCE_PARAMS");
        List<ProcessSpec> specs = new ArrayList<>();
        for (int i = 0; i < rpcPorts.size(); i++) {
            String name = taskManagerName(i + 1);
            int port = rpcPorts.get(i);
            Path logFile = layout.logFile(name);
            // A fixed RPC port per TaskManager, so that vigil status can check each one.
            List<String> extraArgs = List.of("-D", "taskmanager.rpc.port=" + port);
            specs.add(
                    ProcessSpec.builder(name)
                            .command(
                                    command(
                                            TASKMANAGER_MAIN_CLASS,
                                            "taskmanager",
                                            config,
                                            memory,
                                            logFile,
                                            extraArgs))
                            .workingDir(dir)
                            .environment("FLINK_CONF_DIR", confDir.toString())
                            .outputFile(layout.outputFile(name))
                            .logFile(logFile)
                            .mainPort("rpc", port)
                            .readiness(ReadinessCheck.tcpPort(port))
                            .startTimeout(startTimeout)
                            .build());
        }
        return specs;
    }

    /** The per-start settings: loopback ports of this start, folders under the data folder. */
    Map<String, Object> localSettings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("rest.port", restPort);
        settings.put("jobmanager.rpc.port", rpcPort);
        settings.put("blob.server.port", String.valueOf(blobPort));
        // Each TaskManager gets its own RPC port as a program argument; 0 for anything else.
        settings.put("taskmanager.rpc.port", "0");
        settings.put("taskmanager.data.port", 0);
        settings.put("io.tmp.dirs", dir.resolve("tmp").toString());
        settings.put("web.tmpdir", dir.resolve("web-tmp").toString());
        settings.put("web.upload.dir", dir.resolve("web-upload").toString());
        String checkpoints = dir.resolve("checkpoints").toUri().toString();
        String savepoints = dir.resolve("savepoints").toUri().toString();
        // Flink 2 reads the execution.checkpointing.* keys; the state.* ones are their old names,
        // set too so that either spelling in a job or a tool finds the same folder.
        settings.put("state.checkpoints.dir", checkpoints);
        settings.put("execution.checkpointing.dir", checkpoints);
        settings.put("state.savepoints.dir", savepoints);
        settings.put("execution.checkpointing.savepoint-dir", savepoints);
        // The REST API serves metrics from a cache refreshed every 10 s by default; tests that
        // poll a job's counters would wait that long for each change.
        settings.put("metrics.fetcher.update-interval", 1000);
        return settings;
    }

    private Map<String, Object> writeConfiguration() {
        Map<String, Object> bundled;
        try (InputStream in = bundledResource("config.yaml")) {
            bundled = FlinkConfig.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the bundled Flink configuration", e);
        }
        Map<String, Object> config =
                FlinkConfig.merge(FlinkConfig.merge(bundled, localSettings()), extraSettings);
        try {
            Files.createDirectories(confDir);
            Files.createDirectories(dir.resolve("tmp"));
            // Flink looks for plugins in "plugins" of its working folder and warns if there is
            // none;
            // the stack brings none, its class path has all it needs.
            Files.createDirectories(dir.resolve("plugins"));
            Files.writeString(
                    confDir.resolve("config.yaml"),
                    "# Generated by the Vigil local stack on every start from"
                        + " flink-conf/config.yaml and per-start settings; edits are overwritten.\n"
                            + FlinkConfig.toYaml(config));
            try (InputStream in = bundledResource("log4j.properties")) {
                Files.write(confDir.resolve("log4j.properties"), in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    String.format("Cannot write the Flink configuration in %s", confDir), e);
        }
        return config;
    }

    private Map<String, Object> readConfiguration() {
        Path file = confDir.resolve("config.yaml");
        if (!Files.exists(file)) {
            throw new IllegalStateException(
                    String.format("The JobManager must be prepared first: no %s", file));
        }
        try (InputStream in = Files.newInputStream(file)) {
            return FlinkConfig.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(String.format("Cannot read %s", file), e);
        }
    }

    private static InputStream bundledResource(String name) {
        InputStream in =
                FlinkSessionCluster.class.getClassLoader().getResourceAsStream(BUNDLED_CONF + name);
        if (in == null) {
            throw new StackException(
                    String.format("%s%s is missing from the vigil-stack jar", BUNDLED_CONF, name));
        }
        return in;
    }

    /** Runs Flink's memory calculator on the written configuration. */
    private BashJavaUtilsResult resourceParams(String command) {
        List<String> toolCommand =
                JavaCommand.builder(java)
                        .jvmOption("-Xmx128m")
                        .classpath(RuntimeClasspath.load("flink"))
                        .mainClass(BashJavaUtilsResult.MAIN_CLASS)
                        .args(List.of(command, "--configDir", confDir.toString()))
                        .build();
        String output =
                OneShotProcess.run(
                        "flink-bash-java-utils",
                        toolCommand,
                        dir,
                        layout.outputFile("flink-bash-java-utils"),
                        TOOL_TIMEOUT);
        return BashJavaUtilsResult.parse(output);
    }

    /**
     * The command line of a JobManager or TaskManager, as flink-daemon.sh builds it: memory
     * options, Flink's Java 17 module flags from the configuration, logging, then the entry point
     * with the configuration folder and the derived memory sizes as dynamic properties.
     */
    private List<String> command(
            String mainClass,
            String processType,
            Map<String, Object> config,
            BashJavaUtilsResult memory,
            Path logFile,
            List<String> extraArgs) {
        return JavaCommand.builder(java)
                .jvmOptions(memory.jvmParams())
                // As Flink's config.sh: options meant for other JDKs must not stop the JVM.
                .jvmOption("-XX:+IgnoreUnrecognizedVMOptions")
                .jvmOptions(FlinkConfig.javaOptions(config, processType))
                .systemProperty("log.file", logFile)
                .systemProperty(
                        "log4j.configurationFile", confDir.resolve("log4j.properties").toUri())
                .classpath(RuntimeClasspath.load("flink"))
                .mainClass(mainClass)
                .args(List.of("--configDir", confDir.toString()))
                .args(memory.dynamicProperties())
                .args(extraArgs)
                .build();
    }
}
