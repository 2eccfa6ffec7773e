package io.vigil.jobs.rollup.functions;

import static io.vigil.jobs.rollup.functions.HostRollupHarnesses.batchOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.connectors.testing.RecordedOperatorMetrics;
import io.vigil.jobs.rollup.records.RawChunk;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import io.vigil.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rollups of {@link HostRollupFunction}: windows, counters, late samples, the close offset of
 * each origin, the per-origin series limit, state cleanup and restore. Its raw chunks are tested in
 * {@link HostRollupFunctionRawChunksTest}.
 */
class HostRollupFunctionTest {
    private static final long T0 = 1_764_064_800_000L; // 2025-11-25T10:00:00Z, a 2-minute boundary
    private static final long ONE_MINUTE = 60_000;
    private static final long ONE_MINUTE_LATER = T0 + ONE_MINUTE;
    private static final long TWO_MINUTES_LATER = T0 + 2 * ONE_MINUTE;
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration COUNTER_MEMORY = Duration.ofMinutes(5);
    private static final long COUNTER_MEMORY_MILLIS = COUNTER_MEMORY.toMillis();

    /** Every origin closes its windows as the watermark passes their end: timings as per series. */
    private static final Duration NO_SPREAD = Duration.ZERO;

    private static final Duration CLOSE_SPREAD = Duration.ofSeconds(30);

    /** A limit no test about windows comes near. */
    private static final int NO_LIMIT = 10_000;

    private static final String[] FIGURES = {
        "seriesId", "metric", "labels", "windowStart", "count", "sum", "min", "max", "last"
    };
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");
    private static final Map<String, String> WEB_2 = Map.of("host", "web-2");
    private static final Map<String, String> WEB_3 = Map.of("host", "web-3");
    private static final Map<String, String> WEB_1_DC1 = Map.of("host", "web-1", "dc", "dc1");

    private RecordedOperatorMetrics metrics;
    private KeyedOneInputStreamOperatorTestHarness<Long, MetricBatch, Rollup> harness;

    @BeforeEach
    void setUp() throws Exception {
        open(new HostRollupFunction(WINDOW, COUNTER_MEMORY, NO_SPREAD, NO_LIMIT));
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
        metrics.close();
    }

    /** Replaces the harness of {@link #setUp} with one of another configuration. */
    private void reopen(HostRollupFunction function) throws Exception {
        tearDown();
        open(function);
    }

    private void open(HostRollupFunction function) throws Exception {
        metrics = new RecordedOperatorMetrics();
        harness = HostRollupHarnesses.open(function, metrics);
    }

    /** A sample of one series, sent alone: a batch of one. */
    private static MetricBatch cpu(Map<String, String> host, long timestamp, double value) {
        return MetricBatches.of(new MetricSample("cpu", host, value, timestamp));
    }

    /**
     * One collection of web-1 in dc1: its load (a gauge) and the idle seconds of its two CPUs
     * (counters), three series sharing the host's labels.
     */
    private static MetricBatch collection(long at, double load, double idle0, double idle1) {
        return MetricBatches.builder(WEB_1_DC1, at)
                .add("node_load1", load)
                .add("node_cpu_seconds_total", Map.of("cpu", "0", "mode", "idle"), idle0)
                .add("node_cpu_seconds_total", Map.of("cpu", "1", "mode", "idle"), idle1)
                .build();
    }

    private void process(MetricBatch batch) throws Exception {
        HostRollupHarnesses.process(harness, batch);
    }

    private List<DeadLetter> deadLetters() {
        return HarnessOutputs.drain(harness, DeadLetters.TAG);
    }

    @Test
    void aggregatesOneWindowPerSeriesWhenTheWatermarkPassesItsEnd() throws Exception {
        process(cpu(WEB_1, T0 + 1_000, 4));
        process(cpu(WEB_1, T0 + 30_000, 10));
        process(cpu(WEB_1, T0 + 20_000, -2)); // out of order: not the last value
        process(cpu(WEB_2, T0 + 5_000, 7));

        harness.processWatermark(ONE_MINUTE_LATER - 2);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(ONE_MINUTE_LATER - 1);

        long web1 = SeriesIds.of("cpu", WEB_1);
        long web2 = SeriesIds.of("cpu", WEB_2);
        assertThat(harness.extractOutputValues())
                .usingRecursiveFieldByFieldElementComparatorOnFields(FIGURES)
                .containsExactlyInAnyOrder(
                        new Rollup(web1, "cpu", WEB_1, T0, 3, 12, -2, 10, 10),
                        new Rollup(web2, "cpu", WEB_2, T0, 1, 7, 7, 7, 7));
    }

