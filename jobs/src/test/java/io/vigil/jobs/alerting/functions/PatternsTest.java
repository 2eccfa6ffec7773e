package io.vigil.jobs.alerting.functions;

import static io.vigil.jobs.alerting.TestRules.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.jobs.alerting.TestRules;
import io.vigil.jobs.alerting.records.PatternSignal;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/** The CEP patterns on a local environment: their conditions read the rules on the events. */
class PatternsTest {
    private static final Duration MAX_WINDOW = Duration.ofHours(1);
    private static final long SECOND = 1_000;

    private static Rule rule(RuleKind kind, int occurrences, long windowMs) {
        return TestRules.cpuAbove90()
                .setKind(kind)
                .setOccurrences(occurrences)
                .setWindowMs(windowMs)
                .build();
    }

    private static PatternSignal signal(Rule rule, long timestamp, boolean above) {
        return new PatternSignal("fp", rule, Map.of(), 0, timestamp, 1, above);
    }

    private static List<Long> matches(List<PatternSignal> signals, boolean spike) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<Long> out = new ArrayList<>();
        try (CloseableIterator<PatternSignal> matches =
                CEP.pattern(
                                env.fromData(
                                                PatternSignal.TYPE,
                                                signals.toArray(PatternSignal[]::new))
                                        .keyBy(s -> s.fingerprint, Types.STRING),
                                spike ? Patterns.spike(MAX_WINDOW) : Patterns.crashLoop(MAX_WINDOW))
                        .inProcessingTime()
                        .process(new Patterns.MatchToSignal(), PatternSignal.TYPE)
                        .executeAndCollect()) {
            matches.forEachRemaining(match -> out.add(match.timestamp));
        }
        return out;
    }

    @Test
    void aCrashLoopIsOccurrencesFallsWithinTheWindow() throws Exception {
        Rule rule = rule(RuleKind.CRASH_LOOP, 3, 60 * SECOND);
        List<PatternSignal> downs = new ArrayList<>();
        // Falls at 0, 50, 70 (not 3 within 60 s), 100 (50, 70, 100: a loop), then 110, 120, 130
        // (a second loop, none of the first's falls reused).
        for (long second : new long[] {0, 50, 70, 100, 110, 120, 130}) {
            downs.add(signal(rule, T0 + second * SECOND, true));
        }
        assertThat(matches(downs, false)).containsExactly(T0 + 100 * SECOND, T0 + 130 * SECOND);
    }

    @Test
    void aSpikeIsOccurrencesContiguousWindowsAbove() throws Exception {
        Rule rule = rule(RuleKind.SPIKE, 3, 60 * SECOND);
        List<PatternSignal> windows = new ArrayList<>();
        // Minutes 0, 1 above, 2 below; 3, 4 above, 6 above after a gap; 7, 8, 9 above.
        boolean[] above = {true, true, false, true, true, false, true, true, true, true};
        for (int minute = 0; minute < above.length; minute++) {
            if (minute == 5) {
                continue;
            }
            windows.add(signal(rule, T0 + minute * 60 * SECOND, above[minute]));
        }
        assertThat(matches(windows, true)).containsExactly(T0 + 8 * 60 * SECOND);
    }

    @Test
    void flappingIsCyclesOfFiringAndResolving() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<AlertEvent> events = new ArrayList<>();
        AlertState[] states = {
            AlertState.PENDING, AlertState.FIRING, AlertState.RESOLVED, AlertState.FIRING,
            AlertState.RESOLVED, AlertState.PENDING, AlertState.FIRING, AlertState.RESOLVED,
            AlertState.FIRING
        };
        for (int i = 0; i < states.length; i++) {
            events.add(
                    Alerts.event(
                            TestRules.cpuAbove90().build(),
                            Map.of(),
                            states[i],
                            95,
                            T0,
                            T0 + i,
                            i));
        }
        TypeInformation<AlertEvent> type = new AvroTypeInfo<>(AlertEvent.class);
        List<AlertEvent> detections = new ArrayList<>();
        try (CloseableIterator<AlertEvent> found =
                CEP.pattern(
                                env.fromData(type, events.toArray(AlertEvent[]::new))
                                        .keyBy(AlertEvent::getFingerprint, Types.STRING),
                                Patterns.flapping(3, Duration.ofHours(1)))
                        .inProcessingTime()
                        .process(new Patterns.FlappingDetected(3), type)
                        .executeAndCollect()) {
            found.forEachRemaining(detections::add);
        }
        assertThat(detections).extracting(AlertEvent::getEventTime).containsExactly(T0 + 7);
    }
}
