package io.vigil.bench.pipeline;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.bench.Fleet;
import io.vigil.bench.FleetSimulator;
import io.vigil.bench.SampleWriter;
import io.vigil.bench.Workload;
import io.vigil.bench.measure.CpuSnapshot;
import io.vigil.bench.measure.DiskUsage;
import io.vigil.bench.measure.JfrProfile;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.connectors.kafka.TopicAdmin;
import io.vigil.rules.ApplyResult;
import io.vigil.rules.KafkaRulePublisher;
import io.vigil.rules.RuleFiles;
import io.vigil.rules.RuleStore;
import io.vigil.schemas.Topics;
import io.vigil.stack.FlinkRestClient;
import io.vigil.stack.LocalStack;
import io.vigil.stack.process.ManagedProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;

/**
 * The Vigil side of the pipeline benchmark: starts the local stack (Kafka, Cassandra, a Flink
 * session cluster with one TaskManager) in a fresh folder, applies the schema, creates the topics,
 * applies the default rules and submits both jobs, metrics-rollup and alerting, each at parallelism
 * 1 in its own slot of the one TaskManager, as {@code vigil up} does; then it plays the simulated
 * fleet into Kafka from this JVM, one batch per host and step. After the warm-up it measures a
 * period of whole minutes, waits for the rollup rows of the measured windows, records a JFR profile
 * while the load goes on, and stops everything.
 *
 * <pre>{@code
 * VigilFigures figures = new VigilPipelineRun(settings, runDir, jobJar).run();
 * }</pre>
 */
public final class VigilPipelineRun {
    static final String ROLLUP_MAIN = "io.vigil.jobs.rollup.MetricsRollupJobMain";
    static final String GROUP_ID = "vigil-metrics-rollup";
    static final String ALERTING_MAIN = "io.vigil.jobs.alerting.AlertingJobMain";
    static final String ALERTING_GROUP_ID = "vigil-alerting";

    /** One TaskManager, as {@code vigil up} starts by default; each job runs one subtask on it. */
    private static final int TASK_MANAGERS = 1;

    /** The job's default window and out-of-orderness (RollupOptions), which the run keeps. */
    static final Duration WINDOW = Duration.ofMinutes(1);

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    /** How long after a window's end the latency probe looks for its rows. */
    private static final Duration LATENCY_GIVE_UP = Duration.ofMinutes(4);

    private final BenchSettings settings;
    private final Path runDir;
    private final Path jobJar;
    private final StateBackend stateBackend;
    private final List<String> notes = new ArrayList<>();

    /**
     * The Flink state backends the benchmark can run the jobs on, to choose one by measurement. The
     * session cluster's configuration (flink-conf/config.yaml) runs on the heap.
     */
    public enum StateBackend {
        /** The heap (HashMapStateBackend): what flink-conf/config.yaml sets. */
        HASHMAP(Map.of("state.backend.type", "hashmap")),
        /**
         * RocksDB with incremental checkpoints, and the managed memory it sizes its caches from
         * (flink-conf gives none, as the heap backend does not use it).
         */
        ROCKSDB(
                Map.of(
                        "state.backend.type", "rocksdb",
                        "execution.checkpointing.incremental", "true",
                        "taskmanager.memory.managed.size", "256m"));

        private final Map<String, String> settings;

        StateBackend(Map<String, String> settings) {
            this.settings = settings;
        }

        /** The Flink settings that select it, over the bundled configuration. */
        public Map<String, String> settings() {
            return settings;
        }
    }

    /**
     * @param settings the workload and durations
     * @param runDir this run's folder; the stack goes to {@code vigil-stack/} in it
     * @param jobJar the shaded jar of vigil-jobs
     */
    public VigilPipelineRun(BenchSettings settings, Path runDir, Path jobJar) {
        this(settings, runDir, jobJar, StateBackend.HASHMAP);
    }

    /**
     * @param settings the workload and durations
     * @param runDir this run's folder; the stack goes to {@code vigil-stack/} in it
     * @param jobJar the shaded jar of vigil-jobs
     * @param stateBackend the state backend of the session cluster
     */
    public VigilPipelineRun(
            BenchSettings settings, Path runDir, Path jobJar, StateBackend stateBackend) {
        this.settings = settings;
        this.runDir = runDir;
        this.jobJar = jobJar;
        this.stateBackend = stateBackend;
    }

