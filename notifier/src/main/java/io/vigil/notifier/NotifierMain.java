package io.vigil.notifier;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.notifier.config.ConfigLoader;
import io.vigil.notifier.config.NotifierConfig;
import io.vigil.notifier.delivery.Deliveries;
import io.vigil.notifier.dispatch.Dispatcher;
import io.vigil.notifier.dispatch.Muting;
import io.vigil.notifier.inhibit.Inhibitor;
import io.vigil.notifier.log.CassandraNotificationLog;
import io.vigil.notifier.silence.SilenceApi;
import io.vigil.notifier.silence.SilenceRegistry;
import io.vigil.notifier.silence.SilenceStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts one notifier replica: {@code java -cp ... io.vigil.notifier.NotifierMain --config
 * notifier.yaml --kafka host:9092 --cassandra host:9042}. Run several with the same {@code --group}
 * for high availability; see the module README.
 */
@Command(
        name = "vigil-notifier",
        mixinStandardHelpOptions = true,
        description =
                "Delivers the alerts of vigil.alerts to email, Slack, webhooks and Alertmanager.")
public final class NotifierMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(NotifierMain.class);

    /** Printed once the replica consumes; scripts and tests wait for it. */
    public static final String READY = "vigil-notifier ready";

    @Option(names = "--config", required = true, description = "The YAML configuration file.")
    Path config;

    @Option(names = "--kafka", required = true, description = "Kafka bootstrap servers.")
    String kafka;

    @Option(
            names = "--cassandra",
            required = true,
            split = ",",
            description = "Cassandra contact points, host:port.")
    List<String> cassandra;

    @Option(
            names = "--datacenter",
            defaultValue = "datacenter1",
            description = "Cassandra local data centre (default: ${DEFAULT-VALUE}).")
    String datacenter;

    @Option(
            names = "--group",
            defaultValue = "vigil-notifier",
            description = "Consumer group shared by all replicas (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(
            names = "--instance",
            description = "This replica's name in logs and the notification log (default: random).")
    String instance;

    @Option(
            names = "--api",
            defaultValue = "127.0.0.1:9095",
            description =
                    "host:port of the silence API, port 0 for a free one, 'off' for none"
                            + " (default: ${DEFAULT-VALUE}).")
    String api;

    @Option(
            names = "--session-timeout",
            defaultValue = "PT10S",
            description =
                    "How long the group waits for a silent replica before its partitions move"
                            + " (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration sessionTimeout;

    @Option(
            names = "--inhibit-lookback",
            defaultValue = "PT24H",
            description =
                    "How far back alerts are read for inhibition at start (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration inhibitLookback;

    public static void main(String[] args) {
        System.exit(new CommandLine(new NotifierMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        NotifierConfig configuration = ConfigLoader.load(config);
        String owner =
                Optional.ofNullable(instance).orElse("notifier")
                        + "-"
                        + UUID.randomUUID().toString().substring(0, 8);
        Clock clock = Clock.systemUTC();
        KafkaSettings kafkaSettings = KafkaSettings.of(kafka);
        CountDownLatch stopped = new CountDownLatch(1);
        try (CqlSession session = session();
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                kafkaSettings.toProperties(),
                                new ByteArraySerializer(),
                                new ByteArraySerializer())) {
            CqlMigrator.builder().session(session).build().migrate();
            SilenceRegistry silences = new SilenceRegistry();
            Inhibitor inhibitor = new Inhibitor(configuration.inhibitRules());
            Muting muting =
                    (labels, now) ->
                            silences.silencedBy(labels, now)
                                    .map(id -> "silence " + id)
                                    .or(
                                            () ->
                                                    inhibitor
                                                            .inhibitedBy(labels, now)
                                                            .map(
                                                                    source ->
                                                                            "inhibition by "
                                                                                    + source));
            OffsetTracker offsets = new OffsetTracker();
            Dispatcher dispatcher = new Dispatcher(configuration.route(), muting, offsets);
            SilenceApi silenceApi =
                    api.equals("off")
                            ? null
                            : SilenceApi.start(
                                    address(api), new SilenceStore(session, producer), clock);
            try (StateFollower state =
                            new StateFollower(
                                    kafkaSettings, silences, inhibitor, inhibitLookback, clock);
                    Deliveries deliveries =
                            Deliveries.start(
                                    configuration,
                                    new CassandraNotificationLog(session),
                                    clock,
                                    owner);
                    Notifier notifier =
                            new Notifier(
                                    kafkaSettings,
                                    group,
                                    dispatcher,
                                    offsets,
                                    deliveries,
                                    state,
                                    sessionTimeout,
                                    Duration.ofMinutes(2),
                                    clock)) {
                Thread follower = new Thread(state, "follow-silences");
                follower.setDaemon(true);
                follower.start();
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () -> {
                                            notifier.close();
                                            try {
                                                stopped.await();
                                            } catch (InterruptedException e) {
                                                Thread.currentThread().interrupt();
                                            }
                                        },
                                        "notifier-shutdown"));
                LOG.info(
                        "Notifier {} in group {}: {} receivers, {} inhibition rules",
                        owner,
                        group,
                        configuration.receivers().size(),
                        configuration.inhibitRules().size());
                System.out.println(
                        READY
                                + " "
                                + owner
                                + (silenceApi == null
                                        ? ""
                                        : " api=" + silenceApi.address().getPort()));
                System.out.flush();
                notifier.run();
            } finally {
                if (silenceApi != null) {
                    silenceApi.close();
                }
            }
        } finally {
            stopped.countDown();
        }
        return 0;
    }

    private CqlSession session() {
        var builder =
                CqlSession.builder()
                        .withLocalDatacenter(datacenter)
                        .withConfigLoader(
                                DriverConfigLoader.programmaticBuilder()
                                        .withDuration(
                                                DefaultDriverOption.REQUEST_TIMEOUT,
                                                Duration.ofSeconds(30))
                                        .build());
        for (String contactPoint : cassandra) {
            builder.addContactPoint(address(contactPoint));
        }
        return builder.build();
    }

    private static InetSocketAddress address(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon < 0) {
            throw new CommandLine.ParameterException(
                    new CommandLine(new NotifierMain()),
                    String.format("'%s' is not host:port", hostAndPort));
        }
        return new InetSocketAddress(
                hostAndPort.substring(0, colon),
                Integer.parseInt(hostAndPort.substring(colon + 1)));
    }
}
