package io.vigil.jobs.rollup.functions;

import static io.vigil.jobs.rollup.functions.HostRollupHarnesses.batchOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.vigil.connectors.chunks.Chunk;
import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.connectors.testing.RecordedOperatorMetrics;
import io.vigil.jobs.rollup.records.RawChunk;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The raw chunks {@link HostRollupFunction} writes on its side output. */
class HostRollupFunctionRawChunksTest {
    private static final long T0 = 1_764_064_800_000L; // 2025-11-25T10:00:00Z, a 2-minute boundary
    private static final long TEN_SECONDS = 10_000;
    private static final long TWO_MINUTES = 120_000;
    private static final long ONE_MINUTE_LATER = T0 + 60_000;
    private static final long TWO_MINUTES_LATER = T0 + TWO_MINUTES;
    private static final long FOUR_MINUTES_LATER = T0 + 2 * TWO_MINUTES;
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");
    private static final Map<String, String> WEB_2 = Map.of("host", "web-2");
    private static final long SERIES_WEB_1 = SeriesIds.of("cpu", WEB_1);

    private RecordedOperatorMetrics metrics;
    private KeyedOneInputStreamOperatorTestHarness<Long, MetricBatch, Rollup> harness;

    @BeforeEach
    void setUp() throws Exception {
        metrics = new RecordedOperatorMetrics();
        harness = HostRollupHarnesses.open(function(), metrics);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
        metrics.close();
    }

    /**
     * One-minute windows, a counter memory longer than any test, no close spread (every host closes
     * as the watermark passes the end) and no series limit in reach.
     */
    private static HostRollupFunction function() {
        return new HostRollupFunction(
                Duration.ofMinutes(1), Duration.ofHours(1), Duration.ZERO, 10_000);
    }

    /** A sample of one series, sent alone: a batch of one. */
    private static MetricBatch cpu(Map<String, String> host, long timestamp, double value) {
        return MetricBatches.of(new MetricSample("cpu", host, value, timestamp));
    }

    private void process(MetricBatch batch) throws Exception {
        HostRollupHarnesses.process(harness, batch);
    }

    private List<RawChunk> written() {
        return chunksOf(harness);
    }

    /** Every chunk written so far, not drained: some tests compare the whole history. */
    private static List<RawChunk> chunksOf(
            KeyedOneInputStreamOperatorTestHarness<Long, MetricBatch, Rollup> harness) {
        var chunks = harness.getSideOutput(HostRollupFunction.RAW_CHUNKS);
        return chunks == null ? List.of() : chunks.stream().map(StreamRecord::getValue).toList();
    }

    private static List<Long> timestamps(RawChunk chunk) {
        List<Long> timestamps = new ArrayList<>();
        for (long ts : Chunk.decode(chunk.data).timestamps()) {
            timestamps.add(ts);
        }
        return timestamps;
    }

    private static List<Double> values(RawChunk chunk) {
        List<Double> values = new ArrayList<>();
        for (double value : Chunk.decode(chunk.data).values()) {
            values.add(value);
        }
        return values;
    }

    @Test
    void writesAnIntervalAsOneChunkWhenTheWatermarkPassesItsEnd() throws Exception {
        for (int i = 0; i < 12; i++) {
            process(cpu(WEB_1, T0 + i * TEN_SECONDS, 0.5 + i));
        }

        harness.processWatermark(TWO_MINUTES_LATER - 2);
        assertThat(written()).isEmpty();

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        RawChunk chunk = written().get(0);
        assertThat(written()).hasSize(1);
        assertThat(chunk.seriesId).isEqualTo(SERIES_WEB_1);
        assertThat(chunk.metric).isEqualTo("cpu");
        assertThat(chunk.labels).isEqualTo(WEB_1);
        assertThat(chunk.chunkStart).isEqualTo(T0);
        assertThat(chunk.chunkEnd).isEqualTo(T0 + 11 * TEN_SECONDS);
        assertThat(chunk.count).isEqualTo(12);
        assertThat(chunk.min).isEqualTo(0.5);
        assertThat(chunk.max).isEqualTo(11.5);
        assertThat(Chunk.decode(chunk.data).size()).isEqualTo(12);
        assertThat(values(chunk).get(3)).isEqualTo(3.5);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void writesTheChunksOfEverySeriesOfAHostBatch() throws Exception {
        // A host's collections every 10 s: its load and the idle seconds of its CPU, one batch
        // each, the CPU's own label kept apart from the host's.
        List<MetricBatch> batches = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            batches.add(
                    MetricBatches.builder(WEB_1, T0 + i * TEN_SECONDS)
                            .add("node_load1", i / 10.0)
                            .add("node_cpu_seconds_total", Map.of("cpu", "0"), 100.0 + i)
                            .build());
        }
        for (MetricBatch batch : batches) {
            process(batch);
        }

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        long[] ids = MetricBatches.seriesIds(batches.get(0));
        assertThat(written())
                .extracting(c -> c.seriesId, c -> c.metric, c -> c.labels, c -> c.count)
                .containsExactlyInAnyOrder(
                        tuple(ids[0], "node_load1", WEB_1, 12),
                        tuple(
                                ids[1],
                                "node_cpu_seconds_total",
                                Map.of("host", "web-1", "cpu", "0"),
                                12));
        RawChunk idle =
                written().stream().filter(c -> c.seriesId == ids[1]).findFirst().orElseThrow();
        assertThat(values(idle)).startsWith(100.0, 101.0).endsWith(111.0);
        // Only the counter's baseline is left, until the counter memory has passed: the host's
        // map of series and their count, and a timer for each window that moved the baseline.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
    }

