package io.vigil.notifier;

import io.vigil.stack.LocalStack;
import io.vigil.stack.process.JavaCommand;
import io.vigil.stack.process.ReadinessCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A notifier replica in a JVM of its own, started from the test class path with {@link
 * NotifierMain} exactly as in production, so that a test can kill it for real (SIGKILL: no shutdown
 * hook, no final commit, deliveries cut off mid-flight).
 */
final class NotifierReplica implements AutoCloseable {

    private static final Pattern READY =
            Pattern.compile(Pattern.quote(NotifierMain.READY) + " (\\S+)");

    private final Process process;
    private final Path log;
    private final String owner;

    private NotifierReplica(Process process, Path log, String owner) {
        this.process = process;
        this.log = log;
        this.owner = owner;
    }

    /** Starts a replica and waits until it consumes. */
    static NotifierReplica start(
            LocalStack stack, Path config, String group, String instance, Path logDir)
            throws Exception {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(instance + ".log");
        List<String> command =
                JavaCommand.builder(JavaCommand.currentJava())
                        .jvmOption("-Xmx256m")
                        .classpath(List.of(Path.of(System.getProperty("java.class.path"))))
                        .mainClass(NotifierMain.class.getName())
                        .arg("--config=" + config)
                        .arg("--kafka=" + stack.kafkaBootstrapServers())
                        .arg(
                                "--cassandra="
                                        + stack.cassandraContactPoint().getHostString()
                                        + ":"
                                        + stack.cassandraContactPoint().getPort())
                        .arg("--datacenter=" + stack.cassandraLocalDatacenter())
                        .arg("--group=" + group)
                        .arg("--instance=" + instance)
                        .arg("--api=off")
                        .arg("--session-timeout=PT6S")
                        .build();
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        ReadinessCheck ready = ReadinessCheck.logLine(log, NotifierMain.READY);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!ready.isReady()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        String.format(
                                "notifier %s did not start; its log %s:%n%s",
                                instance, log, Files.readString(log, StandardCharsets.UTF_8)));
            }
            Thread.sleep(200);
        }
        Matcher matcher = READY.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (!matcher.find()) {
            throw new IllegalStateException("no owner id in " + log);
        }
        return new NotifierReplica(process, log, matcher.group(1));
    }

    /** The replica's id in the notification log and in the {@code X-Vigil-Notifier} header. */
    String owner() {
        return owner;
    }

    Path log() {
        return log;
    }

    /** SIGKILL: the replica stops wherever it is. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