    /** Runs the Vigil side; every process it started is stopped when it returns or throws. */
    public VigilFigures run() throws Exception {
        Path stackDir = runDir.resolve("vigil-stack");
        Console.say(
                "Vigil: starting Kafka, Cassandra and Flink (1 TaskManager, %s state) in %s",
                stateBackend.name().toLowerCase(java.util.Locale.ROOT), stackDir);
        LocalStack.Builder builder =
                LocalStack.builder()
                        .dataDir(stackDir)
                        .withKafka()
                        .withCassandra()
                        .withFlink(TASK_MANAGERS);
        stateBackend.settings().forEach(builder::flinkSetting);
        if (stateBackend != StateBackend.HASHMAP) {
            notes.add(
                    "state backend "
                            + stateBackend.name().toLowerCase(java.util.Locale.ROOT)
                            + " ("
                            + stateBackend.settings()
                            + "), not the session cluster's default heap");
        }
        try (LocalStack stack = builder.build()) {
            stack.start();
            try (CqlSession session =
                    CqlSession.builder()
                            .addContactPoint(stack.cassandraContactPoint())
                            .withLocalDatacenter(stack.cassandraLocalDatacenter())
                            .build()) {
                Jobs jobs = deploy(stack, session);
                return measure(stack, session, jobs);
            }
        } finally {
            Console.say("Vigil: stack stopped");
        }
    }

    /**
     * Schema, topics, the default rules and both jobs, exactly as {@code vigil up} sets them up.
     */
    private Jobs deploy(LocalStack stack, CqlSession session) throws Exception {
        int applied = CqlMigrator.builder().session(session).build().migrate().size();
        KafkaSettings kafka = KafkaSettings.of(stack.kafkaBootstrapServers());
        List<String> created =
                new TopicAdmin(kafka, 4, (short) 1, Duration.ofDays(3)).createMissing(Topics.ALL);
        // The alerting job's work depends on the rules it evaluates: vigil up applies the default
        // rules before it starts the jobs, so the run does too.
        ApplyResult rules;
        try (KafkaRulePublisher publisher = new KafkaRulePublisher(kafka)) {
            rules =
                    new RuleStore(session, publisher, Clock.systemUTC())
                            .applyDefaults(RuleFiles.defaults(), RuleFiles.DEFAULTS);
        }
        FlinkRestClient flink = stack.flinkSession();
        String jarId = flink.uploadJar(jobJar);
        // A TaskManager has two slots (flink-conf/config.yaml), one per job: each job runs one
        // subtask per TaskManager, as under vigil up, so the TaskManager's CPU is both jobs'.
        String rollupId =
                flink.runJar(
                        jarId,
                        ROLLUP_MAIN,
                        stack.jobArguments("--vigil.rollup.group-id", GROUP_ID),
                        TASK_MANAGERS);
        String alertingId =
                flink.runJar(
                        jarId,
                        ALERTING_MAIN,
                        stack.jobArguments("--vigil.alerting.group-id", ALERTING_GROUP_ID),
                        TASK_MANAGERS);
        flink.waitForJobState(rollupId, "RUNNING", Duration.ofMinutes(2));
        flink.waitForJobState(alertingId, "RUNNING", Duration.ofMinutes(2));
        Console.say(
                "Vigil: schema applied (%d scripts), %d topics created, %d default rules from %s"
                        + " applied; metrics-rollup running as job %s and alerting as job %s,"
                        + " parallelism %d each (Flink UI %s)",
                applied,
                created.size(),
                rules.changes().size(),
                RuleFiles.DEFAULTS,
                rollupId,
                alertingId,
                TASK_MANAGERS,
                flink.restUri());
        return new Jobs(rollupId, alertingId);
    }

