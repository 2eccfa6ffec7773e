package io.vigil.jobs.rollup.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import io.vigil.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WindowRollupFunctionTest {
    private static final long T0 = 1_764_064_800_000L; // 2025-11-25T10:00:00Z, a minute boundary
    private static final long ONE_MINUTE = 60_000;
    private static final long ONE_MINUTE_LATER = T0 + ONE_MINUTE;
    private static final long TWO_MINUTES_LATER = T0 + 2 * ONE_MINUTE;
    private static final Duration COUNTER_MEMORY = Duration.ofMinutes(5);
    private static final String[] FIGURES = {
        "seriesId", "metric", "labels", "windowStart", "count", "sum", "min", "max", "last"
    };
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");
    private static final Map<String, String> WEB_2 = Map.of("host", "web-2");

    private KeyedOneInputStreamOperatorTestHarness<Long, MetricSample, Rollup> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new WindowRollupFunction(Duration.ofMinutes(1), COUNTER_MEMORY)),
                        SeriesIds::of,
                        Types.LONG);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static MetricSample cpu(Map<String, String> host, long timestamp, double value) {
        return new MetricSample("cpu", host, value, timestamp);
    }

    private void process(MetricSample sample) throws Exception {
        harness.processElement(sample, sample.getTimestamp());
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

        MetricSample late = cpu(WEB_1, T0 + 2_000, 99);
        process(late);

        assertThat(harness.extractOutputValues()).hasSize(1);
        List<DeadLetter> deadLetters =
                harness.getSideOutput(DeadLetters.TAG).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(deadLetters).hasSize(1);
        DeadLetter deadLetter = deadLetters.get(0);
        assertThat(deadLetter.getReason()).startsWith("late: ").contains("already written");
        assertThat(deadLetter.getSourceTopic()).isEqualTo(Topics.METRIC_SAMPLES.name());
        byte[] raw = new byte[deadLetter.getRaw().remaining()];
        deadLetter.getRaw().get(raw);
        assertThat(Topics.METRIC_SAMPLES.codec().decode(raw)).isEqualTo(late);
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
        assertThat(harness.numEventTimeTimers()).isEqualTo(4);
        // Per series: the map of its buffered samples, its name and labels, its newest window.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(6);

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
        assertThat(rollup.p50).isCloseTo(500, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(rollup.p90).isCloseTo(900, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(rollup.p99).isCloseTo(990, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(rollup.rate).as("a gauge has no rate").isNaN();
    }

    @Test
    void givesCountersARateAcrossResetsAndWindows() throws Exception {
        Map<String, String> eth0 = Map.of("host", "web-1", "device", "eth0");
        // Minute 1: 100 -> 160 (+60). Minute 2: 190 (+30), reset to 5 (+5), 25 (+20), out of order.
        process(new MetricSample("rx_bytes_total", eth0, 100.0, T0 + 10_000));
        process(new MetricSample("rx_bytes_total", eth0, 160.0, T0 + 50_000));
        process(new MetricSample("rx_bytes_total", eth0, 25.0, ONE_MINUTE_LATER + 40_000));
        process(new MetricSample("rx_bytes_total", eth0, 190.0, ONE_MINUTE_LATER + 10_000));
        process(new MetricSample("rx_bytes_total", eth0, 5.0, ONE_MINUTE_LATER + 20_000));

        harness.processWatermark(TWO_MINUTES_LATER - 1);

        assertThat(harness.extractOutputValues())
                .extracting(r -> r.increase, r -> r.rate)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(60.0, 1.0),
                        org.assertj.core.groups.Tuple.tuple(55.0, 55.0 / 60));
    }

    @Test
    void forgetsASilentCounterAfterTheCounterMemory() throws Exception {
        process(new MetricSample("requests_total", WEB_1, 7.0, T0 + 1_000));
        harness.processWatermark(ONE_MINUTE_LATER - 1);
        // The baseline for the next minute stays while the counter may still report, and the
        // sample waits for its raw chunk interval: the buffer, the series, its newest window.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(4);
        // The chunk interval's end and the end of the counter memory.
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.processWatermark(ONE_MINUTE_LATER - 1 + COUNTER_MEMORY.toMillis());

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
