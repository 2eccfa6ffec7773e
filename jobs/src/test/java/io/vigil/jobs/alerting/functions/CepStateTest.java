package io.vigil.jobs.alerting.functions;

import static io.vigil.jobs.alerting.TestRules.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.TestRules;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The CEP stages forget a fingerprint once its window has passed: the flapping pattern in event
 * time on the wall clock, as the job runs it, and the wall clock's stamps and watermarks.
 */
class CepStateTest {
    private static final Duration WINDOW = Duration.ofMinutes(10);

    private static AlertEvent transition(String host, AlertState state, long at, long sequence) {
        return Alerts.event(
                TestRules.cpuAbove90().build(), Map.of("host", host), state, 95, T0, at, sequence);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, AlertEvent, AlertEvent> flapping()
            throws Exception {
        CepOperator<AlertEvent, String, AlertEvent> operator =
                new CepOperator<>(
                        new AvroTypeInfo<>(AlertEvent.class)
                                .createSerializer(new SerializerConfigImpl()),
                        false,
                        NFACompiler.compileFactory(Patterns.flapping(3, WINDOW), false),
                        null,
                        AfterMatchSkipStrategy.skipPastLastEvent(),
                        new Patterns.FlappingDetected(3),
                        null);
        KeyedOneInputStreamOperatorTestHarness<String, AlertEvent, AlertEvent> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator, AlertEvent::getFingerprint, Types.STRING);
        harness.getExecutionConfig().setAutoWatermarkInterval(200);
        harness.open();
        return harness;
    }

    @Test
    void aFingerprintThatGoesQuietLeavesNoStateOnceTheWindowPassed() throws Exception {
        try (var harness = flapping()) {
            long now = T0;
            harness.processWatermark(now - 1);
            // web-1 fires and resolves once, web-2 fires: partial matches of a flapping cycle.
            harness.processElement(
                    new StreamRecord<>(transition("web-1", AlertState.FIRING, now, 1), now));
            harness.processElement(
                    new StreamRecord<>(
                            transition("web-1", AlertState.RESOLVED, now + 1, 2), now + 1));
            harness.processElement(
                    new StreamRecord<>(
                            transition("web-2", AlertState.FIRING, now + 2, 1), now + 2));
            harness.processWatermark(now + 1_000);
            assertThat(harness.numKeyedStateEntries()).isPositive();
            assertThat(harness.extractOutputValues()).isEmpty();

            // Nothing else arrives for either fingerprint; the watermarks alone prune them.
            harness.processWatermark(now + WINDOW.toMillis() + 1_000);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void stateOfAFlappingFingerprintGoesAfterItsMatchAndTheWindow() throws Exception {
        try (var harness = flapping()) {
            long now = T0;
            harness.processWatermark(now - 1);
            AlertState[] cycle = {
                AlertState.FIRING,
                AlertState.RESOLVED,
                AlertState.FIRING,
                AlertState.RESOLVED,
                AlertState.FIRING,
                AlertState.RESOLVED,
                AlertState.FIRING
            };
            for (int i = 0; i < cycle.length; i++) {
                harness.processElement(
                        new StreamRecord<>(transition("web-1", cycle[i], now + i, i + 1), now + i));
            }
            harness.processWatermark(now + 1_000);
            assertThat(harness.extractOutputValues())
                    .extracting(AlertEvent::getSequence)
                    .containsExactly(6L);
            // The seventh transition started a new partial match; it too expires.
            assertThat(harness.numKeyedStateEntries()).isPositive();
            harness.processWatermark(now + WINDOW.toMillis() + 1_000);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void wallClockStampsAreNeverBehindAWatermarkEvenWhenTheClockStepsBack() {
        long[] clock = {T0};
        WallClockTime<String> time = WallClockTime.on(() -> clock[0]);
        TimestampAssigner<String> assigner = time.createTimestampAssigner(null);
        WatermarkGenerator<String> generator = time.createWatermarkGenerator(null);
        List<Long> watermarks = new ArrayList<>();
        WatermarkOutput output =
                new WatermarkOutput() {
                    @Override
                    public void emitWatermark(Watermark watermark) {
                        watermarks.add(watermark.getTimestamp());
                    }

                    @Override
                    public void markIdle() {}

                    @Override
                    public void markActive() {}
                };

        assertThat(assigner.extractTimestamp("a", 0)).isEqualTo(T0);
        // No element passes: the watermark still follows the clock.
        clock[0] = T0 + 5_000;
        generator.onPeriodicEmit(output);
        assertThat(watermarks).containsExactly(T0 + 4_999);

        // The clock steps back 3 s: stamps stay after the watermark, which waits.
        clock[0] = T0 + 2_000;
        assertThat(assigner.extractTimestamp("b", 0)).isEqualTo(T0 + 5_000);
        generator.onPeriodicEmit(output);
        assertThat(watermarks).containsExactly(T0 + 4_999);

        clock[0] = T0 + 6_000;
        assertThat(assigner.extractTimestamp("c", 0)).isEqualTo(T0 + 6_000);
        generator.onPeriodicEmit(output);
        assertThat(watermarks).containsExactly(T0 + 4_999, T0 + 5_999);

        // Whole seconds: within the next second the watermark waits.
        clock[0] = T0 + 6_800;
        generator.onPeriodicEmit(output);
        assertThat(watermarks).containsExactly(T0 + 4_999, T0 + 5_999);
        assertThat(assigner.extractTimestamp("d", 0)).isEqualTo(T0 + 6_800);
    }
}