    private VigilFigures measure(LocalStack stack, CqlSession session, Jobs jobs) throws Exception {
        Fleet fleet = settings.fleet();
        Duration step = settings.step();
        Workload workload = new Workload(fleet, step, 1, 0, Duration.ZERO);
        FlinkJobMetrics metrics = new FlinkJobMetrics(stack.flinkSession(), jobs.rollup());
        FlinkJobMetrics alertingMetrics =
                new FlinkJobMetrics(stack.flinkSession(), jobs.alerting());
        Map<String, Long> pids = pids(stack);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> generatorFailure = new AtomicReference<>();
        try (SampleWriter writer = new SampleWriter(stack.kafkaBootstrapServers());
                RollupLatencyProbe probe =
                        new RollupLatencyProbe(
                                fleet,
                                settings.latencySeries(),
                                step,
                                WINDOW,
                                LATENCY_GIVE_UP,
                                session,
                                () -> {
                                    try {
                                        return metrics.windowWatermark();
                                    } catch (RuntimeException e) {
                                        return Long.MIN_VALUE;
                                    }
                                });
                KafkaTopicState topic = topicState(stack, GROUP_ID);
                KafkaTopicState alertingTopic = topicState(stack, ALERTING_GROUP_ID)) {
            Gauges gauges = new Gauges(metrics, topic, alertingMetrics, alertingTopic, writer);
            FleetSimulator simulator =
                    new FleetSimulator(workload, step, writer, Clock.systemUTC(), probe);
            Thread generator =
                    new Thread(
                            () -> {
                                try {
                                    simulator.run(Duration.ofDays(1), stop::get);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                } catch (RuntimeException e) {
                                    generatorFailure.set(e);
                                }
                            },
                            "bench-fleet");
            generator.setDaemon(true);
            MeasuredPeriod period =
                    MeasuredPeriod.after(Instant.now(), settings.warmUp(), settings.measure());
            Console.say(
                    "Vigil: fleet of %,d hosts x %d series, every series each %d ms (%,.0f"
                            + " samples/s); warm-up until %s, measuring until %s",
                    settings.hosts(),
                    settings.seriesPerHost(),
                    step.toMillis(),
                    settings.effectiveRate(),
                    local(period.start()),
                    local(period.end()));
            generator.start();
            Follower follower = new Follower(gauges, generatorFailure);
            follower.until(period.start(), () -> false);
            Boundary start = boundary(stack, gauges, pids);
            follower.startPeriod(start);
            follower.until(period.end(), () -> false);
            Boundary end = boundary(stack, gauges, pids);
            follower.endPeriod(end);
            Console.say("Vigil: measured period over; waiting for the rollups of its windows");
            Instant giveUp = period.end().plus(LATENCY_GIVE_UP).plusSeconds(10);
            follower.until(
                    giveUp, () -> probe.settled(period.start(), period.end().plusSeconds(1)));
            // Profiling slows the processes down a little: only once the latencies are in.
            Map<String, JfrProfile.Summary> profiles = profile(pids);
            stop.set(true);
            generator.join(Duration.ofSeconds(30).toMillis());
            // The chunks still open when the load stopped stay in the job's state: only written
            // chunks count.
            RawStorage raw = RawStorage.measure(session, pids.get("cassandra"));
            if (generatorFailure.get() != null) {
                notes.add("the generator failed: " + generatorFailure.get().getMessage());
            }
            return figures(period, start, end, follower, probe, profiles, raw, gauges);
        }
    }

    private static KafkaTopicState topicState(LocalStack stack, String groupId) {
        return new KafkaTopicState(
                Admin.create(KafkaSettings.of(stack.kafkaBootstrapServers()).toProperties()),
                groupId);
    }

    private VigilFigures figures(
            MeasuredPeriod period,
            Boundary start,
            Boundary end,
            Follower follower,
            RollupLatencyProbe probe,
            Map<String, JfrProfile.Summary> profiles,
            RawStorage raw,
            Gauges gauges) {
        List<Reading> inPeriod = follower.inPeriod();
        String rollupState;
        try {
            rollupState = gauges.rollup().read().state();
        } catch (RuntimeException e) {
            rollupState = "unknown (" + e.getMessage() + ")";
        }
        String alertingState;
        try {
            alertingState = gauges.alerting().sourceLag().state();
        } catch (RuntimeException e) {
            alertingState = "unknown (" + e.getMessage() + ")";
        }
        Instant latencyFrom = period.start();
        Instant latencyTo = period.end();
        return new VigilFigures(
                period,
                settings.effectiveRate(),
                end.acknowledged - start.acknowledged,
                end.records - start.records,
                end.job().consumed() - start.job().consumed(),
                end.job().rowsWritten() - start.job().rowsWritten(),
                new VigilFigures.GroupLag(
                        GROUP_ID,
                        range(inPeriod, Reading::pendingSamples),
                        range(inPeriod, r -> r.committedLag),
                        slopePerSecond(inPeriod, Reading::pendingSamples)),
                new VigilFigures.GroupLag(
                        ALERTING_GROUP_ID,
                        range(inPeriod, Reading::alertingPendingSamples),
                        range(inPeriod, r -> r.alertingCommittedLag),
                        slopePerSecond(inPeriod, Reading::alertingPendingSamples)),
                range(inPeriod, Reading::watermarkDelaySeconds),
                end.valueBytes - start.valueBytes,
                end.networkBytes - start.networkBytes,
                end.kafkaLogBytes - start.kafkaLogBytes,
                new VigilFigures.CassandraGrowth(
                        start.cassandraFlushed && end.cassandraFlushed,
                        end.cassandraDirBytes - start.cassandraDirBytes,
                        end.cassandraLiveBytes - start.cassandraLiveBytes,
                        start.cassandraNote.isEmpty() ? end.cassandraNote : start.cassandraNote),
                raw,
                probe.result(latencyFrom, latencyTo),
                end.cpu.since(start.cpu),
                profiles,
                rollupState,
                alertingState,
                List.copyOf(notes));
    }

