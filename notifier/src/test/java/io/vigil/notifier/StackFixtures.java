package io.vigil.notifier;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.cassandra.CqlSessions;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.connectors.kafka.TopicAdmin;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import java.time.Duration;

/** What the notifier's ITCases need of the local stack, as {@code vigil up} prepares it. */
public final class StackFixtures {

    private StackFixtures() {}

    /** Applies the Cassandra schema and creates the topics (4 partitions each). */
    public static void prepare(LocalStack stack) throws Exception {
        try (CqlSession session = session(stack)) {
            CqlMigrator.builder().session(session).build().migrate();
        }
        new TopicAdmin(kafka(stack), 4, (short) 1, Duration.ofDays(1)).createMissing(Topics.ALL);
    }

    public static KafkaSettings kafka(LocalStack stack) {
        return KafkaSettings.of(stack.kafkaBootstrapServers());
    }

    /**
     * A session whose requests may take 30 s: the tests share two cores with Kafka, Cassandra and
     * the notifier replicas.
     */
    public static CqlSession session(LocalStack stack) {
        return CqlSessions.open(
                stack.cassandraContactPoint(),
                stack.cassandraLocalDatacenter(),
                Duration.ofSeconds(30));
    }
}
