package io.vigil.jobs;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.connectors.cassandra.CassandraSinkOptions;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.cassandra.CqlSessions;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.connectors.kafka.TopicAdmin;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;

/** What every job's end-to-end test needs of the local stack. */
public final class StackFixtures {
    private StackFixtures() {}

    /** Applies the Cassandra schema and creates the topics, as {@code vigil up} does. */
    public static void prepare(LocalStack stack) throws Exception {
        try (CqlSession session = session(stack)) {
            CqlMigrator.builder().session(session).build().migrate();
        }
        new TopicAdmin(kafka(stack), 4, (short) 1, Duration.ofDays(1)).createMissing(Topics.ALL);
    }

    /** The jar `mvn package` shaded for data engineers, not the classes of this test run. */
    public static Path shadedJobJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("vigil-jobs-.*\\.jar"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "run through mvn verify: no shaded jar"));
        }
    }

    public static KafkaSettings kafka(LocalStack stack) {
        return KafkaSettings.of(stack.kafkaBootstrapServers());
    }

    /** The sink options that point at the stack's Cassandra. */
    public static Configuration cassandraOptions(LocalStack stack) {
        Configuration options = new Configuration();
        options.set(
                CassandraSinkOptions.CONTACT_POINTS,
                List.of(
                        stack.cassandraContactPoint().getHostString()
                                + ":"
                                + stack.cassandraContactPoint().getPort()));
        options.set(CassandraSinkOptions.LOCAL_DATACENTER, stack.cassandraLocalDatacenter());
        return options;
    }

    /**
     * A session for a test's own reads. Its requests may take 30 s: tests read thousands of
     * partitions while the machine's two cores also run Kafka, Cassandra and Flink.
     */
    public static CqlSession session(LocalStack stack) {
        return CqlSessions.open(
                stack.cassandraContactPoint(),
                stack.cassandraLocalDatacenter(),
                Duration.ofSeconds(30));
    }
}
