package io.vigil.connectors.kafka;

import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.Topic;
import java.io.Serializable;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes records of a topic as Avro single-object encoded values, keyed as the topic's registry
 * entry says.
 *
 * @param <T> the value record
 */
public final class AvroRecordSerializer<T extends SpecificRecordBase>
        implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    /** Extracts the key of a record; serialisable so the sink can ship it. */
    @FunctionalInterface
    public interface KeyFunction<T> extends Function<T, Object>, Serializable {}

    private final Topic<T> topic;
    private final AvroCodec<T> codec;
    private final KeyFunction<T> key;

    /**
     * @param topic the topic to write to
     * @param key the record's key in the form of the topic's {@link io.vigil.schemas.KeyFormat}
     */
    public AvroRecordSerializer(Topic<T> topic, KeyFunction<T> key) {
        this.topic = topic;
        this.codec = topic.codec();
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic.name(),
                null,
                timestamp,
                topic.keyFormat().encode(key.apply(element)),
                codec.encode(element));
    }
}
