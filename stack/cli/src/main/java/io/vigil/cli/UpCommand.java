package io.vigil.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.bench.Fleet;
import io.vigil.bench.FleetSimulator;
import io.vigil.bench.Incident;
import io.vigil.bench.SampleWriter;
import io.vigil.bench.Workload;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.connectors.kafka.TopicAdmin;
import io.vigil.notifier.config.ConfigLoader;
import io.vigil.notifier.config.InvalidConfigException;
import io.vigil.notifier.log.CassandraNotificationLog;
import io.vigil.rules.ApplyResult;
import io.vigil.rules.KafkaRulePublisher;
import io.vigil.rules.RuleChange;
import io.vigil.rules.RuleFiles;
import io.vigil.rules.RuleStore;
import io.vigil.schemas.Topics;
import io.vigil.stack.FlinkRestClient;
import io.vigil.stack.LocalStack;
import io.vigil.stack.process.ManagedProcess;
import io.vigil.stack.process.PortAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vigil up}: starts the local stack, applies the Cassandra schema, creates the topics,
 * starts the notifier, submits the jobs to the Flink session cluster, starts a simulated fleet and
 * shows live progress until Ctrl-C (or {@code --duration}), then stops everything it started.
 */
@Command(name = "up", description = "Start Vigil on the local stack and show live progress.")
final class UpCommand implements Callable<Integer> {
    static final String ROLLUP_GROUP = "vigil-metrics-rollup";

    /** Partitions of every topic the local stack creates. */
    static final int TOPIC_PARTITIONS = 4;

    private static final String ROLLUP_MAIN = "io.vigil.jobs.rollup.MetricsRollupJobMain";
    static final String ALERTING_GROUP = "vigil-alerting";
    private static final String ALERTING_MAIN = "io.vigil.jobs.alerting.AlertingJobMain";

    /** In the data folder: what the default notifier configuration delivered, readable. */
    static final String NOTIFICATIONS_FILE = "notifications.log";

    /**
     * Up to this fleet rate (samples/s), every process runs on the JVM's quick compiler alone. The
     * optimising compiler keeps compiling for many minutes after a start (on an idle stack it was
     * most of the CPU after five minutes: Flink, Kafka and Cassandra are large code bases that a
     * light load warms slowly) and pays off only under load; quick-compiled code carries ten
     * thousand samples/s with room to spare. Faster fleets get both compilers.
     */
    static final double QUICK_COMPILER_UP_TO = 10_000;

    @ParentCommand VigilCli cli;

    @Option(
            names = "--hosts",
            defaultValue = "100",
            description = "Simulated hosts (default ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--series-per-host",
            defaultValue = "10",
            description = "Series per simulated host (default ${DEFAULT-VALUE}).")
    int seriesPerHost;

    @Option(
            names = "--rate",
            defaultValue = "1000",
            description = "Samples per second of the simulated fleet (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--task-managers",
            defaultValue = "1",
            description = "Flink TaskManager processes (default ${DEFAULT-VALUE}).")
    int taskManagers;

    @Option(
            names = "--incident",
            description =
                    "Trouble to inject into the simulated fleet, kind:host:after:lasting,"
                            + " repeatable: cpu-high or host-down, e.g."
                            + " cpu-high:host-000003:PT1M:PT10M (fires the default CpuHigh rule"
                            + " after its 5 minutes).")
    List<String> incidents = new java.util.ArrayList<>();

    @Option(
            names = "--notifier-config",
            paramLabel = "FILE",
            description =
                    "The notifier's configuration (routes, receivers; see notifier/README.md);"
                            + " default: .vigil/notifier.yaml, written at every start, which"
                            + " sends every notification to this command: it prints them and"
                            + " appends them to .vigil/notifications.log.")
    Path notifierConfig;

