package io.vigil.jobs.rollup.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.jobs.rollup.records.RollupAccumulator;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CascadeRollupFunctionTest {
    private static final long T0 = 1_764_064_800_000L; // 2025-11-25T10:00:00Z, an hour boundary
    private static final long ONE_MINUTE = 60_000;
    private static final long ONE_HOUR_LATER = T0 + 3_600_000;
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");

    private KeyedOneInputStreamOperatorTestHarness<Long, Rollup, Rollup> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new CascadeRollupFunction(Duration.ofHours(1), Duration.ZERO)),
                        rollup -> rollup.seriesId,
                        Types.LONG);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** The minute rollup of the given values, as the window function would emit it. */
    private static Rollup minute(int minute, double... values) {
        RollupAccumulator accumulator = new RollupAccumulator();
        for (int i = 0; i < values.length; i++) {
            accumulator.add("latency_seconds", WEB_1, values[i], T0 + minute * ONE_MINUTE + i);
        }
        return accumulator.toRollup(1L, T0 + minute * ONE_MINUTE);
    }

    @Test
    void mergesTheMinutesOfAnHour() throws Exception {
        // Minutes in any order: the last value is the latest by event time, not by arrival.
        harness.processElement(minute(59, 3, 4), T0 + 60 * ONE_MINUTE - 1);
        harness.processElement(minute(0, 10, 20), T0 + ONE_MINUTE - 1);
        harness.processElement(minute(30, 1), T0 + 31 * ONE_MINUTE - 1);

        harness.processWatermark(ONE_HOUR_LATER - 1);

        Rollup hour = harness.extractOutputValues().get(0);
        assertThat(hour.windowStart).isEqualTo(T0);
        assertThat(hour.count).isEqualTo(5);
        assertThat(hour.sum).isEqualTo(38);
        assertThat(hour.min).isEqualTo(1);
        assertThat(hour.max).isEqualTo(20);
        assertThat(hour.last).isEqualTo(4);
        // Sorted values 1 3 4 10 20: the exact median is 4, p99 (lower rank) is 10.
        assertThat(hour.p50).isCloseTo(4, Percentage.withPercentage(1));
        assertThat(hour.p99).isCloseTo(10, Percentage.withPercentage(1));
        assertThat(hour.rate).isNaN();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    /**
     * With close spread, an origin writes its last minute up to the spread after the hour's end:
     * the hour waits for it instead of being written twice (the second time partial).
     */
    @Test
    void waitsTheCloseDelayForTheLastMinutes() throws Exception {
        Duration delay = Duration.ofSeconds(5);
        try (KeyedOneInputStreamOperatorTestHarness<Long, Rollup, Rollup> delayed =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new CascadeRollupFunction(Duration.ofHours(1), delay)),
                        rollup -> rollup.seriesId,
                        Types.LONG)) {
            delayed.open();
            delayed.processElement(minute(0, 10), T0 + ONE_MINUTE - 1);
            delayed.processWatermark(ONE_HOUR_LATER + 3_000);
            // The origin's offset is 4 s: its last minute comes after the hour's end.
            delayed.processElement(minute(59, 3), ONE_HOUR_LATER + 3_999);
            assertThat(delayed.extractOutputValues()).isEmpty();

            delayed.processWatermark(ONE_HOUR_LATER - 1 + delay.toMillis());

            assertThat(delayed.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            hour -> {
                                assertThat(hour.windowStart).isEqualTo(T0);
                                assertThat(hour.count).isEqualTo(2);
                                assertThat(hour.sum).isEqualTo(13);
                            });
            assertThat(delayed.numKeyedStateEntries()).isZero();
            assertThat(delayed.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void addsUpCounterIncreasesIntoAnHourlyRate() throws Exception {
        Rollup first = minute(0, 1);
        first.increase = 1_800;
        Rollup second = minute(1, 2);
        second.increase = 1_800;

        harness.processElement(first, T0 + ONE_MINUTE - 1);
        harness.processElement(second, T0 + 2 * ONE_MINUTE - 1);
        harness.processWatermark(ONE_HOUR_LATER - 1);

        assertThat(harness.extractOutputValues().get(0).rate).isEqualTo(1.0);
    }
}
