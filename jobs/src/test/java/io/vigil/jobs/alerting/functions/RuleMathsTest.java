package io.vigil.jobs.alerting.functions;

import static io.vigil.jobs.alerting.TestRules.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.jobs.alerting.TestRules;
import io.vigil.jobs.alerting.records.RuleState;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.Rule;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rates, baselines, templates and alert identity. */
class RuleMathsTest {
    private static final long MINUTE = 60_000;

    @Test
    void rateIsPerSecondOverTheWindow() {
        RuleState state = new RuleState(1);
        assertThat(RateOfChange.add(state, "queue_depth", MINUTE, T0, 100)).isNaN();
        assertThat(RateOfChange.add(state, "queue_depth", MINUTE, T0 + 10_000, 150)).isNaN();
        assertThat(RateOfChange.add(state, "queue_depth", MINUTE, T0 + 60_000, 400)).isEqualTo(5.0);
        // T0 leaves the window: the sample at 70 s counts from the one at 10 s.
        assertThat(RateOfChange.add(state, "queue_depth", MINUTE, T0 + 70_000, 460))
                .isEqualTo((460 - 150) / 60.0);
        assertThat(state.rateTimes).containsExactly(T0 + 10_000, T0 + 60_000, T0 + 70_000);
    }

    @Test
    void noRateUntilTheSamplesCoverTheWindowAgainAfterAGap() {
        RuleState state = new RuleState(1);
        // Noise of a new series: up 1 %, down 1 %, every 10 s. Over 10 s that is 0.001 per
        // second, a disk full within minutes; no rate is given before a minute of samples.
        double[] wobble = {0.50, 0.51, 0.50, 0.51, 0.50, 0.51};
        for (int i = 0; i < wobble.length; i++) {
            assertThat(RateOfChange.add(state, "used_ratio", MINUTE, T0 + i * 10_000L, wobble[i]))
                    .isNaN();
        }
        assertThat(RateOfChange.add(state, "used_ratio", MINUTE, T0 + 60_000, 0.50)).isZero();
        // Silent for longer than the window: the run starts over.
        long back = T0 + 60_000 + 2 * MINUTE;
        assertThat(RateOfChange.add(state, "used_ratio", MINUTE, back, 0.60)).isNaN();
        assertThat(RateOfChange.add(state, "used_ratio", MINUTE, back + 30_000, 0.66)).isNaN();
        assertThat(RateOfChange.add(state, "used_ratio", MINUTE, back + 60_000, 0.72))
                .isCloseTo(0.002, within(1e-12));
    }

    @Test
    void aStateFromBeforeRunsWereTrackedCountsFromItsOldestSample() {
        RuleState state = new RuleState(1);
        state.rateTimes = new long[] {T0, T0 + 30_000};
        state.rateValues = new double[] {10, 40};
        state.lastRaw = 40;
        assertThat(state.rateSince).isEqualTo(RuleState.NONE);
        assertThat(RateOfChange.add(state, "queue_depth", MINUTE, T0 + 60_000, 70)).isEqualTo(1.0);
        assertThat(state.rateSince).isEqualTo(T0);
    }

    @Test
    void aGaugeThatDropsHasANegativeRate() {
        RuleState state = new RuleState(1);
        RateOfChange.add(state, "free_bytes", MINUTE, T0, 1000);
        RateOfChange.add(state, "free_bytes", MINUTE, T0 + 60_000, 1000);
        // The window from 10 s holds the sample at 60 s: all of it gone in 10 s.
        assertThat(RateOfChange.add(state, "free_bytes", MINUTE, T0 + 70_000, 0)).isEqualTo(-100.0);
    }

    @Test
    void aCounterResetCountsFromZero() {
        RuleState state = new RuleState(1);
        RateOfChange.add(state, "http_requests_total", MINUTE, T0, 1000);
        RateOfChange.add(state, "http_requests_total", MINUTE, T0 + 30_000, 1100);
        // The process restarted and counted 50 since: 100 + 50 over 60 s.
        assertThat(RateOfChange.add(state, "http_requests_total", MINUTE, T0 + 60_000, 50))
                .isEqualTo(2.5);
    }

