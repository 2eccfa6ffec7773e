package io.vigil.connectors.kafka;

import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Topic;
import java.time.Clock;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes the Avro values of a topic and never throws on data: a record that cannot be decoded
 * becomes a {@link DeadLetter} (left) with the reason, its partition and offset and its raw bytes;
 * a good record is the right side.
 *
 * <p>Throwing from a deserializer would fail the job and, after the restart, fail it again on the
 * same record forever. Splitting here keeps the job running and loses nothing.
 *
 * @param <T> the value record of the topic
 */
public final class DecodingDeserializer<T extends SpecificRecordBase>
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, T>> {
    private static final long serialVersionUID = 1L;

    private final Topic<T> topic;
    private final AvroCodec<T> codec;
    private final Clock clock;

    DecodingDeserializer(Topic<T> topic, Clock clock) {
        this.topic = topic;
        this.codec = topic.codec();
        this.clock = clock;
    }

    /** A deserializer for the values of a topic. */
    public static <T extends SpecificRecordBase> DecodingDeserializer<T> forTopic(Topic<T> topic) {
        return new DecodingDeserializer<>(topic, Clock.systemUTC());
    }

    @Override
    public void deserialize(
            ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, T>> out) {
        T value;
        try {
            value = codec.decode(record.value());
        } catch (AvroCodec.DecodeException e) {
            out.collect(
                    Either.Left(
                            DeadLetters.of(
                                    topic,
                                    record.partition(),
                                    record.offset(),
                                    e.getMessage(),
                                    record.key(),
                                    record.value(),
                                    clock.millis())));
            return;
        }
        out.collect(Either.Right(value));
    }

    @Override
    public TypeInformation<Either<DeadLetter, T>> getProducedType() {
        return new EitherTypeInfo<>(
                new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(topic.valueClass()));
    }
}
