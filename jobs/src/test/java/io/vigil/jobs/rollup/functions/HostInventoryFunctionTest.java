package io.vigil.jobs.rollup.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.HostRow;
import io.vigil.jobs.rollup.records.HostSighting;
import io.vigil.jobs.rollup.records.Rollup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostInventoryFunctionTest {
    private static final long T0 = 1_764_064_800_000L; // 2025-11-25T10:00:00Z, a minute boundary
    private static final long MINUTE = 60_000;
    private static final Duration WRITE_INTERVAL = Duration.ofMinutes(10);
    private static final Duration RETENTION = Duration.ofHours(6);
    private static final long INTERVAL = WRITE_INTERVAL.toMillis();

    private KeyedOneInputStreamOperatorTestHarness<String, HostSighting, HostRow> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new HostInventoryFunction(WRITE_INTERVAL, RETENTION)),
                        HostSighting::host,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /**
     * A sighting of web-1 in rack r1 or r2 of cluster c1 of dc1, in the minute at {@code start}.
     */
    private void seen(String rack, long start) throws Exception {
        long lastSample = start + 50_000;
        harness.processElement(
                new HostSighting("web-1", "dc1", "c1", rack, start, lastSample), lastSample);
    }

    @Test
    void writesAHostWhenItAppearsAndThenOncePerInterval() throws Exception {
        // Ten series a minute for 25 minutes: 250 sightings.
        for (long start = T0; start < T0 + 25 * MINUTE; start += MINUTE) {
            for (int series = 0; series < 10; series++) {
                seen("r1", start);
            }
        }

        List<HostRow> rows = HarnessOutputs.drain(harness);
        assertThat(rows)
                .extracting(HostRow::lastSeen)
                .containsExactly(T0 + 50_000, T0 + INTERVAL + 50_000, T0 + 2 * INTERVAL + 50_000);
        assertThat(rows)
                .allSatisfy(
                        row -> {
                            assertThat(row.host()).isEqualTo("web-1");
                            assertThat(row.rack()).isEqualTo("r1");
                            assertThat(row.firstSeen()).isEqualTo(T0);
                            assertThat(row.placedSince()).isEqualTo(T0);
                        });
        // Versions are event time in microseconds.
        assertThat(rows)
                .extracting(HostRow::version)
                .containsExactly(
                        (T0 + 50_000) * 1000,
                        (T0 + INTERVAL + 50_000) * 1000,
                        (T0 + 2 * INTERVAL + 50_000) * 1000);
        assertThat(HarnessOutputs.drain(harness, Descriptors.VACATED_PLACES)).isEmpty();
    }

    @Test
    void anEarlierFirstMinuteArrivingLateCorrectsFirstSeen() throws Exception {
        seen("r1", T0 + MINUTE);
        seen("r1", T0);
        seen("r1", T0 + 2 * MINUTE);

        List<HostRow> rows = HarnessOutputs.drain(harness);
        assertThat(rows).extracting(HostRow::firstSeen).containsExactly(T0 + MINUTE, T0);
        assertThat(rows.get(1).version()).isGreaterThan(rows.get(0).version());
    }

    @Test
    void aMoveRewritesTheHostAtOnceAndVacatesItsOldPlace() throws Exception {
        seen("r1", T0);
        seen("r1", T0 + MINUTE);
        seen("r2", T0 + 2 * MINUTE);
        // Stragglers of the old rack from before the move: no move back.
        seen("r1", T0 + MINUTE);
        seen("r2", T0 + 3 * MINUTE);

        List<HostRow> rows = HarnessOutputs.drain(harness);
        assertThat(rows).extracting(HostRow::rack).containsExactly("r1", "r2");
        HostRow moved = rows.get(1);
        assertThat(moved.firstSeen()).isEqualTo(T0);
        assertThat(moved.placedSince()).isEqualTo(T0 + 2 * MINUTE);
        assertThat(moved.lastSeen()).isEqualTo(T0 + 2 * MINUTE + 50_000);

        List<HostRow> left = HarnessOutputs.drain(harness, Descriptors.VACATED_PLACES);
        assertThat(left).hasSize(1);
        assertThat(left.get(0).rack()).isEqualTo("r1");
        assertThat(left.get(0).host()).isEqualTo("web-1");
        // The delete outranks every write of the old row, and the new row outranks nothing less.
        assertThat(left.get(0).version())
                .isEqualTo(moved.version())
                .isGreaterThan(rows.get(0).version());
    }

    @Test
    void aSilentHostIsForgottenAfterTheRetentionAndItsStateAndTimerCleaned() throws Exception {
        seen("r1", T0);
        seen("r1", T0 + INTERVAL);
        long lastWrite = T0 + INTERVAL + 50_000;
        assertThat(HarnessOutputs.drain(harness)).hasSize(2);
        assertThat(harness.numEventTimeTimers()).isOne();

        // The first timer (from the first write) finds a newer write and waits for its expiry.
        harness.processWatermark(T0 + 50_000 + RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isOne();
        assertThat(harness.numEventTimeTimers()).isOne();

        harness.processWatermark(lastWrite + RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();

        // Back after its rows expired: a new host.
        seen("r1", T0 + 7 * 60 * MINUTE);
        assertThat(HarnessOutputs.drain(harness))
                .extracting(HostRow::firstSeen)
                .containsExactly(T0 + 7 * 60 * MINUTE);
    }

    @Test
    void sightingsComeOnlyFromSeriesThatNameAHost() {
        List<HostSighting> sightings = new ArrayList<>();
        ListCollector<HostSighting> out = new ListCollector<>(sightings);
        HostSighting.of(rollup(Map.of("host", "web-1", "dc", "dc1", "rack", "r1")), out);
        HostSighting.of(rollup(Map.of("service", "checkout")), out);
        HostSighting.of(rollup(Map.of("host", "")), out);

        assertThat(sightings)
                .containsExactly(
                        new HostSighting("web-1", "dc1", "unplaced", "r1", T0, T0 + 50_000));
    }

    @Test
    void hostTypesArePojosNotKryo() {
        assertThat(TypeInformation.of(HostRow.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(HostSighting.class)).isInstanceOf(PojoTypeInfo.class);
    }

    private static Rollup rollup(Map<String, String> labels) {
        Rollup rollup = new Rollup(1L, "cpu", labels, T0, 1, 1, 1, 1, 1);
        rollup.lastTimestamp = T0 + 50_000;
        return rollup;
    }
}
