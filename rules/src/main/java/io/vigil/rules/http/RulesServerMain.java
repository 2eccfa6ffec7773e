package io.vigil.rules.http;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.cassandra.CqlSessions;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.rules.KafkaRulePublisher;
import io.vigil.rules.RuleStore;
import io.vigil.rules.RuleTopic;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the rules HTTP API: brings the Cassandra schema up to date, creates the rules topic if
 * missing, republishes every stored rule (repairing a publish that an earlier process did not
 * finish), then serves until stopped. The bearer token, if any, comes from the environment variable
 * {@value #TOKEN_VARIABLE}, so it never shows in a process listing.
 */
@Command(
        name = "vigil-rules-server",
        mixinStandardHelpOptions = true,
        description = "Serves the rules HTTP API (/api/v1/rules).")
public final class RulesServerMain implements Callable<Integer> {
    /** The environment variable holding the bearer token; unset or empty: no authentication. */
    public static final String TOKEN_VARIABLE = "VIGIL_RULES_TOKEN";

    @Option(
            names = "--listen",
            defaultValue = "127.0.0.1:9470",
            description = "host:port to serve on (default ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--kafka", required = true, description = "Kafka bootstrap servers.")
    String kafka;

    @Option(
            names = "--cassandra",
            required = true,
            description = "A Cassandra contact point, host:port.")
    String cassandra;

    @Option(
            names = "--datacenter",
            defaultValue = "datacenter1",
            description = "Cassandra's local data centre (default ${DEFAULT-VALUE}).")
    String datacenter;

    @Option(
            names = "--topic-partitions",
            defaultValue = "4",
            description =
                    "Partitions of the rules topic if it is created (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--replication-factor",
            defaultValue = "1",
            description =
                    "Replication of the rules topic if it is created (default ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Option(
            names = "--max-body-bytes",
            defaultValue = "1048576",
            description = "Largest request body (default ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Override
    public Integer call() throws Exception {
        KafkaSettings kafkaSettings = KafkaSettings.of(kafka);
        try (CqlSession session =
                        CqlSessions.open(
                                hostAndPort(cassandra), datacenter, CASSANDRA_REQUEST_TIMEOUT);
                KafkaRulePublisher publisher = new KafkaRulePublisher(kafkaSettings)) {
            CqlMigrator.builder().session(session).build().migrate();
            RuleTopic.createIfMissing(kafkaSettings, partitions, replicationFactor);
            RuleStore store = new RuleStore(session, publisher, Clock.systemUTC());
            store.reconcile();
            CountDownLatch stopped = new CountDownLatch(1);
            try (RulesHttpServer server =
                    RulesHttpServer.builder()
                            .store(store)
                            .address(hostAndPort(listen))
                            .bearerToken(System.getenv(TOKEN_VARIABLE))
                            .maxBodyBytes(maxBodyBytes)
                            .build()
                            .start()) {
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(stopped::countDown, "vigil-rules-stop"));
                System.out.printf(
                        "vigil-rules: serving http://%s:%d%s%n",
                        server.address().getHostString(),
                        server.address().getPort(),
                        RulesHttpServer.PREFIX);
                stopped.await();
            }
        }
        return 0;
    }

    /** Requests may take this long: lightweight transactions take four round trips. */
    public static final Duration CASSANDRA_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    static InetSocketAddress hostAndPort(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new CommandLine.ParameterException(
                    new CommandLine(new RulesServerMain()),
                    String.format("%s is not host:port", text));
        }
        return new InetSocketAddress(
                text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RulesServerMain()).execute(args));
    }
}