    /** The processes whose CPU counts: the stack's four JVMs and this one (the generator). */
    private static Map<String, Long> pids(LocalStack stack) {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (ManagedProcess process : stack.processes()) {
            pids.put(process.name(), process.pid());
        }
        pids.put(VigilFigures.GENERATOR, ProcessHandle.current().pid());
        return pids;
    }

    /**
     * Everything measured at a boundary of the period. Cassandra's memtables are flushed first, so
     * that the table's folder holds every row written so far, and the flush's CPU falls into the
     * period whose rows it writes.
     */
    private Boundary boundary(LocalStack stack, Gauges gauges, Map<String, Long> pids)
            throws Exception {
        Path cassandraTable = stack.dataDir().resolve("cassandra/data/vigil");
        boolean flushed = false;
        String cassandraNote = "";
        long liveBytes = 0;
        try (CassandraJmx jmx = CassandraJmx.attach(pids.get("cassandra"))) {
            jmx.flush("vigil", "rollups_1m");
            flushed = true;
            liveBytes = jmx.liveDiskSpaceUsed("vigil", "rollups_1m");
        } catch (IOException e) {
            cassandraNote =
                    "memtables not flushed (JMX through the attach API failed: "
                            + e.getMessage()
                            + "): the folder holds only what Cassandra flushed by itself";
        }
        Reading reading = gauges.read();
        SampleWriter writer = gauges.writer();
        return new Boundary(
                reading,
                writer.acknowledgedSamples(),
                writer.acknowledgedRecords(),
                writer.valueBytes(),
                writer.networkBytesSent(),
                DiskUsage.bytes(
                        stack.dataDir().resolve("kafka"),
                        file ->
                                file.getFileName().toString().endsWith(".log")
                                        && file.getParent()
                                                .getFileName()
                                                .toString()
                                                .startsWith(Topics.METRIC_SAMPLES.name() + "-")),
                DiskUsage.bytes(
                        cassandraTable,
                        file ->
                                file.getParent()
                                        .getFileName()
                                        .toString()
                                        .startsWith("rollups_1m-")),
                liveBytes,
                flushed,
                cassandraNote,
                CpuSnapshot.take(pids));
    }