    @Test
    void cutsChunksAtTwoMinuteBoundariesOfEventTime() throws Exception {
        process(cpu(WEB_1, T0 + 100_000, 1));
        process(cpu(WEB_1, TWO_MINUTES_LATER - 1, 2)); // the last millisecond of the first chunk
        process(cpu(WEB_1, TWO_MINUTES_LATER, 3)); // the first of the next
        process(cpu(WEB_1, TWO_MINUTES_LATER + TEN_SECONDS, 4));

        harness.processWatermark(TWO_MINUTES_LATER - 1);
        assertThat(written())
                .extracting(c -> c.chunkStart, c -> c.chunkEnd, c -> c.count)
                .containsExactly(tuple(T0, TWO_MINUTES_LATER - 1, 2));
        // The next interval's: its first window's end, and its own end (its second window's).
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.processWatermark(FOUR_MINUTES_LATER - 1);
        RawChunk second = written().get(1);
        assertThat(second.chunkStart).isEqualTo(TWO_MINUTES_LATER);
        assertThat(timestamps(second))
                .containsExactly(TWO_MINUTES_LATER, TWO_MINUTES_LATER + TEN_SECONDS);
        assertThat(values(second)).containsExactly(3.0, 4.0);
    }

    @Test
    void sortsOutOfOrderSamplesWithinTheInterval() throws Exception {
        process(cpu(WEB_1, T0 + 30_000, 3));
        process(cpu(WEB_1, T0 + 10_000, 1));
        process(cpu(WEB_1, T0 + 50_000, 5));
        process(cpu(WEB_1, T0 + 20_000, 2));

        harness.processWatermark(TWO_MINUTES_LATER);

        RawChunk chunk = written().get(0);
        assertThat(timestamps(chunk))
                .containsExactly(T0 + 10_000, T0 + 20_000, T0 + 30_000, T0 + 50_000);
        assertThat(values(chunk)).containsExactly(1.0, 2.0, 3.0, 5.0);
        assertThat(chunk.chunkStart).as("the interval's start, not the first sample").isEqualTo(T0);
        assertThat(chunk.chunkEnd).isEqualTo(T0 + 50_000);
    }

    @Test
    void storesADuplicateTimestampOnceWithTheValueThatArrivedLast() throws Exception {
        process(cpu(WEB_1, T0 + 10_000, 1));
        process(cpu(WEB_1, T0 + 20_000, 2));
        process(cpu(WEB_1, T0 + 10_000, 1)); // a collector's retry
        process(cpu(WEB_1, T0 + 20_000, 7)); // a corrected resend

        harness.processWatermark(TWO_MINUTES_LATER);

        RawChunk chunk = written().get(0);
        assertThat(chunk.count).isEqualTo(2);
        assertThat(timestamps(chunk)).containsExactly(T0 + 10_000, T0 + 20_000);
        assertThat(values(chunk)).containsExactly(1.0, 7.0);
        assertThat(chunk.max).isEqualTo(7.0);
    }

    @Test
    void splitsAnIntervalOfMoreThan120SamplesIntoDeterministicChunks() throws Exception {
        // 250 samples every 400 ms, the first 100 ms after the interval starts, in random order.
        List<MetricBatch> samples = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            samples.add(cpu(WEB_1, T0 + 100 + i * 400L, i));
        }
        List<MetricBatch> shuffled = new ArrayList<>(samples);
        Collections.shuffle(shuffled, new Random(7));
        for (MetricBatch sample : shuffled) {
            process(sample);
        }

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        assertThat(written())
                .extracting(c -> c.chunkStart, c -> c.chunkEnd, c -> c.count)
                .containsExactly(
                        // The first chunk starts at the interval's start; every further one at
                        // its own first sample, so all row keys are distinct and reproducible.
                        tuple(T0, T0 + 100 + 119 * 400L, 120),
                        tuple(T0 + 100 + 120 * 400L, T0 + 100 + 239 * 400L, 120),
                        tuple(T0 + 100 + 240 * 400L, T0 + 100 + 249 * 400L, 10));
        assertThat(values(written().get(1)).get(0)).isEqualTo(120.0);