    @Test
    void keepsSeveralWindowsOpenWhileTheWatermarkLags() throws Exception {
        process(cpu(WEB_1, T0 + 59_000, 1));
        process(cpu(WEB_1, ONE_MINUTE_LATER + 1_000, 2));
        process(cpu(WEB_1, T0 + 59_500, 3)); // still on time: the watermark has not moved

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        long web1 = SeriesIds.of("cpu", WEB_1);
        assertThat(harness.extractOutputValues())
                .usingRecursiveFieldByFieldElementComparatorOnFields(FIGURES)
                .containsExactly(
                        new Rollup(web1, "cpu", WEB_1, T0, 2, 4, 1, 3, 3),
                        new Rollup(web1, "cpu", WEB_1, ONE_MINUTE_LATER, 1, 2, 2, 2, 2));
    }

    @Test
    void sendsLateSamplesToTheDeadLettersWithAReason() throws Exception {
        process(cpu(WEB_1, T0 + 1_000, 4));
        harness.processWatermark(ONE_MINUTE_LATER);

        MetricSample late = new MetricSample("cpu", WEB_1, 99.0, T0 + 2_000);
        process(MetricBatches.of(late));

        assertThat(harness.extractOutputValues()).hasSize(1);
        List<DeadLetter> deadLetters = deadLetters();
        assertThat(deadLetters).hasSize(1);
        DeadLetter deadLetter = deadLetters.get(0);
        assertThat(deadLetter.getReason())
                .startsWith("late: ")
                .contains("window [2025-11-25T10:00:00Z, 2025-11-25T10:01:00Z)")
                .contains("already written");
        assertThat(deadLetter.getSourceTopic()).isEqualTo(Topics.METRIC_SAMPLES.name());
        MetricBatch kept = batchOf(deadLetter);
        assertThat(kept.getSamples()).hasSize(1);
        assertThat(MetricBatches.sample(kept, 0)).isEqualTo(late);
        assertThat(metrics.count("lateSamples")).isOne();
        // The late sample opened no window: the one timer left closes the raw chunk interval
        // that still holds the first sample, and then nothing is left.
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        harness.processWatermark(TWO_MINUTES_LATER - 1);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void cleansUpStateAndTimersOnceEveryWindowFired() throws Exception {
        for (int i = 0; i < 120; i++) {
            process(cpu(i % 2 == 0 ? WEB_1 : WEB_2, T0 + i * 1_000L, i));
        }
        // Per host, a timer for each of its two windows (the second also ends the chunk).
        assertThat(harness.numEventTimeTimers()).isEqualTo(4);
        // Per host: the map of its series and their count.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(4);

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        assertThat(harness.extractOutputValues()).hasSize(4);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void rollsUpValuesBeyondTheSketchRangeWithoutFailing() throws Exception {
        process(cpu(WEB_1, T0 + 1_000, 1.0));
        process(cpu(WEB_1, T0 + 2_000, Double.MAX_VALUE));

        harness.processWatermark(ONE_MINUTE_LATER - 1);

        Rollup rollup = harness.extractOutputValues().get(0);
        assertThat(rollup.max).isEqualTo(Double.MAX_VALUE);
        // Counted at the sketch's largest magnitude (about 3e290): still the top rank, but the
        // quantile is capped there, while max keeps the exact value.
        // (The low quantiles are not asserted: with values 290 orders of magnitude apart, the
        // sketch's 2048 bins collapse the lowest ones, by design.)
        assertThat(rollup.p99).isGreaterThan(1e290).isLessThan(Double.MAX_VALUE);
        assertThat(rollup.count).isEqualTo(2);
    }

    @Test
    void countsADuplicateSampleOnce() throws Exception {
        process(cpu(WEB_1, T0 + 1_000, 2));
        // A collector's retry: the same series and timestamp again.
        process(cpu(WEB_1, T0 + 1_000, 2));
        process(cpu(WEB_1, T0 + 2_000, 4));

        harness.processWatermark(ONE_MINUTE_LATER - 1);

        Rollup rollup = harness.extractOutputValues().get(0);
        assertThat(rollup.count).isEqualTo(2);
        assertThat(rollup.sum).isEqualTo(6.0);
    }

    @Test
    void countsAResentBatchOnce() throws Exception {
        MetricBatch first = collection(T0 + 10_000, 0.5, 100, 200);
        process(first);
        // The collector did not hear the acknowledgement and sends the whole batch again.
        process(first);
        process(collection(T0 + 40_000, 1.5, 130, 260));

        harness.processWatermark(ONE_MINUTE_LATER - 1);

        assertThat(harness.extractOutputValues())
                .hasSize(3)
                .allSatisfy(rollup -> assertThat(rollup.count).isEqualTo(2))
                .filteredOn(Rollup::isCounter)
                .extracting(r -> r.increase)
                .containsExactlyInAnyOrder(30.0, 60.0);
    }

    @Test
    void laterArrivalWinsLastAmongEqualTimestamps() throws Exception {
        process(cpu(WEB_1, T0 + 1_000, 1));
        process(cpu(WEB_1, T0 + 1_000, 2));
        harness.processWatermark(ONE_MINUTE_LATER);

        assertThat(harness.extractOutputValues())
                .singleElement()
                .extracting(r -> r.last)
                .isEqualTo(2.0);
    }

    @Test
    void givesQuantilesWithinOnePercent() throws Exception {
        // 1..1000: the exact p50, p90 and p99 (lower rank) are 500, 900 and 990.
        for (int v = 1; v <= 1_000; v++) {
            process(cpu(WEB_1, T0 + v * 50L, v));
        }
        harness.processWatermark(ONE_MINUTE_LATER);

        Rollup rollup = harness.extractOutputValues().get(0);
        assertThat(rollup.p50).isCloseTo(500, Percentage.withPercentage(1));
        assertThat(rollup.p90).isCloseTo(900, Percentage.withPercentage(1));
        assertThat(rollup.p99).isCloseTo(990, Percentage.withPercentage(1));
        assertThat(rollup.rate).as("a gauge has no rate").isNaN();
    }

    @Test
    void givesCountersARateAcrossResetsAndWindows() throws Exception {
        Map<String, String> eth0 = Map.of("host", "web-1", "device", "eth0");
        // Minute 1: 100 -> 160 (+60). Minute 2: 190 (+30), reset to 5 (+5), 25 (+20), out of order.
        process(rxBytes(eth0, T0 + 10_000, 100.0));
        process(rxBytes(eth0, T0 + 50_000, 160.0));
        process(rxBytes(eth0, ONE_MINUTE_LATER + 40_000, 25.0));
        process(rxBytes(eth0, ONE_MINUTE_LATER + 10_000, 190.0));
        process(rxBytes(eth0, ONE_MINUTE_LATER + 20_000, 5.0));

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        assertThat(harness.extractOutputValues())
                .extracting(r -> r.increase, r -> r.rate)
                .containsExactly(tuple(60.0, 1.0), tuple(55.0, 55.0 / 60));
    }

    private static MetricBatch rxBytes(Map<String, String> labels, long timestamp, double value) {
        return MetricBatches.of(new MetricSample("rx_bytes_total", labels, value, timestamp));
    }

    @Test
    void forgetsASilentCounterAfterTheCounterMemory() throws Exception {
        process(MetricBatches.of(new MetricSample("requests_total", WEB_1, 7.0, T0 + 1_000)));
        harness.processWatermark(ONE_MINUTE_LATER - 1);
        // The baseline for the next minute stays while the counter may still report, and the
        // sample waits for its raw chunk interval: the host's map of series and their count.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        // The chunk interval's end and the end of the counter memory.
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.processWatermark(ONE_MINUTE_LATER - 1 + COUNTER_MEMORY_MILLIS);

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void rollsUpEverySeriesOfAHostBatchOnOneTimerPerWindow() throws Exception {
        MetricBatch first = collection(T0 + 10_000, 0.5, 100, 200);
        process(first);
        process(collection(T0 + 40_000, 1.5, 130, 260));
        process(collection(ONE_MINUTE_LATER + 10_000, 1.0, 160, 290));

        // Three series in two windows: one timer per window for the host, however many series
        // it has. The second window's end is also the chunk interval's: one timer for both.
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.processWatermark(ONE_MINUTE_LATER - 1);

        long[] ids = MetricBatches.seriesIds(first);
        Map<String, String> cpu0 = Map.of("host", "web-1", "dc", "dc1", "cpu", "0", "mode", "idle");
        Map<String, String> cpu1 = Map.of("host", "web-1", "dc", "dc1", "cpu", "1", "mode", "idle");
        String idle = "node_cpu_seconds_total";
        List<Rollup> firstWindow = HarnessOutputs.drain(harness);
        assertThat(firstWindow)
                .usingRecursiveFieldByFieldElementComparatorOnFields(FIGURES)
                .containsExactlyInAnyOrder(
                        new Rollup(ids[0], "node_load1", WEB_1_DC1, T0, 2, 2.0, 0.5, 1.5, 1.5),
                        new Rollup(ids[1], idle, cpu0, T0, 2, 230, 100, 130, 130),
                        new Rollup(ids[2], idle, cpu1, T0, 2, 460, 200, 260, 260));
        assertThat(firstWindow)
                .filteredOn(Rollup::isCounter)
                .extracting(r -> r.seriesId, r -> r.increase, r -> r.rate)
                .containsExactlyInAnyOrder(tuple(ids[1], 30.0, 0.5), tuple(ids[2], 60.0, 1.0));
        assertThat(ids).doesNotHaveDuplicates();

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        // The counters' increase bridges from the first window's last values.
        assertThat(HarnessOutputs.drain(harness))
                .extracting(r -> r.seriesId, r -> r.windowStart, r -> r.count, r -> r.increase)
                .containsExactlyInAnyOrder(
                        tuple(ids[0], ONE_MINUTE_LATER, 1L, Double.NaN),
                        tuple(ids[1], ONE_MINUTE_LATER, 1L, 30.0),
                        tuple(ids[2], ONE_MINUTE_LATER, 1L, 30.0));
        assertThat(HarnessOutputs.drain(harness, HostRollupFunction.RAW_CHUNKS))
                .extracting(c -> c.seriesId, c -> c.count)
                .containsExactlyInAnyOrder(tuple(ids[0], 3), tuple(ids[1], 3), tuple(ids[2], 3));
    }

    @Test
    void eachHostClosesItsWindowsAtItsOwnOffset() throws Exception {
        HostRollupFunction function =
                new HostRollupFunction(WINDOW, COUNTER_MEMORY, CLOSE_SPREAD, NO_LIMIT);
        reopen(function);
        long web1Offset = function.closeOffset(MetricBatches.originId(cpu(WEB_1, T0, 0)));
        long web2Offset = function.closeOffset(MetricBatches.originId(cpu(WEB_2, T0, 0)));
        assertThat(List.of(web1Offset, web2Offset))
                .allSatisfy(o -> assertThat(o).isBetween(0L, CLOSE_SPREAD.toMillis() - 1));
        assertThat(web1Offset).isNotEqualTo(web2Offset);
        boolean web1First = web1Offset < web2Offset;
        Map<String, String> firstHost = web1First ? WEB_1 : WEB_2;
        Map<String, String> secondHost = web1First ? WEB_2 : WEB_1;
        long firstCloses = ONE_MINUTE_LATER - 1 + Math.min(web1Offset, web2Offset);
        long secondCloses = ONE_MINUTE_LATER - 1 + Math.max(web1Offset, web2Offset);

        process(cpu(WEB_1, T0 + 1_000, 1));
        process(cpu(WEB_2, T0 + 1_000, 2));

        harness.processWatermark(firstCloses - 1);
        assertThat(HarnessOutputs.drain(harness)).isEmpty();

        harness.processWatermark(firstCloses);
        assertThat(HarnessOutputs.drain(harness))
                .singleElement()
                .extracting(r -> r.labels)
                .isEqualTo(firstHost);

        harness.processWatermark(secondCloses - 1);
        assertThat(HarnessOutputs.drain(harness)).isEmpty();

        harness.processWatermark(secondCloses);
        assertThat(HarnessOutputs.drain(harness))
                .singleElement()
                .extracting(r -> r.labels)
                .isEqualTo(secondHost);

        // The chunks follow the same offsets; then nothing is left.
        harness.processWatermark(TWO_MINUTES_LATER - 1 + Math.max(web1Offset, web2Offset));
        assertThat(HarnessOutputs.drain(harness, HostRollupFunction.RAW_CHUNKS)).hasSize(2);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aSampleAfterTheWindowEndButBeforeItsHostClosesItIsCounted() throws Exception {
        HostRollupFunction function =
                new HostRollupFunction(WINDOW, COUNTER_MEMORY, CLOSE_SPREAD, NO_LIMIT);
        reopen(function);
        long offset = function.closeOffset(MetricBatches.originId(cpu(WEB_1, T0, 0)));
        // web-1 must close later than the window's end for this test to mean anything.
        assertThat(offset).isPositive();
        long closes = ONE_MINUTE_LATER - 1 + offset;

        process(cpu(WEB_1, T0 + 1_000, 4));
        // Past the window's end, which would have closed it without the spread.
        harness.processWatermark(closes - 1);
        process(cpu(WEB_1, T0 + 2_000, 6));

        assertThat(deadLetters()).isEmpty();
        assertThat(HarnessOutputs.drain(harness)).isEmpty();

        harness.processWatermark(closes);
        assertThat(HarnessOutputs.drain(harness))
                .singleElement()
                .satisfies(
                        rollup -> {
                            assertThat(rollup.count).isEqualTo(2);
                            assertThat(rollup.sum).isEqualTo(10.0);
                        });

        // Once the host has closed the window, a sample of it is late.
        process(cpu(WEB_1, T0 + 3_000, 8));
        assertThat(deadLetters())
                .singleElement()
                .extracting(DeadLetter::getReason)
                .asString()
                .startsWith("late: ");
        assertThat(metrics.count("lateSamples")).isOne();
    }

    @Test
    void admitsAtMostTheLimitOfSeriesPerHostAndDeadLettersTheRest() throws Exception {
        reopen(new HostRollupFunction(WINDOW, COUNTER_MEMORY, NO_SPREAD, 3));
        MetricBatch web1 = idleSeconds(WEB_1, T0 + 1_000, 5);
        process(web1);
        // Another host has a limit of its own.
        process(idleSeconds(WEB_2, T0 + 1_000, 3));
        // Admitted series stay admitted; the others stay out while the host is at its limit.
        process(idleSeconds(WEB_1, T0 + 11_000, 5));

        List<DeadLetter> rejected = deadLetters();
        assertThat(rejected).hasSize(4);
        for (int i = 0; i < rejected.size(); i++) {
            DeadLetter deadLetter = rejected.get(i);
            assertThat(deadLetter.getReason())
                    .startsWith(
                            "cardinality-limit: host web-1 has 3 series in the rollup's state, at"
                                    + " most 3 are allowed")
                    .contains("node_cpu_seconds_total");
            MetricBatch kept = batchOf(deadLetter);
            // The sample as it came, its labels still split into shared and own.
            assertThat(kept.getLabels()).isEqualTo(WEB_1);
            assertThat(kept.getSamples()).singleElement();
            assertThat(kept.getSamples().get(0).getLabels())
                    .containsEntry("cpu", String.valueOf(3 + i % 2));
        }
        assertThat(MetricBatches.sample(batchOf(rejected.get(0)), 0))
                .isEqualTo(MetricBatches.sample(web1, 3));
        assertThat(metrics.count("rejectedSamples.cardinality-limit")).isEqualTo(4);

        harness.processWatermark(ONE_MINUTE_LATER - 1);

        long[] admitted = MetricBatches.seriesIds(web1);
        List<Rollup> rollups = HarnessOutputs.drain(harness);
        assertThat(rollups)
                .filteredOn(r -> r.labels.get("host").equals("web-1"))
                .extracting(r -> r.seriesId, r -> r.count)
                .containsExactlyInAnyOrder(
                        tuple(admitted[0], 2L), tuple(admitted[1], 2L), tuple(admitted[2], 2L));
        assertThat(rollups).filteredOn(r -> r.labels.get("host").equals("web-2")).hasSize(3);
    }

    /** The idle seconds of a host's first {@code cpus} CPUs, in one batch: a counter each. */
    private static MetricBatch idleSeconds(Map<String, String> host, long at, int cpus) {
        MetricBatches.Builder batch = MetricBatches.builder(host, at);
        for (int cpu = 0; cpu < cpus; cpu++) {
            batch.add(
                    "node_cpu_seconds_total",
                    Map.of("cpu", String.valueOf(cpu)),
                    100.0 * cpu + (at - T0) / 1_000.0);
        }
        return batch.build();
    }

    @Test
    void aSeriesGivesItsPlaceBackOnceWrittenAndItsCounterBaselineExpired() throws Exception {
        reopen(new HostRollupFunction(WINDOW, COUNTER_MEMORY, NO_SPREAD, 3));
        // Two gauges and a counter fill web-1's three places.
        process(
                MetricBatches.builder(WEB_1, T0 + 1_000)
                        .add("cpu", Map.of("cpu", "0"), 0.5)
                        .add("cpu", Map.of("cpu", "1"), 0.5)
                        .add("requests_total", 10)
                        .build());
        harness.processWatermark(ONE_MINUTE_LATER - 1);

        // The window is written, but the samples wait for their raw chunk: still in state.
        process(cpus(ONE_MINUTE_LATER + 1_000, 2));
        assertThat(deadLetters()).hasSize(1);

        // The chunks are written: the gauges leave, the counter keeps its baseline.
        harness.processWatermark(TWO_MINUTES_LATER - 1);
        process(cpus(TWO_MINUTES_LATER + 1_000, 2, 3, 4));
        assertThat(deadLetters())
                .singleElement()
                .extracting(HostRollupFunctionTest::cpuOf)
                .isEqualTo("4");

        // CPUs 2 and 3 keep reporting, each batch naming them before CPU 4, so they take the
        // two places the counter leaves, even when their chunks were written and they left.
        // The counter is silent since its first minute: its baseline expires at the end of
        // that minute plus the counter memory.
        long baselineExpires = ONE_MINUTE_LATER - 1 + COUNTER_MEMORY_MILLIS;
        // Minutes 3 to 5: the last batch before the baseline expires.
        for (long minute = T0 + 3 * ONE_MINUTE;
                minute + ONE_MINUTE - 1 <= baselineExpires;
                minute += ONE_MINUTE) {
            harness.processWatermark(minute - 1);
            process(cpus(minute + 1_000, 2, 3, 4));
        }
        assertThat(deadLetters())
                .extracting(HostRollupFunctionTest::cpuOf)
                .containsExactly("4", "4", "4");
        // CPUs 2 and 3 report in the next chunk interval before the baseline expires, so that
        // only the counter leaves.
        process(cpus(baselineExpires + 1 + 1_000, 2, 3));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);

        harness.processWatermark(baselineExpires);
        process(cpus(baselineExpires + 1 + 2_000, 4));

        assertThat(deadLetters()).isEmpty();
        assertThat(metrics.count("rejectedSamples.cardinality-limit")).isEqualTo(5);
        harness.processWatermark(baselineExpires + 2 * ONE_MINUTE);
        assertThat(HarnessOutputs.drain(harness, HostRollupFunction.RAW_CHUNKS))
                .filteredOn(c -> "4".equals(c.labels.get("cpu")))
                .singleElement()
                .extracting(c -> c.count)
                .isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    /** The CPU of the sample a dead letter keeps. */
    private static String cpuOf(DeadLetter deadLetter) {
        return batchOf(deadLetter).getSamples().get(0).getLabels().get("cpu");
    }

    /** web-1's {@code cpu} gauge of each CPU given, in one batch. */
    private static MetricBatch cpus(long at, int... cpus) {
        MetricBatches.Builder batch = MetricBatches.builder(WEB_1, at);
        for (int cpu : cpus) {
            batch.add("cpu", Map.of("cpu", String.valueOf(cpu)), 0.25 * cpu);
        }
        return batch.build();
    }

    @Test
    void leavesNoStateOnceEveryWindowChunkAndCounterBaselineIsWritten() throws Exception {
        process(collection(T0 + 10_000, 0.5, 100, 200));
        process(collection(ONE_MINUTE_LATER + 10_000, 1.0, 160, 290));
        process(cpu(WEB_2, T0 + 10_000, 1));

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        assertThat(HarnessOutputs.drain(harness)).hasSize(7);
        assertThat(HarnessOutputs.drain(harness, HostRollupFunction.RAW_CHUNKS)).hasSize(4);
        // Every window and chunk is written. web-2's gauge has left; web-1 stays in state for
        // its counters' baselines (its map of series and their count), until the counter
        // memory after each window that gave one.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        // The first window's baselines were replaced by the second's: nothing expires yet.
        harness.processWatermark(ONE_MINUTE_LATER - 1 + COUNTER_MEMORY_MILLIS);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);

        harness.processWatermark(TWO_MINUTES_LATER - 1 + COUNTER_MEMORY_MILLIS);
        assertThat(HarnessOutputs.drain(harness)).isEmpty();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aLateSampleOfAHostWithoutStateLeavesNoState() throws Exception {
        harness.processWatermark(TWO_MINUTES_LATER);

        // web-2 was never seen, and its sample only goes to the dead letters: nothing of it
        // may stay in state, as no timer of web-2 will ever fire to clear it.
        process(cpu(WEB_2, T0 + 10_000, 1));

        assertThat(deadLetters()).singleElement();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void givesTheSameRollupsAfterARestoreInTheMiddleOfAWindow() throws Exception {
        HostRollupFunction function =
                new HostRollupFunction(WINDOW, COUNTER_MEMORY, CLOSE_SPREAD, NO_LIMIT);
        // Web-1 and web-3 report a gauge and a counter every 10 s for three minutes, the
        // watermark 15 s behind. The restore at 1:30 falls in the second window, after one host
        // closed its first window (its counter baseline in state) and before the other did.
        List<Map<String, String>> hosts = List.of(WEB_1, WEB_3);
        List<MetricBatch> batches = new ArrayList<>();
        for (long at = T0; at < T0 + 3 * ONE_MINUTE; at += 10_000) {
            for (Map<String, String> host : hosts) {
                batches.add(
                        MetricBatches.builder(host, at)
                                .add("cpu", (at - T0) / 1_000.0)
                                .add("requests_total", (at - T0) / 100.0)
                                .build());
            }
        }
        long restoreAfter = T0 + 90_000;
        long watermarkAtRestore = restoreAfter - 15_000;
        List<Long> firstCloses =
                hosts.stream()
                        .map(host -> cpu(host, T0, 0))
                        .map(
                                b ->
                                        ONE_MINUTE_LATER
                                                - 1
                                                + function.closeOffset(MetricBatches.originId(b)))
                        .sorted()
                        .toList();
        assertThat(firstCloses.get(0)).isLessThanOrEqualTo(watermarkAtRestore);
        assertThat(firstCloses.get(1)).isGreaterThan(watermarkAtRestore);
        long end = T0 + 3 * ONE_MINUTE + COUNTER_MEMORY_MILLIS + CLOSE_SPREAD.toMillis();

        List<Rollup> expectedRollups;
        List<RawChunk> expectedChunks;
        try (var uninterrupted = HostRollupHarnesses.create(function)) {
            uninterrupted.open();
            for (MetricBatch batch : batches) {
                HostRollupHarnesses.process(uninterrupted, batch);
                uninterrupted.processWatermark(batch.getTimestamp() - 15_000);
            }
            uninterrupted.processWatermark(end);
            expectedRollups = HarnessOutputs.drain(uninterrupted);
            expectedChunks = HarnessOutputs.drain(uninterrupted, HostRollupFunction.RAW_CHUNKS);
        }

        List<Rollup> rollups = new ArrayList<>();
        List<RawChunk> chunks = new ArrayList<>();
        OperatorSubtaskState snapshot;
        int stateEntries;
        int timers;
        try (var beforeRestore = HostRollupHarnesses.create(function)) {
            beforeRestore.open();
            for (MetricBatch batch : batches) {
                if (batch.getTimestamp() > restoreAfter) {
                    break;
                }
                HostRollupHarnesses.process(beforeRestore, batch);
                beforeRestore.processWatermark(batch.getTimestamp() - 15_000);
            }
            snapshot = beforeRestore.snapshot(1L, restoreAfter);
            stateEntries = beforeRestore.numKeyedStateEntries();
            timers = beforeRestore.numEventTimeTimers();
            rollups.addAll(HarnessOutputs.drain(beforeRestore));
            chunks.addAll(HarnessOutputs.drain(beforeRestore, HostRollupFunction.RAW_CHUNKS));
        }
        assertThat(rollups).as("one host's first window, before the restore").hasSize(2);
        try (var restored = HostRollupHarnesses.create(function)) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            assertThat(restored.numKeyedStateEntries()).isEqualTo(stateEntries);
            assertThat(restored.numEventTimeTimers()).isEqualTo(timers);
            for (MetricBatch batch : batches) {
                if (batch.getTimestamp() > restoreAfter) {
                    HostRollupHarnesses.process(restored, batch);
                    restored.processWatermark(batch.getTimestamp() - 15_000);
                }
            }
            restored.processWatermark(end);
            rollups.addAll(HarnessOutputs.drain(restored));
            chunks.addAll(HarnessOutputs.drain(restored, HostRollupFunction.RAW_CHUNKS));
            assertThat(HarnessOutputs.drain(restored, DeadLetters.TAG)).isEmpty();
            assertThat(restored.numEventTimeTimers()).isZero();
            assertThat(restored.numKeyedStateEntries()).isZero();
        }

        // Two hosts, two series each, three windows.
        assertThat(expectedRollups).hasSize(12);
        assertThat(rollups).containsExactlyInAnyOrderElementsOf(expectedRollups);
        assertThat(chunks).containsExactlyInAnyOrderElementsOf(expectedChunks);
    }

    @Test
    void closesTheWindowsOfARestoreWithAnotherCloseSpreadOnTheirEnds() throws Exception {
        // A savepoint taken with one close spread, restored with another (a changed option):
        // the timers in the savepoint keep the old offset, yet close the windows they were for.
        HostRollupFunction before =
                new HostRollupFunction(WINDOW, COUNTER_MEMORY, CLOSE_SPREAD, NO_LIMIT);
        HostRollupFunction after =
                new HostRollupFunction(WINDOW, COUNTER_MEMORY, Duration.ofSeconds(5), NO_LIMIT);
        long origin = MetricBatches.originId(cpu(WEB_1, T0, 0));
        assertThat(before.closeOffset(origin)).isNotEqualTo(after.closeOffset(origin));
        OperatorSubtaskState snapshot;
        try (var running = HostRollupHarnesses.create(before)) {
            running.open();
            HostRollupHarnesses.process(running, cpu(WEB_1, T0 + 1_000, 4));
            HostRollupHarnesses.process(running, cpu(WEB_1, T0 + 2_000, 6));
            snapshot = running.snapshot(1L, T0 + 2_000);
        }

        try (var restored = HostRollupHarnesses.create(after)) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            restored.processWatermark(TWO_MINUTES_LATER + CLOSE_SPREAD.toMillis());

            assertThat(HarnessOutputs.drain(restored))
                    .singleElement()
                    .satisfies(
                            rollup -> {
                                assertThat(rollup.windowStart).isEqualTo(T0);
                                assertThat(rollup.count).isEqualTo(2);
                            });
            assertThat(HarnessOutputs.drain(restored, HostRollupFunction.RAW_CHUNKS))
                    .singleElement()
                    .extracting(c -> c.chunkStart, c -> c.count)
                    .containsExactly(T0, 2);
            assertThat(restored.numEventTimeTimers()).isZero();
            assertThat(restored.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void rejectsACloseSpreadNotShorterThanTheWindowAndAZeroLimit() {
        assertThatThrownBy(() -> new HostRollupFunction(WINDOW, COUNTER_MEMORY, WINDOW, NO_LIMIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shorter than the window");
        assertThatThrownBy(
                        () ->
                                new HostRollupFunction(
                                        WINDOW, COUNTER_MEMORY, Duration.ofSeconds(-1), NO_LIMIT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostRollupFunction(WINDOW, COUNTER_MEMORY, NO_SPREAD, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one series");
    }
}
