package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentScheduleTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00.400Z");
    private static final Duration STEP = Duration.ofSeconds(1);
    private static final Fleet FLEET = new Fleet(3, 10);
    private static final Workload WORKLOAD = new Workload(FLEET, STEP, 1, 0, Duration.ZERO);
    private static final Incident CPU =
            new Incident(
                    Incident.Kind.CPU_HIGH,
                    "host-000001",
                    Duration.ofSeconds(5),
                    STEP.multipliedBy(3));

    private static final Fleet.Series CPU_SERIES = FLEET.series().get(10);
    private static final Fleet.Series LOAD_SERIES = FLEET.series().get(12);

    @Test
    void changesTheIncidentHostsValueWhileItLastsAndRemembersWhenItWasFirstServed() {
        IncidentSchedule schedule = new IncidentSchedule(List.of(CPU), T0.toEpochMilli());
        long begins = T0.plusSeconds(5).toEpochMilli();
        // The first step boundary at or after the start shows it.
        long visible = schedule.visibleFrom(CPU, STEP);
        assertThat(visible).isEqualTo(Instant.parse("2026-11-25T10:00:06Z").toEpochMilli());

        assertThat(value(schedule, begins - 1_000, begins)).isNotEqualTo(Incident.HIGH_CPU);
        assertThat(schedule.firstServed(CPU)).isEmpty();
        assertThat(value(schedule, visible, visible + 30)).isEqualTo(Incident.HIGH_CPU);
        assertThat(value(schedule, visible + 1_000, visible + 1_030)).isEqualTo(Incident.HIGH_CPU);
        assertThat(value(schedule, visible + 3_000, visible + 3_030))
                .isNotEqualTo(Incident.HIGH_CPU);
        assertThat(schedule.firstServed(CPU)).contains(visible + 30);
        assertThat(schedule.concerns(FLEET.hosts().get(1))).isTrue();
        assertThat(schedule.concerns(FLEET.hosts().get(0))).isFalse();
    }

    @Test
    void leavesTheHostsOtherSeriesAsTheyAreWithoutMarkingTheIncidentServed() {
        IncidentSchedule schedule = new IncidentSchedule(List.of(CPU), T0.toEpochMilli());
        long visible = schedule.visibleFrom(CPU, STEP);
        long tick = visible / STEP.toMillis();
        double load = WORKLOAD.value(LOAD_SERIES, tick);

        assertThat(schedule.apply(LOAD_SERIES, load, visible, visible + 30)).hasValue(load);
        assertThat(schedule.firstServed(CPU)).isEmpty();
    }

    @Test
    void aDownHostShowsNoSample() {
        Incident down = new Incident(Incident.Kind.HOST_DOWN, "host-000001", Duration.ZERO, STEP);
        IncidentSchedule schedule = new IncidentSchedule(List.of(down), T0.toEpochMilli());
        long tick = WORKLOAD.tickAtOrAfter(T0);
        long at = WORKLOAD.timeOf(tick);

        assertThat(schedule.apply(CPU_SERIES, WORKLOAD.value(CPU_SERIES, tick), at, at)).isEmpty();
        assertThat(schedule.firstServed(down)).contains(at);
    }

    private static double value(IncidentSchedule schedule, long sampleTime, long now) {
        double value = WORKLOAD.value(CPU_SERIES, sampleTime / STEP.toMillis());
        return schedule.apply(CPU_SERIES, value, sampleTime, now).orElseThrow();
    }
}
