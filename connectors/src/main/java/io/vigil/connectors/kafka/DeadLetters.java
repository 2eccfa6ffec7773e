package io.vigil.connectors.kafka;

import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Topic;
import java.nio.ByteBuffer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * Helpers for dead letters: records that could not be processed, kept with their origin and a
 * reason on {@code vigil.deadletter} instead of being dropped or crashing a job.
 *
 * <p>Reasons start with a short code ({@code undecodable}, {@code late}, ...) and a colon, so that
 * operators can count them by kind.
 */
public final class DeadLetters {
    /** The side output every Vigil operator routes its rejects to. */
    public static final OutputTag<DeadLetter> TAG =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private DeadLetters() {}

    /**
     * A dead letter for a record read from Kafka.
     *
     * @param source the topic it was read from
     * @param partition its partition, or null when no longer known
     * @param offset its offset, or null when no longer known
     * @param reason code, colon, details
     * @param key the record key, may be null
     * @param raw the record value, may be null (a tombstone)
     * @param failedAt when it was rejected, ms since the epoch
     */
    public static DeadLetter of(
            Topic<?> source,
            Integer partition,
            Long offset,
            String reason,
            byte[] key,
            byte[] raw,
            long failedAt) {
        return DeadLetter.newBuilder()
                .setSourceTopic(source.name())
                .setPartition(partition)
                .setOffset(offset)
                .setReason(reason)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setRaw(ByteBuffer.wrap(raw == null ? new byte[0] : raw))
                .setFailedAt(failedAt)
                .build();
    }
}
