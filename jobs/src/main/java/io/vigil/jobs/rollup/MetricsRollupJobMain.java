package io.vigil.jobs.rollup;

import io.vigil.connectors.cassandra.TableRetention;
import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.jobs.CassandraSchema;
import io.vigil.jobs.ConnectionOptions;
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
 * Entry point of metrics-rollup on a Flink cluster: wires the real Kafka and Cassandra connectors
 * from {@code --key value} program arguments.
 *
 * <pre>
 * flink run -c io.vigil.jobs.rollup.MetricsRollupJobMain vigil-jobs.jar \
 *     --vigil.kafka.bootstrap-servers kafka-1:9092 \
 *     --vigil.cassandra.contact-points cassandra-1:9042;cassandra-2:9042 \
 *     --vigil.cassandra.local-datacenter dc1 \
 *     --vigil.retention.rollups-1h 730d
 * </pre>
 *
 * <p>Unless {@code vigil.cassandra.migrate} is off, it brings the schema up to date and sets the
 * tables' retention ({@link TableRetention}: {@code vigil.retention.raw}, {@code
 * vigil.retention.rollups-1m}, {@code vigil.retention.rollups-1h}) before the job starts.
 */
public final class MetricsRollupJobMain {
    private MetricsRollupJobMain() {}

    public static void main(String[] args) throws Exception {
        Configuration options = ConnectionOptions.fromArgs(args);
        KafkaSettings kafka = ConnectionOptions.kafka(options);
        // The job owns the time-series tables, so it also sets how long they keep their rows.
        CassandraSchema.migrateIfEnabled(options, TableRetention.fromConfig(options));

        OffsetsInitializer start =
                options.getOptional(RollupOptions.STARTING_TIMESTAMP)
                        .map(OffsetsInitializer::timestamp)
                        .orElse(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
        KafkaSource<Either<DeadLetter, MetricBatch>> samples =
                KafkaConnectors.source(
                        kafka, Topics.METRIC_SAMPLES, options.get(RollupOptions.GROUP_ID), start);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new MetricsRollupJob(
                        samples,
                        new MetricsRollupJob.Sinks(
                                RollupRows.sink(options, RollupRows.Resolution.MINUTE),
                                RollupRows.sink(options, RollupRows.Resolution.HOUR),
                                GroupRows.sink(options),
                                SeriesRows.seriesSink(options),
                                SeriesRows.labelSink(options),
                                RawChunkRows.sink(options),
                                HostRows.hostsSink(options),
                                HostRows.placesSink(options),
                                HostRows.vacatedPlacesSink(options),
                                KafkaConnectors.deadLetterSink(kafka)),
                        options)
                .execute(env);
    }
}
