package io.vigil.jobs.rollup;

import io.vigil.connectors.validation.SampleValidator;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import java.time.Clock;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.types.Either;

/**
 * Event time of the samples source of metrics-rollup: per Kafka partition, the watermark trails the
 * newest valid sample by {@link RollupOptions#OUT_OF_ORDERNESS}, and a partition without valid
 * samples for {@link RollupOptions#IDLENESS} stops holding the others back.
 *
 * <p>Watermarks are made in the source, before any operator could validate a sample, so the
 * timestamp assigner asks the same {@link SampleValidator} as the validating operator: a sample it
 * would reject, like a dead letter, gets no event time ({@link #NO_EVENT_TIME}). Otherwise one
 * sample stamped a year ahead would push its partition's watermark a year ahead and make every
 * later sample of the partition late. Records without event time are also hidden from the idleness
 * detection, so a partition that carries nothing but rejects goes idle instead of pinning the job's
 * watermark.
 */
final class SampleWatermarks {
    /** The timestamp of records that must not move a watermark: no watermark is ever below it. */
    static final long NO_EVENT_TIME = Long.MIN_VALUE;

    private SampleWatermarks() {}

    /**
     * The watermark strategy of the samples source.
     *
     * @param options {@link RollupOptions}
     * @param validator the rules of the validating operator downstream
     * @param clock the wall clock future timestamps are measured against
     */
    static WatermarkStrategy<Either<DeadLetter, MetricBatch>> strategy(
            ReadableConfig options, SampleValidator validator, Clock clock) {
        WatermarkStrategy<Either<DeadLetter, MetricBatch>> boundedAndIdle =
                WatermarkStrategy.<Either<DeadLetter, MetricBatch>>forBoundedOutOfOrderness(
                                options.get(RollupOptions.OUT_OF_ORDERNESS))
                        .withIdleness(options.get(RollupOptions.IDLENESS));
        return WatermarkStrategy.<Either<DeadLetter, MetricBatch>>forGenerator(
                        context ->
                                new IgnoringNoEventTime<>(
                                        boundedAndIdle.createWatermarkGenerator(context)))
                .withTimestampAssigner(new Timestamps(validator, clock));
    }

    /**
     * The event time of a batch's newest valid sample, {@link #NO_EVENT_TIME} for a batch without
     * one and for dead letters.
     */
    static final class Timestamps
            implements SerializableTimestampAssigner<Either<DeadLetter, MetricBatch>> {
        private static final long serialVersionUID = 1L;

        private final SampleValidator validator;
        private final Clock clock;

        Timestamps(SampleValidator validator, Clock clock) {
            this.validator = Objects.requireNonNull(validator, "validator");
            this.clock = Objects.requireNonNull(clock, "clock");
        }

        @Override
        public long extractTimestamp(Either<DeadLetter, MetricBatch> record, long kafkaTime) {
            if (record.isLeft()) {
                return NO_EVENT_TIME;
            }
            MetricBatch batch = record.right();
            long now = clock.millis();
            // All checks, not only the future one: whatever is dead-lettered downstream has no
            // business moving event time, and the rule stays one sentence. A batch's event time
            // is that of its newest valid sample.
            if (validator.validateShared(batch).isPresent()) {
                return NO_EVENT_TIME;
            }
            long newest = NO_EVENT_TIME;
            for (int i = 0; i < batch.getSamples().size(); i++) {
                long timestamp = MetricBatches.timestamp(batch, i);
                if (timestamp > newest && validator.validate(batch, i, now).isEmpty()) {
                    newest = timestamp;
                }
            }
            return newest;
        }
    }

    /**
     * Passes only records with event time on to the generator it wraps. Flink's idleness detection
     * counts every record as activity; without this, a partition of rejects would never go idle
     * while its watermark never moves, holding back every other partition.
     */
    static final class IgnoringNoEventTime<T> implements WatermarkGenerator<T> {
        private final WatermarkGenerator<T> generator;

        IgnoringNoEventTime(WatermarkGenerator<T> generator) {
            this.generator = generator;
        }

        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
            if (eventTimestamp != NO_EVENT_TIME) {
                generator.onEvent(event, eventTimestamp, output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            generator.onPeriodicEmit(output);
        }
    }
}
