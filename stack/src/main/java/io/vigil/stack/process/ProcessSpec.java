package io.vigil.stack.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything needed to start one child process and tell when it is ready: its command, working
 * folder, where its output goes, the ports it listens on and its {@link ReadinessCheck}. Immutable;
 * {@link ManagedProcess#launch(ProcessSpec)} starts it.
 *
 * <pre>{@code
 * ProcessSpec spec =
 *         ProcessSpec.builder("kafka")
 *                 .command(command)
 *                 .workingDir(dataDir.resolve("kafka"))
 *                 .outputFile(logs.resolve("kafka.out"))
 *                 .logFile(logs.resolve("kafka.log"))
 *                 .mainPort("broker", 9092)
 *                 .port("controller", 9093)
 *                 .readiness(ReadinessCheck.tcpPort(9092))
 *                 .build();
 * }</pre>
 *
 * <p>A process has two files: the {@linkplain #outputFile() output file} gets its stdout and stderr
 * (JVM crashes, bad options), the {@linkplain #logFile() log file} is what its logging framework
 * writes. Processes that log to stdout use the same file for both.
 */
public final class ProcessSpec {

    /** How long a process may take to become ready unless told otherwise. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(2);

    /**
     * How long a process may take to stop after SIGTERM before it is killed. Cassandra drains and
     * flushes in about 7 s, Kafka shuts down in about 2 s.
     */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(15);

    private final String name;
    private final List<String> command;
    private final Path workingDir;
    private final Map<String, String> environment;
    private final Path outputFile;
    private final Path logFile;
    private final Map<String, Integer> ports;
    private final String mainPortName;
    private final ReadinessCheck readiness;
    private final Duration startTimeout;
    private final Duration stopTimeout;

    private ProcessSpec(Builder builder) {
        this(builder, List.copyOf(builder.command));
    }

    private ProcessSpec(Builder builder, List<String> command) {
        this.name = builder.name;
        this.command = command;
        this.workingDir = builder.workingDir;
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(builder.environment));
        this.outputFile = builder.outputFile;
        this.logFile = builder.logFile == null ? builder.outputFile : builder.logFile;
        this.ports = Collections.unmodifiableMap(new LinkedHashMap<>(builder.ports));
        this.mainPortName = builder.mainPortName;
        this.readiness = builder.readiness;
        this.startTimeout = builder.startTimeout;
        this.stopTimeout = builder.stopTimeout;
    }

    /**
     * The same spec with JVM options inserted right after the executable, for a command that is a
     * {@code java} command line. Options that the command also sets later on keep their later
     * value, so these suit options the command leaves alone.
     */
    public ProcessSpec withJvmOptions(List<String> jvmOptions) {
        if (jvmOptions.isEmpty()) {
            return this;
        }
        List<String> withOptions = new java.util.ArrayList<>(command.size() + jvmOptions.size());
        withOptions.add(command.get(0));
        withOptions.addAll(jvmOptions);
        withOptions.addAll(command.subList(1, command.size()));
        Builder copy = new Builder(name);
        copy.workingDir = workingDir;
        copy.environment.putAll(environment);
        copy.outputFile = outputFile;
        copy.logFile = logFile;
        copy.ports.putAll(ports);
        copy.mainPortName = mainPortName;
        copy.readiness = readiness;
        copy.startTimeout = startTimeout;
        copy.stopTimeout = stopTimeout;
        return new ProcessSpec(copy, List.copyOf(withOptions));
    }

    /** Starts a spec for a process with the given name (used in logs, errors and file names). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** The full command line, executable first. */
    public List<String> command() {
        return command;
    }

    public Path workingDir() {
        return workingDir;
    }

    /** Variables added to the environment inherited from this JVM. */
    public Map<String, String> environment() {
        return environment;
    }

    /** The file that gets the process's stdout and stderr. */
    public Path outputFile() {
        return outputFile;
    }

    /** The file the process's logging framework writes (the output file if it logs to stdout). */
    public Path logFile() {
        return logFile;
    }

    /** The ports the process listens on, by role (e.g. {@code broker}, {@code controller}). */
    public Map<String, Integer> ports() {
        return ports;
    }

    /** The name of the port whose answering means the process serves, if it has one. */
    public Optional<String> mainPortName() {
        return Optional.ofNullable(mainPortName);
    }

    /** The port whose answering means the process serves, if it has one. */
    public OptionalInt mainPort() {
        return mainPortName == null ? OptionalInt.empty() : OptionalInt.of(ports.get(mainPortName));
    }

    public ReadinessCheck readiness() {
        return readiness;
    }

    public Duration startTimeout() {
        return startTimeout;
    }

    public Duration stopTimeout() {
        return stopTimeout;
    }

    @Override
    public String toString() {
        return String.format("%s %s: %s", name, ports, String.join(" ", command));
    }

    /** Builds a {@link ProcessSpec}; {@link #build()} checks that nothing required is missing. */
    public static final class Builder {
        private final String name;
        private final List<String> command = new ArrayList<>();
        private Path workingDir;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path outputFile;
        private Path logFile;
        private final Map<String, Integer> ports = new LinkedHashMap<>();
        private String mainPortName;
        private ReadinessCheck readiness;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder command(List<String> command) {
            this.command.clear();
            this.command.addAll(command);
            return this;
        }

        public Builder workingDir(Path workingDir) {
            this.workingDir = workingDir;
            return this;
        }

        public Builder environment(String variable, String value) {
            environment.put(Objects.requireNonNull(variable), Objects.requireNonNull(value));
            return this;
        }

        public Builder outputFile(Path outputFile) {
            this.outputFile = outputFile;
            return this;
        }

        /** Optional: defaults to the output file. */
        public Builder logFile(Path logFile) {
            this.logFile = logFile;
            return this;
        }

        public Builder port(String portName, int port) {
            checkPort(portName, port);
            ports.put(portName, port);
            return this;
        }

        /** Adds a port and makes it the one whose answering means the process serves. */
        public Builder mainPort(String portName, int port) {
            port(portName, port);
            this.mainPortName = portName;
            return this;
        }

        public Builder readiness(ReadinessCheck readiness) {
            this.readiness = readiness;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
            return this;
        }

        public ProcessSpec build() {
            check(!name.isBlank(), "The process needs a name");
            check(!command.isEmpty(), "No command given for %s", name);
            check(workingDir != null, "No working folder given for %s", name);
            check(outputFile != null, "No output file given for %s", name);
            check(readiness != null, "No readiness check given for %s", name);
            check(
                    startTimeout != null && !startTimeout.isNegative() && !startTimeout.isZero(),
                    "The start timeout of %s must be positive: %s",
                    name,
                    startTimeout);
            check(
                    stopTimeout != null && !stopTimeout.isNegative(),
                    "The stop timeout of %s must not be negative: %s",
                    name,
                    stopTimeout);
            return new ProcessSpec(this);
        }

        private static void checkPort(String portName, int port) {
            Objects.requireNonNull(portName, "portName");
            check(port > 0 && port <= 65535, "Port %s must be in 1..65535: %s", portName, port);
        }

        private static void check(boolean condition, String template, Object... args) {
            if (!condition) {
                throw new IllegalArgumentException(String.format(template, args));
            }
        }
    }
}
