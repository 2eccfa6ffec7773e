package io.vigil.connectors.kafka;

import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.BatchSample;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import io.vigil.schemas.Topic;
import io.vigil.schemas.Topics;
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

    /**
     * Shared rather than built per dead letter, which would read the schema history each time; a
     * codec holds no mutable state but its lazily built, thread-safe encoder.
     */
    private static final AvroCodec<MetricBatch> SAMPLES = Topics.METRIC_SAMPLES.codec();

    private DeadLetters() {}

    /**
     * A dead letter for a sample an operator rejected after decoding (invalid, late). Its value is
     * the sample as a batch of one ({@code vigil.metrics.samples} reads it back as it is), keyed by
     * its series id. Partition and offset are no longer known at that point.
     *
     * @param sample the rejected sample
     * @param reason code, colon, details
     * @param failedAt when it was rejected, ms since the epoch
     */
    public static DeadLetter ofSample(MetricSample sample, String reason, long failedAt) {
        return of(
                Topics.METRIC_SAMPLES,
                null,
                null,
                reason,
                Topics.METRIC_SAMPLES.keyFormat().encode(SeriesIds.of(sample)),
                SAMPLES.encode(MetricBatches.of(sample)),
                failedAt);
    }

    /**
     * A dead letter for sample {@code i} of a batch: its value is a batch of that sample alone,
     * with the batch's shared labels, so the sample can be put back on {@code
     * vigil.metrics.samples} as it came; keyed by the batch's origin.
     */
    public static DeadLetter ofSample(MetricBatch batch, int i, String reason, long failedAt) {
        java.util.List<BatchSample> one = new java.util.ArrayList<>(1);
        one.add(batch.getSamples().get(i));
        return ofBatch(
                new MetricBatch(batch.getLabels(), batch.getTimestamp(), one), reason, failedAt);
    }

    /** A dead letter for a whole batch (for example one whose shared labels are invalid). */
    public static DeadLetter ofBatch(MetricBatch batch, String reason, long failedAt) {
        return of(
                Topics.METRIC_SAMPLES,
                null,
                null,
                reason,
                Topics.METRIC_SAMPLES.keyFormat().encode(MetricBatches.originId(batch)),
                SAMPLES.encode(batch),
                failedAt);
    }

    /**
     * A dead letter for a record read from Kafka; see {@link DeadLetterRecords#of}, which this
     * delegates to.
     */
    public static DeadLetter of(
            Topic<?> source,
            Integer partition,
            Long offset,
            String reason,
            byte[] key,
            byte[] raw,
            long failedAt) {
        return DeadLetterRecords.of(source, partition, offset, reason, key, raw, failedAt);
    }
}
