package io.vigil.jobs.alerting.functions;

import static io.vigil.jobs.alerting.TestRules.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.TestRules;
import io.vigil.jobs.alerting.records.PatternSignal;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class PatternAlertFunctionTest {
    private static final Rule CRASH_LOOP =
            TestRules.cpuAbove90()
                    .setId("crash")
                    .setKind(RuleKind.CRASH_LOOP)
                    .setMetric("process_up")
                    .setWindowMs(60_000)
                    .build();

    private static PatternSignal match(long timestamp) {
        return new PatternSignal(
                "fp", CRASH_LOOP, Map.of("host", "web-1"), 3, timestamp, Double.NaN, true);
    }

    @Test
    void firesOnceAndResolvesAfterAQuietWindow() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, PatternSignal, AlertEvent> harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new PatternAlertFunction(), signal -> signal.fingerprint, Types.STRING);
        harness.setProcessingTime(0);
        harness.processElement(match(T0), 0);
        harness.setProcessingTime(30_000);
        harness.processElement(match(T0 + 30_000), 0);
        harness.setProcessingTime(89_999);
        assertThat(harness.extractOutputValues())
                .extracting(e -> e.getState() + "#" + e.getSequence())
                .containsExactly("FIRING#1");
        harness.setProcessingTime(90_000);
        AlertEvent resolved = harness.extractOutputValues().get(1);
        assertThat(resolved.getSequence()).isEqualTo(2);
        assertThat(resolved.getStartsAt()).isEqualTo(T0);
        assertThat(resolved.getEndsAt()).isEqualTo(T0 + 90_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.close();
    }
}
