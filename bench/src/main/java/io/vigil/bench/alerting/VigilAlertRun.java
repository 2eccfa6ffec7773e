package io.vigil.bench.alerting;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.bench.Fleet;
import io.vigil.bench.FleetSimulator;
import io.vigil.bench.Incident;
import io.vigil.bench.SampleWriter;
import io.vigil.bench.Workload;
import io.vigil.bench.measure.CpuSnapshot;
import io.vigil.bench.measure.JfrProfile;
import io.vigil.bench.pipeline.Console;
import io.vigil.bench.pipeline.FlinkJobMetrics;
import io.vigil.bench.pipeline.PipelineReport;
import io.vigil.bench.process.ChildProcess;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.cassandra.CqlSessions;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.connectors.kafka.TopicAdmin;
import io.vigil.notifier.NotifierMain;
import io.vigil.rules.KafkaRulePublisher;
import io.vigil.rules.RuleFiles;
import io.vigil.rules.RuleStore;
import io.vigil.schemas.BatchSample;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.Topics;
import io.vigil.stack.FlinkRestClient;
import io.vigil.stack.LocalStack;
import io.vigil.stack.process.JavaCommand;
import io.vigil.stack.process.ManagedProcess;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/**
 * The Vigil side of the alert-latency benchmark: the local stack (Kafka, Cassandra, a Flink session
 * cluster with one TaskManager) in a fresh folder, the schema and topics as {@code vigil up} sets
 * them up, the benchmark's rule through the rule store, the alerting and metrics-rollup jobs side
 * by side on the one TaskManager as under {@code vigil up}, the notifier in a JVM of its own
 * posting to the benchmark's webhook receiver, and the simulated fleet played into Kafka from this
 * JVM with the incidents.
 *
 * <p>t0 is the moment the simulated collector read an incident's first high value: the timestamp of
 * its sample, taken once Kafka acknowledged the batch. Prometheus's t0 is the same moment on its
 * side (the value visible at the exposition server), so both figures include the collection path.
 * Stages: the FIRING event appended to {@code vigil.alerts} (the broker's LogAppendTime, which the
 * run sets on that topic), received by a consumer of it, and the webhook received from the
 * notifier.
 */
public final class VigilAlertRun {
    static final String ALERTING_MAIN = "io.vigil.jobs.alerting.AlertingJobMain";
    static final String ALERTING_GROUP = "vigil-alerting";
    static final String ROLLUP_MAIN = "io.vigil.jobs.rollup.MetricsRollupJobMain";
    static final String ROLLUP_GROUP = "vigil-metrics-rollup";

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
    private static final Duration NOTIFIER_START = Duration.ofMinutes(2);

    private final AlertLatencySettings settings;
    private final Path runDir;
    private final Path jobJar;
    private final List<String> notes = new ArrayList<>();

    public VigilAlertRun(AlertLatencySettings settings, Path runDir, Path jobJar) {
        this.settings = settings;
        this.runDir = runDir;
        this.jobJar = jobJar;
    }

    /** The rule, as a user would write it: fire at once above the threshold. */
    static String ruleFile() {
        return String.format(
                "groups:%n"
                        + "  - name: bench%n"
                        + "    rules:%n"
                        + "      - alert: %s%n"
                        + "        metric: %s%n"
                        + "        above: %s%n"
                        + "        for: 0s%n"
                        + "        severity: critical%n",
                AlertLatencySettings.ALERTNAME,
                Incident.CPU_METRIC,
                AlertLatencySettings.THRESHOLD);
    }

    /** Runs the side; every process it started is stopped when it returns or throws. */
    public SideResult run() throws Exception {
        Path stackDir = runDir.resolve("vigil-stack");
        Console.say("Vigil: starting Kafka, Cassandra and Flink (1 TaskManager) in %s", stackDir);
        List<Incident> incidents = settings.plan();
        IncidentLatencies latencies =
                new IncidentLatencies(incidents.stream().map(Incident::host).toList());
        try (LocalStack stack =
                        LocalStack.builder()
                                .dataDir(stackDir)
                                .withKafka()
                                .withCassandra()
                                .withFlink(1)
                                .build();
                AlertWebhookReceiver receiver =
                        new AlertWebhookReceiver(AlertLatencySettings.ALERTNAME, latencies)) {
            stack.start();
            KafkaSettings kafka = KafkaSettings.of(stack.kafkaBootstrapServers());
            String jobId = deploy(stack, kafka);
            try (ChildProcess notifier = startNotifier(stack, receiver);
                    AlertTopicFollower topic =
                            new AlertTopicFollower(
                                    kafka, AlertLatencySettings.ALERTNAME, latencies)) {
                Console.say(
                        "Vigil: notifier running (pid %d), webhook receiver at %s",
                        notifier.pid(), receiver.url());
                return measure(stack, jobId, incidents, latencies, receiver, topic, notifier);
            }
        } finally {
            Console.say("Vigil: stack and notifier stopped");
        }
    }

