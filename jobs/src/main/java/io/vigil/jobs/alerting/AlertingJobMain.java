package io.vigil.jobs.alerting;

import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.jobs.CassandraSchema;
import io.vigil.jobs.ConnectionOptions;
import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.Topics;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Entry point of alerting on a Flink cluster: wires the real Kafka and Cassandra connectors from
 * {@code --key value} program arguments. The jar's default main class is the rollup job's, so name
 * this one:
 *
 * <pre>
 * flink run -c io.vigil.jobs.alerting.AlertingJobMain vigil-jobs.jar \
 *     --vigil.kafka.bootstrap-servers kafka-1:9092 \
 *     --vigil.cassandra.contact-points cassandra-1:9042;cassandra-2:9042 \
 *     --vigil.cassandra.local-datacenter dc1
 * </pre>
 */
public final class AlertingJobMain {
    private AlertingJobMain() {}

    public static void main(String[] args) throws Exception {
        Configuration options = ConnectionOptions.fromArgs(args);
        KafkaSettings kafka = ConnectionOptions.kafka(options);
        CassandraSchema.migrateIfEnabled(options);
        // A new group starts at the newest samples: alerting on a backlog of old samples would
        // page people about the past.
        OffsetsInitializer start =
                options.getOptional(AlertingOptions.STARTING_TIMESTAMP)
                        .map(OffsetsInitializer::timestamp)
                        .orElse(OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST));
        KafkaSource<Either<DeadLetter, MetricBatch>> samples =
                KafkaConnectors.source(
                        kafka, Topics.METRIC_SAMPLES, options.get(AlertingOptions.GROUP_ID), start);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new AlertingJob(
                        samples,
                        rulesSource(kafka, options.get(AlertingOptions.GROUP_ID) + "-rules"),
                        sinks(kafka, options),
                        options)
                .execute(env);
    }

    /**
     * The rules, tombstones included. Without a checkpoint it always starts at the earliest offset,
     * never at committed offsets: the compacted topic holds every live rule only from its start,
     * and a job without state must read all of them.
     */
    public static KafkaSource<Either<DeadLetter, RuleUpdate>> rulesSource(
            KafkaSettings kafka, String groupId) {
        return KafkaConnectors.source(
                kafka,
                Topics.RULES,
                groupId,
                OffsetsInitializer.earliest(),
                new RuleUpdateDeserializer());
    }

    /** The job's sinks: Kafka for alerts and dead letters, Cassandra for the history. */
    public static AlertingJob.Sinks sinks(KafkaSettings kafka, Configuration options) {
        return new AlertingJob.Sinks(
                KafkaConnectors.sink(kafka, Topics.ALERTS, AlertEvent::getFingerprint),
                AlertRows.historySink(options),
                AlertRows.byDaySink(options),
                KafkaConnectors.deadLetterSink(kafka));
    }
}
