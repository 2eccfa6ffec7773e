package io.vigil.jobs.alerting.functions;

import static io.vigil.jobs.alerting.TestRules.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.Descriptors;
import io.vigil.jobs.alerting.TestRules;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlapGateTest {
    private static final Duration STABLE_FOR = Duration.ofMinutes(5);
    private static final long MINUTE = 60_000;

    private KeyedTwoInputStreamOperatorTestHarness<String, AlertEvent, AlertEvent, AlertEvent>
            harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new FlapGate(STABLE_FOR),
                        AlertEvent::getFingerprint,
                        AlertEvent::getFingerprint,
                        Types.STRING);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** The n-th episode's firing (n from 0, a minute apart) or resolve of one alert. */
    private static AlertEvent transition(int episode, AlertState state) {
        long startsAt = T0 + episode * MINUTE;
        return Alerts.event(
                TestRules.cpuAbove90().build(),
                Map.of("host", "web-1"),
                state,
                95,
                startsAt,
                state == AlertState.FIRING ? startsAt : startsAt + MINUTE / 2,
                state == AlertState.FIRING ? 1 : 2);
    }

    private List<String> output() {
        List<String> out =
                harness.extractOutputValues().stream()
                        .map(
                                e ->
                                        (e.getLabels().containsKey(FlapGate.FLAPPING_LABEL)
                                                        ? "flapping "
                                                        : "")
                                                + e.getState())
                        .toList();
        harness.getOutput().clear();
        return out;
    }

    @Test
    void passesTransitionsAndKeepsStateOnlyWhileTheAlertIsActive() throws Exception {
        harness.processElement1(transition(0, AlertState.FIRING), 0);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        harness.processElement1(transition(0, AlertState.RESOLVED), 0);
        assertThat(output()).containsExactly("FIRING", "RESOLVED");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void holdsAFlappingAlertUntilItIsStableThenPublishesItsState() throws Exception {
        harness.setProcessingTime(0);
        harness.processElement1(transition(2, AlertState.FIRING), 0);
        harness.processElement1(transition(2, AlertState.RESOLVED), 0);
        harness.processElement2(transition(2, AlertState.RESOLVED), 0);
        assertThat(output()).containsExactly("FIRING", "RESOLVED", "flapping FIRING");

        harness.processElement1(transition(3, AlertState.FIRING), 0);
        harness.setProcessingTime(STABLE_FOR.toMillis() - 1);
        harness.processElement1(transition(3, AlertState.RESOLVED), 0);
        harness.processElement1(transition(4, AlertState.FIRING), 0);
        // Each held transition restarts the wait.
        harness.setProcessingTime(2 * STABLE_FOR.toMillis() - 2);
        assertThat(output()).isEmpty();
        harness.setProcessingTime(2 * STABLE_FOR.toMillis() - 1);
        assertThat(output()).containsExactly("flapping RESOLVED", "FIRING");
        assertThat(harness.getSideOutput(Descriptors.FLAPPING_ALERTS))
                .extracting(StreamRecord::getValue)
                .extracting(AlertEvent::getState)
                .containsExactly(AlertState.FIRING, AlertState.RESOLVED);
        assertThat(harness.numProcessingTimeTimers()).isZero();

        // Back to normal: the held firing was published, its resolve passes and all is gone.
        harness.processElement1(transition(4, AlertState.RESOLVED), 0);
        assertThat(output()).containsExactly("RESOLVED");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aHeldResolveOfAnAlertConsumersSawResolvedIsNotPublishedAgain() throws Exception {
        harness.processElement1(transition(0, AlertState.FIRING), 0);
        harness.processElement1(transition(0, AlertState.RESOLVED), 0);
        harness.processElement2(transition(0, AlertState.RESOLVED), 0);
        harness.processElement1(transition(1, AlertState.FIRING), 0);
        harness.processElement1(transition(1, AlertState.RESOLVED), 0);
        output();
        harness.setProcessingTime(STABLE_FOR.toMillis());
        assertThat(output()).containsExactly("flapping RESOLVED");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }
}