    /** JFR profiles of the TaskManager, Kafka and Cassandra at once, while the load goes on. */
    private Map<String, JfrProfile.Summary> profile(Map<String, Long> pids)
            throws InterruptedException {
        Map<String, JfrProfile.Summary> summaries = new ConcurrentHashMap<>();
        if (settings.profile().isZero()) {
            return summaries;
        }
        List<Thread> recorders = new ArrayList<>();
        for (String name : List.of("flink-taskmanager-1", "kafka", "cassandra")) {
            Thread recorder =
                    new Thread(
                            () -> {
                                Path file = runDir.resolve("profiles").resolve(name + ".jfr");
                                try {
                                    JfrProfile.record(pids.get(name), settings.profile(), file);
                                    summaries.put(name, JfrProfile.summarise(file, 15));
                                } catch (IOException e) {
                                    notes.add("no JFR profile of " + name + ": " + e.getMessage());
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "bench-jfr-" + name);
            recorder.start();
            recorders.add(recorder);
        }
        for (Thread recorder : recorders) {
            recorder.join();
        }
        Console.say(
                "Vigil: JFR profiles (%d s) in %s",
                settings.profile().toSeconds(), runDir.resolve("profiles"));
        return new LinkedHashMap<>(summaries);
    }

    /**
     * First, last and largest value; a value not read (NaN) counts as neither a first nor a max.
     */
    private static VigilFigures.Range range(
            List<Reading> readings, ToDoubleFunction<Reading> value) {
        if (readings.isEmpty()) {
            return new VigilFigures.Range(Double.NaN, Double.NaN, Double.NaN);
        }
        double max =
                readings.stream()
                        .mapToDouble(value)
                        .filter(v -> !Double.isNaN(v))
                        .max()
                        .orElse(Double.NaN);
        return new VigilFigures.Range(
                value.applyAsDouble(readings.get(0)),
                value.applyAsDouble(readings.get(readings.size() - 1)),
                max);
    }

    /**
     * Least-squares slope of a lag over time, samples per second, over the readings that have it.
     */
    private static double slopePerSecond(List<Reading> all, ToDoubleFunction<Reading> lag) {
        List<Reading> readings =
                all.stream().filter(r -> !Double.isNaN(lag.applyAsDouble(r))).toList();
        if (readings.size() < 2) {
            return Double.NaN;
        }
        long t0 = readings.get(0).at.toEpochMilli();
        double n = readings.size();
        double sumX = 0;
        double sumY = 0;
        double sumXy = 0;
        double sumXx = 0;
        for (Reading r : readings) {
            double x = (r.at.toEpochMilli() - t0) / 1000.0;
            double y = lag.applyAsDouble(r);
            sumX += x;
            sumY += y;
            sumXy += x * y;
            sumXx += x * x;
        }
        return (n * sumXy - sumX * sumY) / (n * sumXx - sumX * sumX);
    }

    private static LocalTime local(Instant instant) {
        return LocalTime.ofInstant(instant, ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS);
    }

    /**
     * What a reading reads: both jobs' metrics, both consumer groups' offsets, and the writer.
     *
     * @param rollup metrics-rollup's metrics
     * @param rollupTopic the offsets of metrics-rollup's group
     * @param alerting the alerting job's metrics
     * @param alertingTopic the offsets of the alerting job's group
     * @param writer the generator's writer, for what Kafka acknowledged and the batch size
     */
    private record Gauges(
            FlinkJobMetrics rollup,
            KafkaTopicState rollupTopic,
            FlinkJobMetrics alerting,
            KafkaTopicState alertingTopic,
            SampleWriter writer) {

        /**
         * Kafka and the sources count the lag in records, a batch each; the writer's samples per
         * record turn it into samples, the unit of every other figure, for both groups alike.
         */
        Reading read() throws Exception {
            double samplesPerRecord = writer.samplesPerRecord();
            return new Reading(
                    Instant.now(),
                    rollup.read(),
                    Math.round(rollupTopic.committedLagRecords() * samplesPerRecord),
                    alerting.sourceLag(),
                    Math.round(alertingTopic.committedLagRecords() * samplesPerRecord),
                    writer.acknowledgedSamples(),
                    samplesPerRecord);
        }
    }

    /**
     * One reading of the pipeline's progress.
     *
     * @param job metrics-rollup's metrics
     * @param committedLag samples in Kafka metrics-rollup's group has not committed yet
     * @param alerting the alerting job's state and live lag (records)
     * @param alertingCommittedLag samples in Kafka the alerting job's group has not committed yet
     * @param acknowledged samples Kafka acknowledged so far
     * @param samplesPerRecord the writer's samples per record when read
     */
    private record Reading(
            Instant at,
            FlinkJobMetrics.Reading job,
            long committedLag,
            FlinkJobMetrics.SourceLag alerting,
            long alertingCommittedLag,
            long acknowledged,
            double samplesPerRecord) {

        /** metrics-rollup's live lag in samples: the source's pending records, a batch each. */
        double pendingSamples() {
            return Math.round(job.pending() * samplesPerRecord);
        }

        /** The alerting job's live lag in samples likewise; NaN while its source has none. */
        double alertingPendingSamples() {
            if (alerting.pending() == FlinkJobMetrics.SourceLag.UNKNOWN) {
                return Double.NaN;
            }
            return Math.round(alerting.pending() * samplesPerRecord);
        }

        double watermarkDelaySeconds() {
            if (job.watermarkMillis() <= 0) {
                return Double.NaN;
            }
            return (at.toEpochMilli() - job.watermarkMillis()) / 1000.0;
        }
    }

    /** The Flink job ids of the two jobs. */
    private record Jobs(String rollup, String alerting) {}

    /** What is measured at the start and at the end of the period. */
    private record Boundary(
            Reading reading,
            long acknowledged,
            long records,
            long valueBytes,
            long networkBytes,
            long kafkaLogBytes,
            long cassandraDirBytes,
            long cassandraLiveBytes,
            boolean cassandraFlushed,
            String cassandraNote,
            CpuSnapshot cpu) {

        FlinkJobMetrics.Reading job() {
            return reading.job;
        }
    }

    /**
     * Reads the pipeline's progress every five seconds, prints it, and keeps the readings of the
     * measured period.
     */
    private static final class Follower {
        private final Gauges gauges;
        private final AtomicReference<Throwable> generatorFailure;
        private final List<Reading> inPeriod = new ArrayList<>();
        private boolean measuring;
        private Reading previous;

        Follower(Gauges gauges, AtomicReference<Throwable> generatorFailure) {
            this.gauges = gauges;
            this.generatorFailure = generatorFailure;
            // Lags in samples; "alert" columns are the alerting job's, the others metrics-rollup's.
            System.out.printf(
                    "%-8s %-7s %11s %11s %12s %12s %12s %12s %8s %11s  %-22s %s%n",
                    "time",
                    "phase",
                    "acked/s",
                    "consumed/s",
                    "live lag",
                    "commit lag",
                    "alert live",
                    "alert commit",
                    "wm delay",
                    "rows",
                    "busy src/win (bp src)",
                    "jobs (rollup/alerting)");
        }

        /** Reads and prints every five seconds until {@code until} or until {@code done}. */
        void until(Instant until, BooleanSupplier done) throws InterruptedException {
            while (Instant.now().isBefore(until) && !done.getAsBoolean()) {
                if (generatorFailure.get() != null) {
                    throw new IllegalStateException(
                            "the generator failed: " + generatorFailure.get().getMessage(),
                            generatorFailure.get());
                }
                long now = System.currentTimeMillis();
                long next = (now / PROGRESS_EVERY.toMillis() + 1) * PROGRESS_EVERY.toMillis();
                Thread.sleep(Math.max(1, Math.min(next, until.toEpochMilli()) - now));
                if (System.currentTimeMillis() >= next) {
                    record(readSafely());
                }
            }
        }

        void startPeriod(Boundary start) {
            measuring = true;
            record(start.reading, "start");
        }

        void endPeriod(Boundary end) {
            record(end.reading, "end");
            measuring = false;
        }

        List<Reading> inPeriod() {
            return List.copyOf(inPeriod);
        }

        private Reading readSafely() {
            try {
                return gauges.read();
            } catch (Exception e) {
                // A busy JobManager or broker answers late: the line says so, the run goes on.
                Console.say("Vigil: progress not readable now (%s)", e.getMessage());
                return null;
            }
        }

        private void record(Reading reading) {
            record(reading, measuring ? "measure" : "");
        }

        private void record(Reading reading, String phase) {
            if (reading == null) {
                return;
            }
            if (measuring) {
                inPeriod.add(reading);
            }
            print(reading, phase);
            // Rates over the few seconds a boundary takes would be noise: the regular lines keep
            // their five-second spacing.
            if (!phase.equals("start") && !phase.equals("end")) {
                previous = reading;
            }
        }

        private void print(Reading r, String phase) {
            double seconds =
                    previous == null
                            ? Double.NaN
                            : Duration.between(previous.at, r.at).toMillis() / 1000.0;
            double acked =
                    previous == null
                            ? Double.NaN
                            : (r.acknowledged - previous.acknowledged) / seconds;
            double consumed =
                    previous == null
                            ? Double.NaN
                            : (r.job.consumed() - previous.job.consumed()) / seconds;
            System.out.printf(
                    "%-8s %-7s %,11.0f %,11.0f %,12.0f %,12d %,12.0f %,12d %7.1fs %,11d  %-22s"
                            + " %s/%s%n",
                    local(r.at),
                    phase,
                    acked,
                    consumed,
                    r.pendingSamples(),
                    r.committedLag,
                    r.alertingPendingSamples(),
                    r.alertingCommittedLag,
                    r.watermarkDelaySeconds(),
                    r.job.rowsWritten(),
                    String.format(
                            "%.0f%%/%.0f%% (%.0f%%)",
                            r.job.busyPercent().getOrDefault("source", Double.NaN),
                            r.job.busyPercent().getOrDefault("window", Double.NaN),
                            r.job.backPressuredPercent().getOrDefault("source", Double.NaN)),
                    r.job.state(),
                    r.alerting.state());
            System.out.flush();
        }
    }
}
