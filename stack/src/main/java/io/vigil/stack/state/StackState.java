package io.vigil.stack.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.stack.process.ProcessTermination;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The processes of a running local stack, as recorded in {@code <data dir>/stack.json}, so that
 * another JVM ({@code vigil status}, {@code vigil down}) can find, check and stop them.
 *
 * <pre>{@code
 * Optional<StackState> state = StackState.read(dataDir);
 * state.map(StackState::status).ifPresent(System.out::println); // vigil status
 * StackState.stopAll(dataDir, Duration.ofSeconds(15)); // vigil down
 * }</pre>
 *
 * <p>The stack rewrites the file whenever it starts or stops a process and deletes it when it is
 * closed; a file that remains after a crash of its owner still lets {@code vigil down} clean up.
 * Processes are identified by pid and OS start time, so a pid reused by an unrelated process is
 * reported {@link Health#DEAD} and never signalled.
 */
public final class StackState {

    /** The file name inside the data folder. */
    public static final String FILE_NAME = "stack.json";

    /** Bumped when the file changes incompatibly, so that an old CLI refuses a new file. */
    private static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dataDir;
    private final Instant createdAt;
    private final long ownerPid;
    private final List<ProcessRecord> processes;

    /**
     * @param dataDir the stack's data folder, where the file lives
     * @param createdAt when the stack started
     * @param ownerPid the JVM that started the stack (a test run, {@code vigil up})
     * @param processes in start order
     */
    public StackState(
            Path dataDir, Instant createdAt, long ownerPid, List<ProcessRecord> processes) {
        this.dataDir = dataDir.toAbsolutePath();
        this.createdAt = createdAt;
        this.ownerPid = ownerPid;
        this.processes = List.copyOf(processes);
    }

    /** Where the state file of the stack in this data folder is. */
    public static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** The recorded state of the stack in this data folder, if one is recorded. */
    public static Optional<StackState> read(Path dataDir) {
        Path file = file(dataDir);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(fromJson(dataDir, JSON.readTree(file.toFile())));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    String.format("Cannot read the stack state %s", file), e);
        }
    }

    /**
     * Stops every recorded process that still runs (Flink and the notifier first, then Kafka and
     * Cassandra, each group in parallel) and deletes the state file. Does nothing if no state is
     * recorded.
     *
     * @param grace how long each process may take to exit after SIGTERM before it is killed
     * @return the processes that were running and have been stopped
     */
    public static List<ProcessRecord> stopAll(Path dataDir, Duration grace) {
        return read(dataDir).map(state -> state.stopAll(grace)).orElse(List.of());
    }

    /** Stops every recorded process that still runs and deletes the state file. */
    public List<ProcessRecord> stopAll(Duration grace) {
        List<ProcessRecord> running = processes.stream().filter(ProcessRecord::isAlive).toList();
        // Flink and the notifier go first, so that they do not spend their last seconds failing
        // over because Kafka or Cassandra went away.
        Predicate<ProcessRecord> isStore = process -> process.role().isStore();
        stopInParallel(running.stream().filter(isStore.negate()).toList(), grace);
        stopInParallel(running.stream().filter(isStore).toList(), grace);
        delete(dataDir);
        return running;
    }

    private static void stopInParallel(List<ProcessRecord> records, Duration grace) {
        List<Runnable> stops = new ArrayList<>();
        for (ProcessRecord record : records) {
            record.liveHandle()
                    .ifPresent(
                            handle ->
                                    stops.add(
                                            () ->
                                                    ProcessTermination.stop(
                                                            record.name(), handle, grace)));
        }
        ProcessTermination.inParallel(stops);
    }

    /** Deletes the state file of the stack in this data folder, if there is one. */
    public static void delete(Path dataDir) {
        try {
            Files.deleteIfExists(file(dataDir));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    String.format("Cannot delete the stack state in %s", dataDir), e);
        }
    }

    /**
     * Writes this state to {@code <data dir>/stack.json}, atomically, so that a reader never sees a
     * half-written file.
     */
    public void write() {
        Path file = file(dataDir);
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            Files.createDirectories(dataDir);
            JSON.writeValue(temporary.toFile(), toJson());
            try {
                Files.move(
                        temporary,
                        file,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    String.format("Cannot write the stack state %s", file), e);
        }
    }

    /** Checks each recorded process now: alive, and does its main port answer. */
    public StackStatus status() {
        return StackStatus.probe(this);
    }

    public Path dataDir() {
        return dataDir;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** The pid of the JVM that started the stack. */
    public long ownerPid() {
        return ownerPid;
    }

    /** The recorded processes, in start order. */
    public List<ProcessRecord> processes() {
        return processes;
    }

    /** The recorded process with this name, if any. */
    public Optional<ProcessRecord> process(String name) {
        return processes.stream().filter(process -> process.name().equals(name)).findFirst();
    }

    private ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        root.put("createdAt", createdAt.toString());
        root.put("ownerPid", ownerPid);
        ArrayNode nodes = root.putArray("processes");
        for (ProcessRecord process : processes) {
            ObjectNode node = nodes.addObject();
            node.put("name", process.name());
            node.put("role", process.role().name());
            node.put("pid", process.pid());
            if (process.startedAt() != null) {
                node.put("startedAt", process.startedAt().toString());
            }
            if (process.mainPort() != null) {
                node.put("mainPort", process.mainPort());
            }
            ObjectNode ports = node.putObject("ports");
            process.ports().forEach(ports::put);
            node.put("logFile", process.logFile().toString());
            node.put("outputFile", process.outputFile().toString());
        }
        return root;
    }

    private static StackState fromJson(Path dataDir, JsonNode root) {
        int version = root.path("version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new IllegalStateException(
                    String.format(
                            "%s has format version %s; this code reads version %s",
                            file(dataDir), version, FORMAT_VERSION));
        }
        List<ProcessRecord> processes = new ArrayList<>();
        for (JsonNode node : root.path("processes")) {
            Map<String, Integer> ports = new LinkedHashMap<>();
            node.path("ports")
                    .properties()
                    .forEach(port -> ports.put(port.getKey(), port.getValue().asInt()));
            processes.add(
                    new ProcessRecord(
                            required(node, "name").asText(),
                            Role.valueOf(required(node, "role").asText()),
                            required(node, "pid").asLong(),
                            node.hasNonNull("startedAt")
                                    ? Instant.parse(node.get("startedAt").asText())
                                    : null,
                            node.hasNonNull("mainPort") ? node.get("mainPort").asText() : null,
                            ports,
                            Path.of(required(node, "logFile").asText()),
                            Path.of(required(node, "outputFile").asText())));
        }
        return new StackState(
                dataDir,
                Instant.parse(required(root, "createdAt").asText()),
                required(root, "ownerPid").asLong(),
                processes);
    }

    private static JsonNode required(JsonNode node, String field) {
        if (!node.hasNonNull(field)) {
            throw new IllegalStateException(
                    String.format("The stack state lacks '%s' in %s", field, node));
        }
        return node.get(field);
    }

    @Override
    public String toString() {
        return String.format(
                "StackState[%s, created %s by pid %s, %s]",
                dataDir, createdAt, ownerPid, processes);
    }
}