    /** Schema, topics, the rule and the alerting job. */
    private String deploy(LocalStack stack, KafkaSettings kafka) throws Exception {
        try (CqlSession session =
                        CqlSessions.open(
                                stack.cassandraContactPoint(),
                                stack.cassandraLocalDatacenter(),
                                Duration.ofSeconds(30));
                KafkaRulePublisher publisher = new KafkaRulePublisher(kafka)) {
            CqlMigrator.builder().session(session).build().migrate();
            new TopicAdmin(kafka, 4, (short) 1, Duration.ofDays(3)).createMissing(Topics.ALL);
            appendTimeOnAlerts(kafka);
            new RuleStore(session, publisher, Clock.systemUTC())
                    .apply(RuleFiles.parse("alert-latency.yaml", ruleFile()), "alert-latency");
        }
        FlinkRestClient flink = stack.flinkSession();
        String jarId = flink.uploadJar(jobJar);
        // Both jobs, as vigil up runs them: the rollups share the TaskManager with the alerting,
        // so the alert latency is measured with the whole pipeline's load on the machine.
        String rollupId =
                flink.runJar(
                        jarId,
                        ROLLUP_MAIN,
                        stack.jobArguments("--vigil.rollup.group-id", ROLLUP_GROUP),
                        settings.parallelism());
        String jobId =
                flink.runJar(
                        jarId,
                        ALERTING_MAIN,
                        stack.jobArguments("--vigil.alerting.group-id", ALERTING_GROUP),
                        settings.parallelism());
        flink.waitForJobState(rollupId, "RUNNING", Duration.ofMinutes(2));
        flink.waitForJobState(jobId, "RUNNING", Duration.ofMinutes(2));
        Console.say(
                "Vigil: schema, topics and rule %s applied; metrics-rollup running as job %s and"
                        + " alerting as job %s, parallelism %d each (Flink UI %s)",
                AlertLatencySettings.ALERTNAME,
                rollupId,
                jobId,
                settings.parallelism(),
                flink.restUri());
        return jobId;
    }

