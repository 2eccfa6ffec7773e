package io.vigil.stack;

import io.vigil.stack.process.JavaCommand;
import io.vigil.stack.process.ManagedProcess;
import io.vigil.stack.process.PortAllocator;
import io.vigil.stack.process.ProcessSpec;
import io.vigil.stack.process.ProcessStartException;
import io.vigil.stack.process.ProcessTermination;
import io.vigil.stack.state.ProcessRecord;
import io.vigil.stack.state.Role;
import io.vigil.stack.state.StackState;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vigil's local stack: a real Kafka broker, Cassandra node and Flink session cluster, each its own
 * JVM started from jars in the local Maven repository (no Docker, no downloads), on free loopback
 * ports, with configuration, data and logs in one data folder.
 *
 * <pre>{@code
 * try (LocalStack stack =
 *         LocalStack.builder()
 *                 .dataDir(Path.of("target/stack"))
 *                 .withKafka()
 *                 .withCassandra()
 *                 .withFlink(1)
 *                 .build()
 *                 .start()) {
 *     String bootstrapServers = stack.kafkaBootstrapServers();
 *     InetSocketAddress cassandra = stack.cassandraContactPoint();
 *     FlinkRestClient flink = stack.flinkSession();
 *     ...
 * } // every process is stopped here
 * }</pre>
 *
 * <p>{@link #start()} starts Kafka and Cassandra in parallel, then Flink, and returns when all are
 * ready; if one fails, it stops the others and throws a {@link ProcessStartException} with the
 * failed process's log. While running, the stack records its processes in {@code
 * <dataDir>/stack.json} (see {@link StackState}) for {@code vigil status} and {@code vigil down}.
 * {@link #close()} stops them all, as does a JVM shutdown hook if the JVM exits first (Ctrl-C).
 *
 * <p>Thread-safe: tests that share one stack may call it from several threads.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /**
     * The data centre of the stack's Cassandra node, which drivers need as their local one; for
     * tools that find a running stack through its state file.
     */
    public static final String CASSANDRA_LOCAL_DATACENTER = CassandraNode.LOCAL_DATACENTER;

    /** How often the Flink cluster is asked whether all TaskManagers have registered. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private final StackLayout layout;
    private final boolean withKafka;
    private final boolean withCassandra;
    private final int flinkTaskManagersAtStart;
    private final Path java;
    private final Duration startTimeout;
    private final Map<String, Object> flinkSettings;
    private final List<String> jvmOptions;
    private final PortAllocator ports;
    private final Thread shutdownHook;

    /** Guards membership, so that nothing is launched after (or while) close() collects. */
    private final Object membersLock = new Object();

    private final List<Member> members = new ArrayList<>();

    /** Opens when close() has stopped everything, for concurrent callers of close(). */
    private final CountDownLatch stopped = new CountDownLatch(1);

    private boolean closed;
    private boolean stateWritten;

    /** Guarded by {@code this}, which serializes start() and startFlink(). */
    private boolean started;

    private volatile Instant startedAt;
    private volatile KafkaBroker kafka;
    private volatile CassandraNode cassandra;
    private volatile FlinkRestClient flinkClient;
    private volatile int flinkTaskManagers;

    private LocalStack(Builder builder, PortAllocator ports) {
        this.layout = new StackLayout(builder.dataDir);
        this.withKafka = builder.withKafka;
        this.withCassandra = builder.withCassandra;
        this.flinkTaskManagersAtStart = builder.flinkTaskManagers;
        this.java = builder.javaExecutable;
        this.startTimeout = builder.startTimeout;
        this.flinkSettings = Map.copyOf(builder.flinkSettings);
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.ports = ports;
        this.shutdownHook = new Thread(this::close, "vigil-stack-shutdown");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the configured processes: Kafka and Cassandra in parallel, then Flink. Returns when
     * all are ready.
     *
     * @return this stack, for chaining
     * @throws ProcessStartException if a process does not start; everything is stopped then and
     *     this stack cannot be started again
     * @throws IllegalStateException if called twice, after close(), or if another stack runs in the
     *     same data folder
     */
    public synchronized LocalStack start() {
        if (started) {
            throw new IllegalStateException(
                    String.format("The stack in %s was started already", layout.dataDir()));
        }
        synchronized (membersLock) {
            if (closed) {
                throw new IllegalStateException(
                        String.format("The stack in %s is closed", layout.dataDir()));
            }
        }
        started = true;
        // Loads the classes that stopping needs now: if the jar is replaced while the stack runs
        // (a rebuild during `vigil up`), the shutdown hook could otherwise fail to load them and
        // leave every process running.
        ProcessTermination.inParallel(List.of());
        refuseIfAnotherStackRuns();
        startedAt = Instant.now();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        long startNanos = System.nanoTime();
        try {
            List<Callable<Void>> stores = new ArrayList<>();
            if (withKafka) {
                stores.add(this::startKafka);
            }
            if (withCassandra) {
                stores.add(this::startCassandra);
            }
            // The two take 5 and 15 s; in parallel the slower one sets the pace.
            runInParallel(stores);
            if (flinkTaskManagersAtStart > 0) {
                startFlinkCluster(flinkTaskManagersAtStart);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("The local stack in {} failed to start, stopping it", layout.dataDir());
            cleanUp(e, this::close);
            throw e;
        }
        LOG.info(
                "Local stack in {} started in {} ms: {}",
                layout.dataDir(),
                elapsedMillis(startNanos),
                describe());
        return this;
    }

    /**
     * Starts a Flink session cluster with this many TaskManagers on the running stack, or returns
     * the one already running. Tests that need Flink call this; the first pays the ~10 s start, the
     * others share it.
     *
     * @return the client of the session cluster
     * @throws IllegalStateException if a cluster with another number of TaskManagers runs
     * @throws ProcessStartException if the cluster does not start; its processes are stopped, the
     *     rest of the stack keeps running
     */
    public synchronized FlinkRestClient startFlink(int taskManagers) {
        if (taskManagers < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "A Flink cluster needs at least one TaskManager: %s", taskManagers));
        }
        checkRunning();
        if (flinkClient != null) {
            if (flinkTaskManagers != taskManagers) {
                throw new IllegalStateException(
                        String.format(
                                "A Flink cluster with %s TaskManagers runs already; %s requested",
                                flinkTaskManagers, taskManagers));
            }
            return flinkClient;
        }
        startFlinkCluster(taskManagers);
        return flinkClient;
    }

    /**
     * Starts a process of Vigil itself on the running stack (e.g. the notifier, which {@code vigil
     * up} starts after the schema and topics exist) and waits until it is ready. The stack records
     * it in stack.json, so that {@code vigil status} shows it and {@code vigil down} stops it, and
     * stops it on {@link #close()}, before Kafka and Cassandra.
     *
     * @throws ProcessStartException if it does not become ready; it is stopped and forgotten then,
     *     the rest of the stack keeps running
     * @throws IllegalArgumentException for a role the stack starts itself (Kafka, Cassandra, Flink)
     */
    public ManagedProcess startProcess(Role role, ProcessSpec spec) {
        if (role.isStore() || role == Role.FLINK_JOBMANAGER || role == Role.FLINK_TASKMANAGER) {
            throw new IllegalArgumentException(
                    String.format(
                            "The stack starts %s itself; not starting %s", role, spec.name()));
        }
        checkRunning();
        ManagedProcess process = launch(role, spec);
        try {
            return process.awaitReady();
        } catch (RuntimeException | Error e) {
            cleanUp(e, () -> forget(List.of(process)));
            throw e;
        }
    }

    /** {@code host:port} of the Kafka broker, for {@code bootstrap.servers}. */
    public String kafkaBootstrapServers() {
        return require(kafka, "Kafka", "withKafka()").bootstrapServers();
    }

    /** Where CQL clients connect. */
    public InetSocketAddress cassandraContactPoint() {
        return require(cassandra, "Cassandra", "withCassandra()").contactPoint();
    }

    /**
     * The program arguments that point a Vigil job's main class at this stack's Kafka and
     * Cassandra, followed by {@code more} (option, value, ...), for submitting it to the stack's
     * Flink cluster:
     *
     * <pre>{@code
     * flink.runJar(jarId, mainClass, stack.jobArguments("--vigil.rollup.group-id", group), 1);
     * }</pre>
     */
    public List<String> jobArguments(String... more) {
        List<String> arguments = new ArrayList<>();
        arguments.add("--vigil.kafka.bootstrap-servers");
        arguments.add(kafkaBootstrapServers());
        arguments.add("--vigil.cassandra.contact-points");
        InetSocketAddress cassandra = cassandraContactPoint();
        arguments.add(cassandra.getHostString() + ":" + cassandra.getPort());
        arguments.add("--vigil.cassandra.local-datacenter");
        arguments.add(cassandraLocalDatacenter());
        arguments.addAll(List.of(more));
        return List.copyOf(arguments);
    }

    /** The data center name CQL clients must use as their local one. */
    public String cassandraLocalDatacenter() {
        require(cassandra, "Cassandra", "withCassandra()");
        return CASSANDRA_LOCAL_DATACENTER;
    }

    /** The base URI of the Flink REST API, e.g. {@code http://127.0.0.1:41234}. */
    public URI flinkRestUri() {
        return flinkSession().restUri();
    }

    /** The client of the running Flink session cluster. */
    public FlinkRestClient flinkSession() {
        return require(flinkClient, "Flink", "withFlink(n) or startFlink(n)");
    }

    /** The data folder: configuration, data and logs of every process, and stack.json. */
    public Path dataDir() {
        return layout.dataDir();
    }

    /**
     * Where a process of this stack (e.g. one given to {@link #startProcess}) keeps its log: {@code
     * <dataDir>/logs/<name>.log}, next to the others.
     */
    public Path logFile(String processName) {
        return layout.logFile(processName);
    }

    /** Every process this stack has started and not yet given up, in start order. */
    public List<ManagedProcess> processes() {
        synchronized (membersLock) {
            return members.stream().map(Member::process).toList();
        }
    }

    /** The process with this name ({@code kafka}, {@code cassandra}, {@code flink-jobmanager}). */
    public Optional<ManagedProcess> process(String name) {
        return processes().stream().filter(process -> process.name().equals(name)).findFirst();
    }

    /**
     * Stops every process (Flink and the notifier first, then Kafka and Cassandra, each group in
     * parallel), deletes the state file and returns when none is left. Idempotent; a call while
     * another thread closes the stack (e.g. a shutdown hook) waits for that to finish.
     */
    @Override
    public void close() {
        List<Member> toStop;
        boolean deleteState;
        boolean closing;
        synchronized (membersLock) {
            closing = closed;
            closed = true;
            toStop = List.copyOf(members);
            deleteState = stateWritten;
        }
        if (closing) {
            awaitStopped();
            return;
        }
        try {
            stop(toStop);
            if (deleteState) {
                StackState.delete(layout.dataDir());
            }
        } finally {
            stopped.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: this is the hook itself running.
        }
        if (!toStop.isEmpty()) {
            LOG.info("Local stack in {} stopped", layout.dataDir());
        }
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Void startKafka() {
        KafkaBroker broker = new KafkaBroker(layout, java, ports.next(), ports.next());
        launch(Role.KAFKA, broker.prepare(startTimeout)).awaitReady();
        kafka = broker;
        return null;
    }

    private Void startCassandra() {
        CassandraNode node = new CassandraNode(layout, java, ports.next(), ports.next());
        launch(Role.CASSANDRA, node.prepare(startTimeout)).awaitReady();
        cassandra = node;
        return null;
    }

    private void startFlinkCluster(int taskManagers) {
        long startNanos = System.nanoTime();
        FlinkSessionCluster cluster =
                new FlinkSessionCluster(
                        layout, java, ports.next(), ports.next(), ports.next(), flinkSettings);
        List<ManagedProcess> launched = new ArrayList<>();
        try {
            ManagedProcess jobManager =
                    launch(Role.FLINK_JOBMANAGER, cluster.prepareJobManager(startTimeout));
            launched.add(jobManager);
            // Computing the TaskManager memory takes a JVM start too: done while the JobManager
            // boots.
            List<Integer> rpcPorts =
                    IntStream.range(0, taskManagers).mapToObj(i -> ports.next()).toList();
            List<ProcessSpec> taskManagerSpecs =
                    cluster.prepareTaskManagers(rpcPorts, startTimeout);
            jobManager.awaitReady();
            List<ManagedProcess> taskManagerProcesses = new ArrayList<>();
            for (ProcessSpec spec : taskManagerSpecs) {
                ManagedProcess taskManager = launch(Role.FLINK_TASKMANAGER, spec);
                launched.add(taskManager);
                taskManagerProcesses.add(taskManager);
            }
            taskManagerProcesses.forEach(ManagedProcess::awaitReady);
            FlinkRestClient client = FlinkRestClient.create(cluster.restUri());
            awaitTaskManagers(client, taskManagers, jobManager, taskManagerProcesses);
            flinkTaskManagers = taskManagers;
            flinkClient = client;
        } catch (RuntimeException | Error e) {
            LOG.error("The Flink session cluster failed to start, stopping its processes");
            cleanUp(e, () -> forget(launched));
            throw e;
        }
        LOG.info(
                "Flink session cluster with {} TaskManager(s) at {} ready after {} ms",
                taskManagers,
                cluster.restUri(),
                elapsedMillis(startNanos));
    }

    /** Waits until the JobManager reports all TaskManagers registered. */
    private void awaitTaskManagers(
            FlinkRestClient client,
            int expected,
            ManagedProcess jobManager,
            List<ManagedProcess> taskManagers) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        int registered = 0;
        while (true) {
            for (ManagedProcess process : taskManagers) {
                if (!process.isAlive()) {
                    throw process.startFailure("exited before it registered with the JobManager");
                }
            }
            if (!jobManager.isAlive()) {
                throw jobManager.startFailure("exited while the TaskManagers registered");
            }
            try {
                registered = client.taskManagerCount();
            } catch (StackException e) {
                LOG.debug("The JobManager did not answer: {}", e.getMessage());
            }
            if (registered >= expected) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw taskManagers
                        .get(0)
                        .startFailure(
                                String.format(
                                        "%s of %s TaskManagers registered with the JobManager"
                                                + " within %s s (JobManager log: %s)",
                                        registered,
                                        expected,
                                        startTimeout.toSeconds(),
                                        jobManager.logFile()));
            }
            sleep(POLL_INTERVAL);
        }
    }

    /**
     * Runs the clean-up after a failed start; if that fails too, its failure is added to the
     * start's, so that the cause of the failed start is never lost.
     */
    private static void cleanUp(Throwable startFailure, Runnable cleanUp) {
        try {
            cleanUp.run();
        } catch (RuntimeException | Error e) {
            startFailure.addSuppressed(e);
        }
    }

    /** Launches a process and records it, unless the stack is closed. */
    private ManagedProcess launch(Role role, ProcessSpec spec) {
        synchronized (membersLock) {
            if (closed) {
                throw new IllegalStateException(
                        String.format("The stack is closed; not starting %s", spec.name()));
            }
            ManagedProcess process = ManagedProcess.launch(spec.withJvmOptions(jvmOptions));
            members.add(new Member(role, process));
            writeState();
            return process;
        }
    }

    /** Stops processes of a failed start and drops them from the stack and its state file. */
    private void forget(List<ManagedProcess> processes) {
        ProcessTermination.inParallel(processes.stream().map(p -> (Runnable) p::stop).toList());
        synchronized (membersLock) {
            members.removeIf(member -> processes.contains(member.process()));
            if (!closed) {
                writeState();
            }
        }
    }

    private static void stop(List<Member> toStop) {
        // Flink and the notifier first, so that they do not spend their last seconds failing over
        // because Kafka or Cassandra went away.
        List<Runnable> clients = new ArrayList<>();
        List<Runnable> stores = new ArrayList<>();
        for (Member member : toStop) {
            (member.role().isStore() ? stores : clients).add(member.process()::stop);
        }
        ProcessTermination.inParallel(clients);
        ProcessTermination.inParallel(stores);
    }

    /** Rewrites stack.json; called with the members lock held. */
    private void writeState() {
        List<ProcessRecord> records = new ArrayList<>();
        for (Member member : members) {
            ManagedProcess process = member.process();
            records.add(
                    new ProcessRecord(
                            process.name(),
                            member.role(),
                            process.pid(),
                            process.startedAt(),
                            process.spec().mainPortName().orElse(null),
                            process.ports(),
                            process.logFile(),
                            process.outputFile()));
        }
        new StackState(layout.dataDir(), startedAt, ProcessHandle.current().pid(), records).write();
        stateWritten = true;
    }

    private void refuseIfAnotherStackRuns() {
        Optional<StackState> previous = StackState.read(layout.dataDir());
        if (previous.isEmpty()) {
            return;
        }
        List<ProcessRecord> alive =
                previous.get().processes().stream().filter(ProcessRecord::isAlive).toList();
        if (!alive.isEmpty()) {
            throw new IllegalStateException(
                    String.format(
                            "A stack already runs in %s (%s); stop it first with 'vigil down' or"
                                    + " StackState.stopAll",
                            layout.dataDir(),
                            alive.stream()
                                    .map(process -> process.name() + " pid " + process.pid())
                                    .collect(Collectors.joining(", "))));
        }
        LOG.info("Replacing the state file of a stack that no longer runs in {}", layout.dataDir());
    }

    private void checkRunning() {
        synchronized (membersLock) {
            if (!started || closed) {
                throw new IllegalStateException(
                        String.format(
                                "The stack in %s is not running (started: %s, closed: %s)",
                                layout.dataDir(), started, closed));
            }
        }
    }

    private <T> T require(T component, String name, String howToAdd) {
        if (component == null) {
            throw new IllegalStateException(
                    String.format(
                            "%s is not running in the stack in %s: add it with %s and start the"
                                    + " stack",
                            name, layout.dataDir(), howToAdd));
        }
        return component;
    }

    private String describe() {
        List<String> parts = new ArrayList<>();
        if (kafka != null) {
            parts.add("Kafka " + kafka.bootstrapServers());
        }
        if (cassandra != null) {
            InetSocketAddress contactPoint = cassandra.contactPoint();
            parts.add(
                    String.format(
                            "Cassandra %s:%s",
                            contactPoint.getHostString(), contactPoint.getPort()));
        }
        if (flinkClient != null) {
            parts.add("Flink " + flinkClient.restUri());
        }
        return String.join(", ", parts);
    }

    /**
     * Runs start tasks in parallel. If one fails, the others are interrupted (which stops the
     * process they are waiting for) and the first failure is thrown, the others suppressed in it.
     */
    private static void runInParallel(List<Callable<Void>> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        ExecutorService executor =
                Executors.newFixedThreadPool(
                        tasks.size(),
                        runnable -> {
                            Thread thread = new Thread(runnable, "vigil-stack-start");
                            thread.setDaemon(true);
                            return thread;
                        });
        List<Future<Void>> futures = new ArrayList<>();
        try {
            CompletionService<Void> completion = new ExecutorCompletionService<>(executor);
            tasks.forEach(task -> futures.add(completion.submit(task)));
            RuntimeException failure = null;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    completion.take().get();
                } catch (CancellationException e) {
                    // Canceled because another task failed first.
                } catch (ExecutionException e) {
                    RuntimeException cause = asRuntimeException(e.getCause());
                    if (failure == null) {
                        failure = cause;
                        futures.forEach(future -> future.cancel(true));
                    } else {
                        failure.addSuppressed(cause);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            futures.forEach(future -> future.cancel(true));
            throw new StackException("Interrupted while starting the stack", e);
        } finally {
            executor.shutdownNow();
            awaitTermination(executor);
        }
    }

    /** Lets canceled tasks finish stopping their process before the caller cleans up. */
    private static void awaitTermination(ExecutorService executor) {
        try {
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("Start tasks still running after a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RuntimeException asRuntimeException(Throwable throwable) {
        if (throwable instanceof RuntimeException runtime) {
            return runtime;
        }
        if (throwable instanceof Error error) {
            throw error;
        }
        return new StackException(
                String.format("A process failed to start: %s", throwable), throwable);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while starting the stack", e);
        }
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Override
    public String toString() {
        return String.format("LocalStack[%s: %s]", layout.dataDir(), describe());
    }

    /** A started process and what it is in the stack. */
    private record Member(Role role, ManagedProcess process) {}

    /** Configures a {@link LocalStack}. The data folder and at least one component are required. */
    public static final class Builder {
        private Path dataDir;
        private boolean withKafka;
        private boolean withCassandra;
        private int flinkTaskManagers;
        private Path javaExecutable = JavaCommand.currentJava();
        private Duration startTimeout = ProcessSpec.DEFAULT_START_TIMEOUT;
        private final Map<String, Object> flinkSettings = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>();

        private Builder() {}

        /** The folder for configuration, data, logs and stack.json; created if missing. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        public Builder withKafka() {
            this.withKafka = true;
            return this;
        }

        public Builder withCassandra() {
            this.withCassandra = true;
            return this;
        }

        /** Starts a Flink session cluster with this many TaskManagers too. */
        public Builder withFlink(int taskManagers) {
            if (taskManagers < 1) {
                throw new IllegalArgumentException(
                        String.format(
                                "A Flink cluster needs at least one TaskManager: %s",
                                taskManagers));
            }
            this.flinkTaskManagers = taskManagers;
            return this;
        }

        /** The {@code java} to start processes with; by default the one running this code. */
        public Builder javaExecutable(Path javaExecutable) {
            this.javaExecutable = Objects.requireNonNull(javaExecutable, "javaExecutable");
            return this;
        }

        /** How long each process may take to become ready; 2 minutes by default. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
            return this;
        }

        /**
         * A Flink setting on top of flink-conf/config.yaml and the per-start settings, e.g. for a
         * test that needs more slots.
         */
        public Builder flinkSetting(String key, Object value) {
            flinkSettings.put(
                    Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * JVM options for every process the stack starts (Kafka, Cassandra, Flink, and processes
         * started later with {@link LocalStack#startProcess}), e.g. {@code -XX:TieredStopAtLevel=1}
         * for a stack that will carry little load.
         */
        public Builder jvmOptions(List<String> options) {
            options.forEach(option -> jvmOptions.add(Objects.requireNonNull(option, "option")));
            return this;
        }

        public LocalStack build() {
            if (dataDir == null) {
                throw new IllegalStateException("No data folder given: call dataDir(...)");
            }
            if (!withKafka && !withCassandra && flinkTaskManagers == 0) {
                throw new IllegalStateException(
                        "Nothing to start: call withKafka(), withCassandra() or withFlink(n)");
            }
            if (!Files.isExecutable(javaExecutable)) {
                throw new IllegalStateException(
                        String.format("%s is not an executable java", javaExecutable));
            }
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalStateException(
                        String.format("The start timeout must be positive: %s", startTimeout));
            }
            return new LocalStack(this, new PortAllocator());
        }
    }
}
