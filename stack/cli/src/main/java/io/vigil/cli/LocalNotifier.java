package io.vigil.cli;

import io.vigil.notifier.NotifierMain;
import io.vigil.stack.LocalStack;
import io.vigil.stack.RuntimeClasspath;
import io.vigil.stack.process.JavaCommand;
import io.vigil.stack.process.Loopback;
import io.vigil.stack.process.ManagedProcess;
import io.vigil.stack.process.ProcessSpec;
import io.vigil.stack.process.ReadinessCheck;
import io.vigil.stack.state.Role;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The notifier as a process of the local stack: {@link NotifierMain} in a JVM of its own, started
 * with the class path its build recorded, on the stack's Kafka and Cassandra, its silence API on a
 * loopback port. The stack records it in stack.json (role {@link Role#NOTIFIER}, main port {@code
 * api}), which is how {@code vigil status}, {@code vigil silence} and {@code vigil down} find it.
 *
 * <pre>{@code
 * ManagedProcess notifier = LocalNotifier.start(stack, config, new PortAllocator().next());
 * URI api = LocalNotifier.apiUri(notifier.mainPort().getAsInt());
 * }</pre>
 */
final class LocalNotifier {

    /** The process name in stack.json, logs and {@code vigil status}. */
    static final String NAME = "notifier";

    /** The name of its main port: the silence API. */
    static final String API_PORT = "api";

    /** Every notifier of local stacks shares one consumer group, so a restart resumes. */
    static final String GROUP = "vigil-notifier";

    /** Written by the notifier's build next to its classes (see notifier/pom.xml). */
    private static final String CLASSPATH_RESOURCE = "io/vigil/notifier/notifier.classpath";

    /**
     * A small consumer: the serial collector and the quick compiler alone spare the two cores of a
     * laptop-sized machine (a few notifications a second need no optimised code).
     */
    private static final List<String> JVM_OPTIONS =
            List.of(
                    "-Xms32m",
                    "-Xmx256m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+ExitOnOutOfMemoryError");

    private LocalNotifier() {}

    /**
     * Starts the notifier on the running stack and waits for its ready line.
     *
     * @param apiPort a free loopback port for its silence API
     * @throws io.vigil.stack.process.ProcessStartException with the end of its log if it does not
     *     start (e.g. a configuration it refuses)
     */
    static ManagedProcess start(LocalStack stack, Path config, int apiPort) {
        return stack.startProcess(
                Role.NOTIFIER,
                spec(
                        stack.logFile(NAME),
                        stack.dataDir(),
                        config,
                        stack.kafkaBootstrapServers(),
                        UpCommand.hostAndPort(stack.cassandraContactPoint()),
                        stack.cassandraLocalDatacenter(),
                        apiPort));
    }

    /** What {@link #start} launches; the notifier logs to stdout, so one file holds everything. */
    static ProcessSpec spec(
            Path logFile,
            Path workingDir,
            Path config,
            String kafka,
            String cassandra,
            String datacenter,
            int apiPort) {
        List<String> command =
                JavaCommand.builder(JavaCommand.currentJava())
                        .jvmOptions(JVM_OPTIONS)
                        .classpath(classpath())
                        .mainClass(NotifierMain.class.getName())
                        .args(
                                List.of(
                                        "--config",
                                        config.toAbsolutePath().toString(),
                                        "--kafka",
                                        kafka,
                                        "--cassandra",
                                        cassandra,
                                        "--datacenter",
                                        datacenter,
                                        "--group",
                                        GROUP,
                                        "--instance",
                                        "local",
                                        "--api",
                                        Loopback.HOST + ":" + apiPort))
                        .build();
        return ProcessSpec.builder(NAME)
                .command(command)
                .workingDir(workingDir)
                .outputFile(logFile)
                .mainPort(API_PORT, apiPort)
                // Printed after the schema check, the silences are read and the API listens.
                .readiness(ReadinessCheck.logLine(logFile, NotifierMain.READY))
                .build();
    }

    /** The base URI of a local notifier's API. */
    static URI apiUri(int port) {
        return URI.create(String.format("http://%s:%d", Loopback.HOST, port));
    }

    /**
     * The notifier's code (its jar, or its classes folder in a build that did not package) and then
     * the run-time class path its build recorded. The notifier gets only these, not the CLI's class
     * path, so that it logs with its own logging configuration.
     */
    static List<Path> classpath() {
        List<Path> classpath = new ArrayList<>();
        try {
            classpath.add(
                    Path.of(
                            NotifierMain.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("The notifier's code location is not a path", e);
        }
        classpath.addAll(
                RuntimeClasspath.read(
                        NotifierMain.class.getClassLoader(),
                        CLASSPATH_RESOURCE,
                        "rebuild the notifier (mvn package -pl notifier)"));
        return classpath;
    }
}