    @Option(
            names = "--duration",
            description =
                    "Stop by itself after this long (ISO-8601, e.g. PT5M); default: until Ctrl-C.")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        // Checked before anything starts: a typo should not cost a stack start.
        List<Incident> injected = incidents.stream().map(Incident::parse).toList();
        Path dataDir = cli.dataDir();
        Path jobJar = jobJar(cli.home);
        if (notifierConfig != null && !validNotifierConfig(notifierConfig)) {
            return 2;
        }
        // Without a configuration of the user's, notifications come to this command.
        NotificationInbox inbox =
                notifierConfig != null
                        ? null
                        : NotificationInbox.start(
                                dataDir.resolve(NOTIFICATIONS_FILE),
                                line -> Console.say("%s", line),
                                Clock.systemUTC());
        Console.say(
                "starting Kafka, Cassandra and a Flink session cluster (data and logs in %s)",
                dataDir);
        LocalStack stack =
                LocalStack.builder()
                        .dataDir(dataDir)
                        .withKafka()
                        .withCassandra()
                        .withFlink(taskManagers)
                        .jvmOptions(
                                rate <= QUICK_COMPILER_UP_TO
                                        ? List.of("-XX:TieredStopAtLevel=1")
                                        : List.of())
                        .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdown =
                new Thread(
                        () -> {
                            Console.say("stopping...");
                            stack.close();
                            if (inbox != null) {
                                inbox.close();
                            }
                            stopped.countDown();
                        },
                        "vigil-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        stack.start();
        StatusCommand.print(stack.dataDir());

        KafkaSettings kafka = KafkaSettings.of(stack.kafkaBootstrapServers());
        try (CqlSession session =
                CqlSession.builder()
                        .addContactPoint(stack.cassandraContactPoint())
                        .withLocalDatacenter(stack.cassandraLocalDatacenter())
                        .build()) {
            int applied = CqlMigrator.builder().session(session).build().migrate().size();
            Console.say("Cassandra schema up to date (%d scripts applied)", applied);

            List<String> created =
                    new TopicAdmin(kafka, TOPIC_PARTITIONS, (short) 1, Duration.ofDays(3))
                            .createMissing(Topics.ALL);
            Console.say("Kafka topics ready (%d created)", created.size());

            try (KafkaRulePublisher publisher = new KafkaRulePublisher(kafka)) {
                ApplyResult defaults =
                        new RuleStore(session, publisher, Clock.systemUTC())
                                .applyDefaults(RuleFiles.defaults(), RuleFiles.DEFAULTS);
                Console.say(
                        "default rules from %s: %d created, %d updated, %d unchanged, %d kept as"
                                + " changed or deleted by you",
                        RuleFiles.DEFAULTS,
                        defaults.count(RuleChange.Outcome.CREATED),
                        defaults.count(RuleChange.Outcome.UPDATED),
                        defaults.count(RuleChange.Outcome.UNCHANGED),
                        defaults.count(RuleChange.Outcome.KEPT));
            }

            Path config =
                    notifierConfig != null
                            ? notifierConfig
                            : DefaultNotifierConfig.write(dataDir, inbox.url());
            ManagedProcess notifier =
                    LocalNotifier.start(stack, config, new PortAllocator().next());
            URI notifierApi = LocalNotifier.apiUri(notifier.mainPort().getAsInt());
            Console.say(
                    "notifier ready (pid %d, config %s): silence API %s/api/v2/silences, try"
                            + " ./vigil silence --help",
                    notifier.pid(), relative(config), notifierApi);
            if (inbox != null) {
                Console.say(
                        "notifications come here (webhook %s) and go to %s",
                        inbox.url(), relative(inbox.file()));
            }

            FlinkRestClient flink = stack.flinkSession();
            String jarId = flink.uploadJar(jobJar);
            // Each TaskManager has two slots (flink-conf/config.yaml), one per job: both jobs
            // run at one subtask per TaskManager.
            String jobId =
                    flink.runJar(
                            jarId,
                            ROLLUP_MAIN,
                            stack.jobArguments("--vigil.rollup.group-id", ROLLUP_GROUP),
                            taskManagers);
            Console.say("submitted metrics-rollup as Flink job %s", jobId);
            String alertingJobId =
                    flink.runJar(
                            jarId,
                            ALERTING_MAIN,
                            stack.jobArguments("--vigil.alerting.group-id", ALERTING_GROUP),
                            taskManagers);
            Console.say(
                    "submitted alerting as Flink job %s; alerts on topic %s",
                    alertingJobId, Topics.ALERTS.name());

            Fleet fleet = new Fleet(hosts, seriesPerHost);
            Duration step = FleetSimulator.stepFor(fleet, rate);
            try (SampleWriter writer = new SampleWriter(stack.kafkaBootstrapServers())) {
                FleetSimulator simulator =
                        new FleetSimulator(
                                        new Workload(fleet, step, 1, 0, Duration.ZERO),
                                        step,
                                        writer,
                                        Clock.systemUTC())
                                .withIncidents(injected);
                Thread fleetThread = startFleet(simulator);
                for (Incident incident : injected) {
                    Console.say(
                            "incident: %s on %s from %s after the start, for %s",
                            incident.kind(), incident.host(), incident.after(), incident.lasting());
                }
                Console.say(
                        "simulated fleet: %d hosts x %d series, every series each %d ms",
                        hosts, seriesPerHost, step.toMillis());
                Console.say(
                        "Flink UI %s   CQL %s   Kafka %s   notifier API %s",
                        stack.flinkRestUri(),
                        hostAndPort(stack.cassandraContactPoint()),
                        stack.kafkaBootstrapServers(),
                        notifierApi);
                Console.say(
                        "Ctrl-C stops everything; `./vigil status` in another terminal shows the"
                                + " processes");
                Instant notifierStart = notifier.startedAt();
                new Progress(
                                kafka,
                                flink,
                                jobId,
                                writer,
                                ROLLUP_GROUP,
                                () ->
                                        CassandraNotificationLog.countDelivered(
                                                session, notifierStart))
                        .showUntil(
                                duration == null ? null : System.nanoTime() + duration.toNanos(),
                                stopped);
                fleetThread.interrupt();
            }
        }
        // Reached only with --duration: stop everything, as Ctrl-C would.
        Runtime.getRuntime().removeShutdownHook(shutdown);
        shutdown.run();
        return 0;
    }

