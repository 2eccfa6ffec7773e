package io.vigil.connectors.kafka;

import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Topic;
import java.nio.ByteBuffer;

/**
 * Builds {@link DeadLetter} records. Plain Java, without Flink classes, so that processes outside
 * Flink (the notifier) dead-letter what they cannot read the same way the jobs do; {@link
 * DeadLetters} holds the Flink side (the side-output tag).
 */
public final class DeadLetterRecords {

    private DeadLetterRecords() {}

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