    /**
     * The broker stamps each alert with its append time, so that the record's timestamp is when the
     * alert was in the topic (the job's sink would otherwise carry the sample's timestamp over).
     */
    private static void appendTimeOnAlerts(KafkaSettings kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.toProperties())) {
            admin.incrementalAlterConfigs(
                            Map.of(
                                    new ConfigResource(
                                            ConfigResource.Type.TOPIC, Topics.ALERTS.name()),
                                    List.of(
                                            new AlterConfigOp(
                                                    new ConfigEntry(
                                                            "message.timestamp.type",
                                                            "LogAppendTime"),
                                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
        }
    }

    private ChildProcess startNotifier(LocalStack stack, AlertWebhookReceiver receiver)
            throws Exception {
        Path dir = runDir.resolve("notifier");
        Files.createDirectories(dir);
        Path config = dir.resolve("notifier.yaml");
        Files.writeString(config, receiver.routeEverythingHere(), StandardCharsets.UTF_8);
        List<String> command =
                JavaCommand.builder(JavaCommand.currentJava())
                        .jvmOption("-Xmx256m")
                        .classpath(
                                Arrays.stream(
                                                System.getProperty("java.class.path")
                                                        .split(File.pathSeparator))
                                        .map(Path::of)
                                        .toList())
                        .mainClass(NotifierMain.class.getName())
                        .arg("--config=" + config)
                        .arg("--kafka=" + stack.kafkaBootstrapServers())
                        .arg(
                                "--cassandra="
                                        + stack.cassandraContactPoint().getHostString()
                                        + ":"
                                        + stack.cassandraContactPoint().getPort())
                        .arg("--datacenter=" + stack.cassandraLocalDatacenter())
                        .arg("--group=vigil-notifier-bench")
                        .arg("--instance=bench")
                        .arg("--api=off")
                        .build();
        ChildProcess notifier = ChildProcess.start("notifier", command, dir);
        notifier.awaitReady(
                () -> {
                    try {
                        return Files.readString(notifier.log(), StandardCharsets.UTF_8)
                                .contains(NotifierMain.READY);
                    } catch (IOException e) {
                        return false;
                    }
                },
                NOTIFIER_START);
        return notifier;
    }

    private SideResult measure(
            LocalStack stack,
            String jobId,
            List<Incident> incidents,
            IncidentLatencies latencies,
            AlertWebhookReceiver receiver,
            AlertTopicFollower topic,
            ChildProcess notifier)
            throws Exception {
        Fleet fleet = settings.fleet();
        Duration step = settings.step();
        Workload workload = new Workload(fleet, step, 1, 0, Duration.ZERO);
        FlinkJobMetrics metrics = new FlinkJobMetrics(stack.flinkSession(), jobId);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> generatorFailure = new AtomicReference<>();
        try (SampleWriter writer = new SampleWriter(stack.kafkaBootstrapServers())) {
            FleetSimulator simulator =
                    new FleetSimulator(
                                    workload,
                                    step,
                                    writer,
                                    Clock.systemUTC(),
                                    new IncidentTracer(incidents, latencies))
                            .withIncidents(incidents);
            Thread generator =
                    new Thread(
                            () -> {
                                try {
                                    simulator.run(settings.total(), stop::get);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                } catch (RuntimeException e) {
                                    generatorFailure.set(e);
                                }
                            },
                            "bench-fleet");
            generator.setDaemon(true);
            long start = System.currentTimeMillis();
            generator.start();
            Console.say(
                    "Vigil: fleet of %,d hosts x %d series, every series each %d ms (%,.0f"
                            + " samples/s); %d incidents from %d s, one every %d s",
                    settings.hosts(),
                    settings.seriesPerHost(),
                    step.toMillis(),
                    settings.effectiveRate(),
                    incidents.size(),
                    settings.warmUp().toSeconds(),
                    settings.spacing().toSeconds());
            long firstIncident = start + settings.warmUp().toMillis();
            long lastIncident =
                    firstIncident + settings.spacing().toMillis() * (incidents.size() - 1L);
            long end = start + settings.total().toMillis();
            Map<String, Long> pids = new LinkedHashMap<>();
            stack.processes().forEach(p -> pids.put(p.name(), p.pid()));
            pids.put("notifier", notifier.pid());
            pids.put("generator and benchmark JVM", ProcessHandle.current().pid());
            LagFollower lag = new LagFollower(metrics, writer, firstIncident, pids);
            while (System.currentTimeMillis() < end
                    && !(System.currentTimeMillis() > lastIncident
                            && latencies.seenCount(AlertWebhookReceiver.STAGE)
                                    == incidents.size())) {
                if (generatorFailure.get() != null) {
                    throw new IllegalStateException(
                            "the generator failed: " + generatorFailure.get().getMessage(),
                            generatorFailure.get());
                }
                if (!notifier.isAlive()) {
                    throw new IllegalStateException("the notifier exited; see " + notifier.log());
                }
                topic.check();
                Thread.sleep(1000);
                lag.maybeRead(latencies);
            }
            lag.read(latencies);
            Map<String, JfrProfile.Summary> profiles = profile(stack);
            stop.set(true);
            generator.join(Duration.ofSeconds(30).toMillis());
            return result(latencies, receiver, topic, lag, profiles);
        }
    }

    private SideResult result(
            IncidentLatencies latencies,
            AlertWebhookReceiver receiver,
            AlertTopicFollower topic,
            LagFollower lag,
            Map<String, JfrProfile.Summary> profiles) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("background samples/s offered", PipelineReport.count(settings.effectiveRate()));
        facts.put(
                "background samples/s sustained",
                String.format(
                        "%s acknowledged by Kafka while the incidents ran",
                        PipelineReport.count(lag.ackedRate())));
        facts.put(
                "samples/s the alerting job took from Kafka",
                String.format(
                        "%s (acknowledged minus the growth of its lag)",
                        PipelineReport.count(lag.evaluatedRate())));
        facts.put("kept up", lag.verdict(settings.effectiveRate()));
        facts.put("cores busy while the incidents ran", lag.cpu());
        AlertWebhookReceiver.Counts counts = receiver.counts();
        facts.put(
                "webhook requests",
                String.format(
                        "%d (%d resolved alerts, %d of other rules, %d malformed)",
                        counts.requests(),
                        counts.resolved(),
                        counts.otherAlerts(),
                        counts.malformed()));
        facts.put(
                "records read from vigil.alerts",
                String.format(
                        "%d (every rule and state; %d undecodable)",
                        topic.events(), topic.undecodable()));
        facts.put(
                "configuration",
                String.format(
                        "alerting and metrics-rollup, parallelism %d each, 1 TaskManager;"
                                + " rule `%s` above %s, `for: 0s`, applied through the rule store;"
                                + " notifier `group_by: ['...']`, `group_wait: 0s`,"
                                + " `group_interval: 1s`; samples topic 4 partitions, one"
                                + " record per host and step (a batch of its series), producer"
                                + " linger 20 ms, acks=all",
                        settings.parallelism(),
                        Incident.CPU_METRIC,
                        AlertLatencySettings.THRESHOLD));
        List<String> stages =
                List.of(
                        AlertTopicFollower.APPENDED,
                        AlertTopicFollower.RECEIVED,
                        AlertWebhookReceiver.STAGE);
        Path perIncident = runDir.resolve("vigil-incidents.tsv");
        try {
            latencies.write(perIncident, stages);
            notes.add("Per incident: " + perIncident.getFileName() + " in the run folder.");
        } catch (IOException e) {
            notes.add("Could not write the per-incident latencies: " + e.getMessage());
        }
        return new SideResult(
                "Vigil",
                "the incident's first high value read by the collector (the timestamp of its"
                        + " sample)",
                List.of(
                        latencies.stage(AlertTopicFollower.APPENDED),
                        latencies.stage(AlertTopicFollower.RECEIVED),
                        latencies.stage(AlertWebhookReceiver.STAGE)),
                List.of(
                        "FIRING appended to vigil.alerts (broker LogAppendTime)",
                        "FIRING received by a consumer of vigil.alerts",
                        "webhook received from the notifier"),
                facts,
                List.copyOf(notes),
                profiles);
    }

    /** A JFR profile of the TaskManager while the background load goes on. */
    private Map<String, JfrProfile.Summary> profile(LocalStack stack) throws InterruptedException {
        Map<String, JfrProfile.Summary> summaries = new LinkedHashMap<>();
        if (settings.profile().isZero()) {
            return summaries;
        }
        for (ManagedProcess process : stack.processes()) {
            if (!process.name().startsWith("flink-taskmanager")) {
                continue;
            }
            Path file = runDir.resolve("profiles").resolve(process.name() + ".jfr");
            try {
                Console.say(
                        "Vigil: JFR profile of %s for %d s",
                        process.name(), settings.profile().toSeconds());
                JfrProfile.record(process.pid(), settings.profile(), file);
                summaries.put(process.name(), JfrProfile.summarise(file, 15));
            } catch (IOException e) {
                notes.add("no JFR profile of " + process.name() + ": " + e.getMessage());
            }
        }
        return summaries;
    }

    /**
     * Learns each incident's {@code t0}: the time the simulated collector read the incident's first
     * high value, which is the timestamp of the first batch of an incident host whose CPU sample
     * has the incident value (the fleet's own CPU ratios stay below 0.55). Taken only once Kafka
     * acknowledged that batch, so an incident whose sample was lost counts as missing. The same
     * {@code t0} as Prometheus's side (the value visible at the source), so Vigil's latency
     * includes its whole collection path: the wait for the send, the producer's linger, the
     * brokers' acknowledgement.
     */
    static final class IncidentTracer implements FleetSimulator.Tracer {
        private final Set<String> hosts;
        private final Set<String> followed = ConcurrentHashMap.newKeySet();
        private final IncidentLatencies latencies;

        IncidentTracer(List<Incident> incidents, IncidentLatencies latencies) {
            this.hosts = Set.copyOf(incidents.stream().map(Incident::host).toList());
            this.latencies = latencies;
        }

        @Override
        public boolean follows(Fleet.Host host, long tick, MetricBatch sent) {
            // The set lookup first: nearly every batch is of a host without an incident.
            return hosts.contains(host.name())
                    && !followed.contains(host.name())
                    && hasHighCpu(sent)
                    && followed.add(host.name());
        }

        private static boolean hasHighCpu(MetricBatch batch) {
            for (BatchSample sample : batch.getSamples()) {
                if (sample.getValue() == Incident.HIGH_CPU
                        && sample.getName().equals(Incident.CPU_METRIC)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void acknowledged(Fleet.Host host, long tick, MetricBatch sent, long wallMillis) {
            latencies.injected(host.name(), sent.getTimestamp());
        }
    }

    /** Reads the job's live lag and the acknowledged samples every ten seconds and prints them. */
    private static final class LagFollower {
        private final FlinkJobMetrics metrics;
        private final SampleWriter writer;
        private final long firstIncident;
        private long nextRead = System.currentTimeMillis();
        private long lastAcked = -1;
        private long lastAt;
        private long ackedAtFirst = -1;
        private long ackedFrom;
        private long ackedAtLast;
        private long ackedTo;
        private long maxLag;
        private long firstLag = -1;
        private long lastLag = -1;
        private String state = "unknown";
        private final Map<String, Long> pids;
        private CpuSnapshot cpuAtFirst;
        private CpuSnapshot cpuAtLast;

        LagFollower(
                FlinkJobMetrics metrics,
                SampleWriter writer,
                long firstIncident,
                Map<String, Long> pids) {
            this.metrics = metrics;
            this.writer = writer;
            this.firstIncident = firstIncident;
            this.pids = pids;
        }

        void maybeRead(IncidentLatencies latencies) {
            if (System.currentTimeMillis() >= nextRead) {
                nextRead += PROGRESS_EVERY.toMillis();
                read(latencies);
            }
        }

        void read(IncidentLatencies latencies) {
            long now = System.currentTimeMillis();
            long acked = writer.acknowledgedSamples();
            long lag;
            try {
                FlinkJobMetrics.Reading reading = metrics.read();
                // The source counts records, a batch of one host's samples each.
                lag = Math.round(reading.pending() * writer.samplesPerRecord());
                state = reading.state();
            } catch (RuntimeException e) {
                Console.say("Vigil: the job's metrics are not readable now (%s)", e.getMessage());
                return;
            }
            if (now >= firstIncident) {
                if (ackedAtFirst < 0) {
                    ackedAtFirst = acked;
                    ackedFrom = now;
                    firstLag = lag;
                    cpuAtFirst = CpuSnapshot.take(pids);
                } else {
                    cpuAtLast = CpuSnapshot.take(pids);
                }
                ackedAtLast = acked;
                ackedTo = now;
                maxLag = Math.max(maxLag, lag);
                lastLag = lag;
            }
            Console.say(
                    "Vigil: %,.0f samples/s acked, live lag %,d, job %s; incidents injected %d,"
                            + " on vigil.alerts %d, webhooks %d",
                    lastAcked < 0 ? Double.NaN : (acked - lastAcked) * 1000.0 / (now - lastAt),
                    lag,
                    state,
                    latencies.injectedCount(),
                    latencies.seenCount(AlertTopicFollower.RECEIVED),
                    latencies.seenCount(AlertWebhookReceiver.STAGE));
            lastAcked = acked;
            lastAt = now;
        }

        double ackedRate() {
            return ackedTo > ackedFrom
                    ? (ackedAtLast - ackedAtFirst) * 1000.0 / (ackedTo - ackedFrom)
                    : Double.NaN;
        }

        /** Samples per second the job took from Kafka: acknowledged minus the lag's growth. */
        double evaluatedRate() {
            return ackedTo > ackedFrom
                    ? ((ackedAtLast - ackedAtFirst) - (lastLag - firstLag))
                            * 1000.0
                            / (ackedTo - ackedFrom)
                    : Double.NaN;
        }

        /** CPU by process while the incidents ran, and what other processes took meanwhile. */
        String cpu() {
            if (cpuAtFirst == null || cpuAtLast == null) {
                return "not measured";
            }
            CpuSnapshot.CpuReport report = cpuAtLast.since(cpuAtFirst);
            StringBuilder text = new StringBuilder();
            for (CpuSnapshot.ProcessCpu process : report.processes()) {
                text.append(
                        String.format(
                                "%s %.2f, ",
                                process.name(), process.cpuSeconds() / report.seconds()));
            }
            return text.append(
                            String.format(
                                    "other processes on the machine %.2f (cores busy, of %d)",
                                    report.otherSeconds() / report.seconds(),
                                    Runtime.getRuntime().availableProcessors()))
                    .toString();
        }

        /** Kept up if the live lag stayed under two seconds of samples while incidents ran. */
        String verdict(double rate) {
            boolean keptUp = lastLag >= 0 && maxLag <= 2 * rate;
            return String.format(
                    "%s: live consumer lag (the source's pendingRecords) max %s, at the end %s"
                            + " samples; job %s",
                    keptUp ? "**yes**" : "**no**",
                    PipelineReport.count(maxLag),
                    PipelineReport.count(lastLag),
                    state);
        }
    }
}