    /** Checks a given notifier configuration now, so that a typo does not cost a stack start. */
    private static boolean validNotifierConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            Console.say("--notifier-config %s: no such file", file);
            return false;
        }
        try {
            ConfigLoader.load(file);
            return true;
        } catch (InvalidConfigException | UncheckedIOException e) {
            Console.say("--notifier-config %s", e.getMessage());
            return false;
        }
    }

    /** A path as the user would type it: relative to the working folder when inside it. */
    private static Path relative(Path path) {
        Path here = Path.of("").toAbsolutePath();
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(here) ? here.relativize(absolute) : absolute;
    }

    private static Thread startFleet(FleetSimulator simulator) {
        Thread thread =
                new Thread(
                        () -> {
                            try {
                                simulator.run(
                                        Duration.ofDays(365),
                                        () -> Thread.currentThread().isInterrupted());
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } catch (RuntimeException e) {
                                Console.say("simulated fleet stopped: %s", e.getMessage());
                            }
                        },
                        "vigil-fleet");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    static String hostAndPort(java.net.InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** The shaded job jar of this checkout. */
    static Path jobJar(Path home) throws IOException {
        Path target = home.resolve("jobs/target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("vigil-jobs-.*\\.jar"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "no job jar in "
                                                    + target
                                                    + "; build with mvn install -DskipTests"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException(
                    "no job jar: " + target + " does not exist; build with mvn install -DskipTests",
                    e);
        }
    }

    /** Formats one progress line now and then. */
    static LocalTime now() {
        return LocalTime.now().truncatedTo(ChronoUnit.SECONDS);
    }
}
