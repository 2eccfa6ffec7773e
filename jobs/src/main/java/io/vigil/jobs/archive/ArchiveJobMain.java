package io.vigil.jobs.archive;

import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.jobs.ConnectionOptions;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.Topics;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Entry point of the archive job on a Flink cluster: wires the real Kafka source and dead-letter
 * sink and the file sink from {@code --key value} program arguments.
 *
 * <pre>
 * flink run -c io.vigil.jobs.archive.ArchiveJobMain vigil-jobs.jar \
 *     --vigil.kafka.bootstrap-servers kafka-1:9092 \
 *     --vigil.archive.path s3://vigil-archive/prod
 * </pre>
 *
 * <p>Options: {@link ArchiveOptions}; how to make {@code s3://} paths work: {@code jobs/README.md}.
 */
public final class ArchiveJobMain {
    private ArchiveJobMain() {}

    public static void main(String[] args) throws Exception {
        Configuration options = ConnectionOptions.fromArgs(args);
        KafkaSettings kafka = ConnectionOptions.kafka(options);

        OffsetsInitializer start =
                options.getOptional(ArchiveOptions.STARTING_TIMESTAMP)
                        .map(OffsetsInitializer::timestamp)
                        .orElse(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
        KafkaSource<Either<DeadLetter, MetricBatch>> samples =
                KafkaConnectors.source(
                        kafka, Topics.METRIC_SAMPLES, options.get(ArchiveOptions.GROUP_ID), start);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        options.getOptional(ArchiveOptions.CHECKPOINT_INTERVAL)
                .map(Duration::toMillis)
                .ifPresent(env::enableCheckpointing);
        new ArchiveJob(
                        samples,
                        ArchiveFiles.samplesSink(options),
                        KafkaConnectors.deadLetterSink(kafka))
                .execute(env);
    }
}