        // The same samples in time order: byte for byte the same rows.
        try (var inOrder = HostRollupHarnesses.create(function())) {
            inOrder.open();
            for (MetricBatch sample : samples) {
                HostRollupHarnesses.process(inOrder, sample);
            }
            inOrder.processWatermark(TWO_MINUTES_LATER - 1);
            assertThat(chunksOf(inOrder)).isEqualTo(written());
        }
        // And as one batch, as a collector that buffered them would send them.
        try (var oneBatch = HostRollupHarnesses.create(function())) {
            oneBatch.open();
            MetricBatches.Builder batch = MetricBatches.builder(WEB_1, T0);
            for (MetricBatch sample : shuffled) {
                batch.add(
                        "cpu",
                        Map.of(),
                        sample.getSamples().get(0).getValue(),
                        sample.getTimestamp());
            }
            HostRollupHarnesses.process(oneBatch, batch.build());
            oneBatch.processWatermark(TWO_MINUTES_LATER - 1);
            assertThat(chunksOf(oneBatch)).isEqualTo(written());
        }
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void keeps120SamplesInOneChunk() throws Exception {
        for (int i = 0; i < 120; i++) {
            process(cpu(WEB_1, T0 + i * 1_000L, i));
        }

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        assertThat(written()).singleElement().extracting(c -> c.count).isEqualTo(120);
    }

    @Test
    void aSampleLateForItsWindowIsLeftOutOfTheChunkToo() throws Exception {
        process(cpu(WEB_1, T0 + 1_000, 4));
        harness.processWatermark(ONE_MINUTE_LATER - 1);

        // Its window was written, its chunk interval not yet: it would make the chunk disagree
        // with the rollup, so it leaves once, as a late sample of its window.
        MetricSample late = new MetricSample("cpu", WEB_1, 99.0, T0 + 2_000);
        process(MetricBatches.of(late));
        harness.processWatermark(TWO_MINUTES_LATER - 1);

        assertThat(written()).singleElement().extracting(c -> c.count).isEqualTo(1);
        List<DeadLetter> deadLetters = HarnessOutputs.drain(harness, DeadLetters.TAG);
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).getReason())
                .startsWith("late: ")
                .contains("window [2025-11-25T10:00:00Z, 2025-11-25T10:01:00Z)")
                .contains("already written");
        assertThat(MetricBatches.sample(batchOf(deadLetters.get(0)), 0)).isEqualTo(late);
        assertThat(metrics.count("lateSamples")).isOne();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void keepsSpecialValuesAndLeavesNaNsOutOfMinAndMax() throws Exception {
        double[] special = {
            -0.0, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.NaN, Double.MAX_VALUE
        };
        for (int i = 0; i < special.length; i++) {
            process(cpu(WEB_1, T0 + i * TEN_SECONDS, special[i]));
        }
        process(cpu(WEB_2, T0, Double.NaN));

        harness.processWatermark(TWO_MINUTES_LATER);

        RawChunk web1 =
                written().stream().filter(c -> c.seriesId == SERIES_WEB_1).findFirst().get();
        double[] decoded = Chunk.decode(web1.data).values();
        for (int i = 0; i < special.length; i++) {
            assertThat(Double.doubleToRawLongBits(decoded[i]))
                    .isEqualTo(Double.doubleToRawLongBits(special[i]));
        }
        assertThat(web1.min).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(web1.max).isEqualTo(Double.MAX_VALUE);
        RawChunk web2 =
                written().stream().filter(c -> c.seriesId != SERIES_WEB_1).findFirst().get();
        assertThat(web2.min).isNaN();
        assertThat(web2.max).isNaN();
    }

    @Test
    void cleansUpStateAndTimersOnceEveryChunkWasWritten() throws Exception {
        // Two hosts, three intervals each, the intervals' samples interleaved.
        for (int i = 0; i < 36; i++) {
            long ts = T0 + (i % 3) * TWO_MINUTES + (i / 3) * TEN_SECONDS;
            process(cpu(i % 2 == 0 ? WEB_1 : WEB_2, ts, i));
        }
        // Per host and interval: a timer for each of its two windows, the second also its end.
        assertThat(harness.numEventTimeTimers()).isEqualTo(12);
        // Per host: the map of its series and their count.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(4);

        harness.processWatermark(TWO_MINUTES_LATER - 1);
        assertThat(written()).hasSize(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(8);

        harness.processWatermark(T0 + 3 * TWO_MINUTES - 1);

        assertThat(written()).hasSize(6);
        assertThat(written()).extracting(c -> c.count).containsOnly(6);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }
}
