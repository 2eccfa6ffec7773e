package io.vigil.connectors.kafka;

import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Topic;
import io.vigil.schemas.Topics;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Factories of Kafka sources and sinks for Vigil's topics.
 *
 * <pre>{@code
 * KafkaSettings kafka = KafkaSettings.of("broker-1:9092");
 * KafkaSource<Either<DeadLetter, MetricSample>> samples =
 *         KafkaConnectors.source(kafka, Topics.METRIC_SAMPLES, "vigil-metrics-rollup");
 * KafkaSink<DeadLetter> deadLetters = KafkaConnectors.deadLetterSink(kafka);
 * }</pre>
 *
 * <p>Sources decode with {@link DecodingDeserializer}, so a bad record becomes a dead letter and
 * never fails the job; split them off with {@link DeadLetterSplitter}. Sinks are at-least-once:
 * consumers deduplicate (rows are idempotent upserts, alerts carry deterministic event ids), which
 * keeps records visible at once instead of at the next checkpoint as a transactional sink would.
 */
public final class KafkaConnectors {
    private KafkaConnectors() {}

    /**
     * A source over one topic for a consumer group. A new group starts from the earliest offset;
     * afterwards the job's checkpoints hold the position (offsets are also committed to the group
     * on each checkpoint, so consumer lag is visible to ordinary Kafka tools).
     */
    public static <T extends SpecificRecordBase> KafkaSource<Either<DeadLetter, T>> source(
            KafkaSettings settings, Topic<T> topic, String groupId) {
        return source(
                settings,
                topic,
                groupId,
                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }

    /**
     * A source over one topic for a consumer group, starting where {@code startingOffsets} says
     * when the job has no checkpoint (for example {@link OffsetsInitializer#timestamp(long)} to
     * replay from a point in time).
     */
    public static <T extends SpecificRecordBase> KafkaSource<Either<DeadLetter, T>> source(
            KafkaSettings settings,
            Topic<T> topic,
            String groupId,
            OffsetsInitializer startingOffsets) {
        return source(
                settings, topic, groupId, startingOffsets, DecodingDeserializer.forTopic(topic));
    }

    /**
     * A source over one topic with a deserializer of its own, for topics whose records need more
     * than {@link DecodingDeserializer} (the tombstones of a compacted topic). The deserializer
     * must not throw on data either.
     */
    public static <R> KafkaSource<R> source(
            KafkaSettings settings,
            Topic<?> topic,
            String groupId,
            OffsetsInitializer startingOffsets,
            KafkaRecordDeserializationSchema<R> deserializer) {
        return KafkaSource.<R>builder()
                .setProperties(settings.toProperties())
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(topic.name())
                .setGroupId(groupId)
                .setClientIdPrefix(groupId)
                .setStartingOffsets(startingOffsets)
                .setDeserializer(deserializer)
                // Discover partitions added while the job runs.
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /** An at-least-once sink writing records to a topic under the key the function gives. */
    public static <T extends SpecificRecordBase> KafkaSink<T> sink(
            KafkaSettings settings, Topic<T> topic, AvroRecordSerializer.KeyFunction<T> key) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(settings.toProperties())
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(new AvroRecordSerializer<>(topic, key))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** The sink of {@code vigil.deadletter}, keyed by the source topic. */
    public static KafkaSink<DeadLetter> deadLetterSink(KafkaSettings settings) {
        return sink(settings, Topics.DEAD_LETTER, DeadLetter::getSourceTopic);
    }
}
