package io.vigil.jobs.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.connectors.validation.SampleValidator;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Either;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watermark of one Kafka partition as the source computes it: each record (a batch, or a dead
 * letter of the decoder) goes through the timestamp assigner and the watermark generator of {@link
 * SampleWatermarks}, then the periodic emit runs, as in {@code SourceOperator}. A batch's event
 * time is that of its newest valid sample.
 */
class SampleWatermarksTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final long T0 = NOW.toEpochMilli();
    private static final long OUT_OF_ORDERNESS = Duration.ofSeconds(30).toMillis();
    private static final long A_YEAR_AHEAD = NOW.plus(Duration.ofDays(365)).toEpochMilli();
    private static final long FIVE_MINUTES_AHEAD = NOW.plus(Duration.ofMinutes(5)).toEpochMilli();

    /** The input activity clock idleness is measured with. */
    private final ManualClock activityClock = new ManualClock(T0 * 1_000_000);

    private final PartitionOutput output = new PartitionOutput();
    private TimestampAssigner<Either<DeadLetter, MetricBatch>> timestamps;
    private WatermarkGenerator<Either<DeadLetter, MetricBatch>> generator;

    @BeforeEach
    void setUp() {
        // The job's defaults: 30 s out of order, idle after a minute, 10 min ahead at most.
        WatermarkStrategy<Either<DeadLetter, MetricBatch>> strategy =
                SampleWatermarks.strategy(
                        new Configuration(),
                        SampleValidator.builder().build(),
                        Clock.fixed(NOW, ZoneOffset.UTC));
        timestamps = strategy.createTimestampAssigner(new Context(activityClock));
        generator = strategy.createWatermarkGenerator(new Context(activityClock));
    }

    /** A batch of one sample, as the legacy per-sample records read. */
    private static Either<DeadLetter, MetricBatch> cpu(long timestamp, double value) {
        return Either.Right(
                MetricBatches.of(
                        new MetricSample(
                                "node_cpu_usage_ratio",
                                Map.of("host", "web-1"),
                                value,
                                timestamp)));
    }

    /** A collection of web-1 whose samples were observed at their own times. */
    private static MetricBatches.Builder web1(long timestamp) {
        return MetricBatches.builder(Map.of("host", "web-1"), timestamp);
    }

    private static Either<DeadLetter, MetricBatch> undecodable() {
        return Either.Left(
                DeadLetters.ofSample(
                        new MetricSample("garbage", Map.of(), 0.0, 0L), "undecodable: test", T0));
    }

    /** One record through the source, then one periodic emit. */
    private long read(Either<DeadLetter, MetricBatch> record) {
        long timestamp = timestamps.extractTimestamp(record, T0);
        generator.onEvent(record, timestamp, output);
        generator.onPeriodicEmit(output);
        return timestamp;
    }

    @Test
    void validSamplesMoveTheWatermarkBehindTheNewest() {
        assertThat(read(cpu(T0 - 5_000, 1))).isEqualTo(T0 - 5_000);
        read(cpu(T0 - 8_000, 2));

        assertThat(output.last()).isEqualTo(T0 - 5_000 - OUT_OF_ORDERNESS - 1);
    }

    @Test
    void aBatchTakesTheTimeOfItsNewestValidSample() {
        MetricBatch batch =
                web1(T0 - 10_000)
                        .add("node_load1", Map.of(), 1, T0 - 10_000)
                        .add("node_load5", Map.of(), 1, T0 - 4_000)
                        .add("node_load15", Map.of(), 1, T0 - 7_000)
                        // Newer, but rejected downstream: a NaN, a far-future time, a bad name.
                        .add("node_load1", Map.of("cpu", "0"), Double.NaN, T0 - 1_000)
                        .add("node_load1", Map.of("cpu", "1"), 1, A_YEAR_AHEAD)
                        .add("node-load", Map.of(), 1, T0)
                        .build();

        assertThat(read(Either.Right(batch))).isEqualTo(T0 - 4_000);
        assertThat(output.last()).isEqualTo(T0 - 4_000 - OUT_OF_ORDERNESS - 1);
    }

    @Test
    void aBatchOfOnlyRejectedSamplesHasNoEventTime() {
        read(cpu(T0 - 5_000, 1));
        long before = output.last();
        MetricBatch batch =
                web1(T0).add("node_load1", Map.of(), Double.POSITIVE_INFINITY, T0)
                        .add("node_load5", Map.of(), 1, A_YEAR_AHEAD)
                        // A label the batch also shares: a conflict, not a series.
                        .add("node_load15", Map.of("host", "web-2"), 1, T0)
                        .build();

        assertThat(read(Either.Right(batch))).isEqualTo(Long.MIN_VALUE);
        assertThat(output.last()).isEqualTo(before);
    }

    @Test
    void aBatchWhoseSharedLabelsAreInvalidHasNoEventTime() {
        read(cpu(T0 - 5_000, 1));
        long before = output.last();
        MetricBatch batch =
                MetricBatches.builder(Map.of("host", "web-1", "__reserved", "x"), T0)
                        .add("node_load1", 1)
                        .build();

        assertThat(read(Either.Right(batch))).isEqualTo(Long.MIN_VALUE);
        assertThat(output.last()).isEqualTo(before);
    }

    @Test
    void anEmptyBatchHasNoEventTime() {
        assertThat(read(Either.Right(web1(T0).build()))).isEqualTo(Long.MIN_VALUE);
        assertThat(output.last()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void farFutureSampleDoesNotAdvanceTheWatermark() {
        read(cpu(T0 - 5_000, 1));
        long before = output.last();

        long assigned = read(cpu(A_YEAR_AHEAD, 2));

        assertThat(assigned).isEqualTo(Long.MIN_VALUE);
        assertThat(output.last()).isEqualTo(before);
        // And the partition's next samples are not late.
        read(cpu(T0, 3));
        assertThat(output.last()).isEqualTo(T0 - OUT_OF_ORDERNESS - 1);
    }

    @Test
    void sampleSlightlyAheadOfTheClockStillCounts() {
        assertThat(read(cpu(FIVE_MINUTES_AHEAD, 1))).isEqualTo(FIVE_MINUTES_AHEAD);

        assertThat(output.last()).isEqualTo(FIVE_MINUTES_AHEAD - OUT_OF_ORDERNESS - 1);
    }

    @Test
    void noRejectedSampleMovesTheWatermark() {
        read(cpu(T0 - 5_000, 1));
        long before = output.last();

        assertThat(read(cpu(T0, Double.NaN))).isEqualTo(Long.MIN_VALUE);
        assertThat(read(undecodable())).isEqualTo(Long.MIN_VALUE);

        assertThat(output.last()).isEqualTo(before);
    }

    @Test
    void aPartitionOfNothingButRejectsGoesIdle() {
        read(cpu(T0 - 5_000, 1));

        // Over two minutes, a broken agent keeps sending far-future samples and garbage.
        for (int second = 0; second < 120; second++) {
            activityClock.advanceTime(Duration.ofSeconds(1));
            read(second % 2 == 0 ? cpu(A_YEAR_AHEAD, 1) : undecodable());
        }

        assertThat(output.idle).isTrue();
        assertThat(output.last()).isEqualTo(T0 - 5_000 - OUT_OF_ORDERNESS - 1);

        read(cpu(T0, 1));
        assertThat(output.idle).isFalse();
    }

    @Test
    void aPartitionOfValidSamplesStaysActive() {
        for (int second = 0; second < 120; second++) {
            activityClock.advanceTime(Duration.ofSeconds(1));
            read(cpu(T0 + second, 1));
        }

        assertThat(output.idle).isFalse();
    }

    /** What the source hands the generators: no metrics, a controllable activity clock. */
    private record Context(RelativeClock activityClock)
            implements TimestampAssignerSupplier.Context, WatermarkGeneratorSupplier.Context {
        @Override
        public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
        }

        @Override
        public RelativeClock getInputActivityClock() {
            return activityClock;
        }
    }

    /** The watermarks and idleness of one partition. */
    private static final class PartitionOutput implements WatermarkOutput {
        private final List<Long> watermarks = new ArrayList<>();
        private boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }

        long last() {
            return watermarks.isEmpty() ? Long.MIN_VALUE : watermarks.get(watermarks.size() - 1);
        }
    }
}