    @Test
    void theRateWindowIsBoundedInSamplesAndStillSpansTheWholeWindow() {
        RuleState state = new RuleState(1);
        long window = Duration.ofMinutes(30).toMillis();
        double rate = Double.NaN;
        // 40 minutes of a gauge growing by 2 per second, one sample a second.
        for (int i = 0; i <= 2_400; i++) {
            rate = RateOfChange.add(state, "g", window, T0 + i * 1_000L, 2.0 * i);
        }
        assertThat(state.rateTimes.length).isLessThanOrEqualTo(RateOfChange.MAX_SAMPLES);
        long newest = T0 + 2_400_000L;
        assertThat(state.rateTimes[state.rateTimes.length - 1]).isEqualTo(newest);
        // The oldest kept sample is within one spacing of the window's start.
        assertThat(state.rateTimes[0])
                .isBetween(newest - window, newest - window + window / RateOfChange.MAX_SAMPLES);
        assertThat(rate).isEqualTo(2.0);
    }

    @Test
    void baselineScoresOnlyAfterMinSamples() {
        RuleState state = new RuleState(1);
        double alpha = 0.5;
        assertThat(Baseline.scoreAndAdd(state, alpha, 3, 10)).isNaN();
        assertThat(Baseline.scoreAndAdd(state, alpha, 3, 12)).isNaN();
        assertThat(Baseline.scoreAndAdd(state, alpha, 3, 10)).isNaN();
        // 12: mean 11, variance 0.5 * (0 + 2 * 1) = 1; 10: mean 10.5, 0.5 * (1 + -1 * -0.5)
        assertThat(state.mean).isEqualTo(10.5);
        assertThat(state.variance).isEqualTo(0.75);
        assertThat(Baseline.scoreAndAdd(state, alpha, 3, 20))
                .isCloseTo(9.5 / Math.sqrt(0.75), within(1e-12));
        assertThat(state.baselineSamples).isEqualTo(4);
    }

    @Test
    void aConstantBaselineScoresAnyChangeInfinite() {
        RuleState state = new RuleState(1);
        Baseline.add(state, 0.1, 5);
        Baseline.add(state, 0.1, 5);
        assertThat(Baseline.scoreAndAdd(state, 0.1, 2, 5)).isZero();
        assertThat(Baseline.scoreAndAdd(state, 0.1, 2, 4)).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void templatesRenderLabelsAndTheValue() {
        Map<String, String> labels = Map.of("host", "web-1");
        assertThat(Templates.render("{{ $labels.host }} at {{$value}}%", labels, 93.0))
                .isEqualTo("web-1 at 93%");
        assertThat(Templates.render("{{ $labels.rack }}|{{ $value }}", labels, 0.25))
                .isEqualTo("|0.25");
        assertThat(Templates.render("no templates", labels, 1)).isEqualTo("no templates");
    }

    @Test
    void alertLabelsAreSeriesLabelsThenRuleLabelsThenAlertname() {
        Rule rule =
                TestRules.cpuAbove90()
                        .setLabels(Map.of("team", "infra", "host", "{{ $labels.host }}.example"))
                        .build();
        assertThat(Alerts.labels(rule, Map.of("host", "web-1", "dc", "fra1")))
                .containsExactly(
                        Map.entry("alertname", "CpuHigh"),
                        Map.entry("dc", "fra1"),
                        Map.entry("host", "web-1.example"),
                        Map.entry("team", "infra"));
    }

    @Test
    void fingerprintsAndEventIdsAreStable() {
        Map<String, String> labels =
                Alerts.labels(TestRules.cpuAbove90().build(), Map.of("host", "web-1"));
        String fingerprint = Alerts.fingerprint("cpu-high", labels);
        assertThat(fingerprint)
                .hasSize(16)
                .isEqualTo(Alerts.fingerprint("cpu-high", new java.util.HashMap<>(labels)));
        assertThat(Alerts.fingerprint("cpu-other", labels)).isNotEqualTo(fingerprint);
        assertThat(Alerts.eventId(fingerprint, T0, 1))
                .isEqualTo(Alerts.eventId(fingerprint, T0, 1))
                .isNotEqualTo(Alerts.eventId(fingerprint, T0, 2))
                .isNotEqualTo(Alerts.eventId(fingerprint, T0 + 1, 1));
    }

    @Test
    void eventsCarryTheTransition() {
        AlertEvent event =
                Alerts.event(
                        TestRules.cpuAbove90().build(),
                        Map.of("host", "web-1"),
                        AlertState.RESOLVED,
                        42,
                        T0,
                        T0 + MINUTE,
                        2);
        assertThat(event.getAnnotations()).containsEntry("summary", "CPU of web-1 at 42%");
        assertThat(event.getEndsAt()).isEqualTo(T0 + MINUTE);
        assertThat(event.getStartsAt()).isEqualTo(T0);
        assertThat(event.getSequence()).isEqualTo(2);
        assertThat(event.getSeverity()).isEqualTo("warning");
        assertThat(event.getEventId()).isEqualTo(Alerts.eventId(event.getFingerprint(), T0, 2));
    }
}
