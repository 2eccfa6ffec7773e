package io.vigil.jobs.alerting.functions;

import io.vigil.jobs.alerting.records.PatternAlert;
import io.vigil.jobs.alerting.records.PatternSignal;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns the matches of a CEP rule on one series (keyed by the alert's fingerprint) into an alert
 * lifecycle: the first match fires, further matches keep it firing, and it resolves once no match
 * came for the rule's quiet period ({@link Patterns#quietPeriodMs}) of wall-clock time. A pattern
 * only reports what happened, never that it stopped happening, so the end needs a timer.
 *
 * <p>Both events are numbered 1 and 2 of an episode that starts at the first match's event time,
 * and the resolve is stamped with the last match's time plus the quiet period: event ids stay the
 * same on replays even though a wall clock decides when the alert resolves.
 */
public final class PatternAlertFunction
        extends KeyedProcessFunction<String, PatternSignal, AlertEvent> {
    private static final long serialVersionUID = 1L;

    /** The firing alert of this fingerprint, if any. */
    public static final ValueStateDescriptor<PatternAlert> ALERT =
            new ValueStateDescriptor<>("pattern-alert", PatternAlert.TYPE);

    private transient ValueState<PatternAlert> alert;

    @Override
    public void open(OpenContext openContext) {
        alert = getRuntimeContext().getState(ALERT);
    }

    @Override
    public void processElement(PatternSignal match, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        PatternAlert current = alert.value();
        if (current == null) {
            current = new PatternAlert();
            current.startsAt = match.timestamp;
            out.collect(
                    Alerts.event(
                            match.rule,
                            match.labels,
                            AlertState.FIRING,
                            match.value,
                            match.timestamp,
                            match.timestamp,
                            1));
        } else {
            ctx.timerService().deleteProcessingTimeTimer(current.wakeUpAt);
        }
        current.rule = match.rule;
        current.labels = match.labels;
        current.lastMatchAt = match.timestamp;
        current.value = match.value;
        current.wakeUpAt =
                ctx.timerService().currentProcessingTime() + Patterns.quietPeriodMs(match.rule);
        ctx.timerService().registerProcessingTimeTimer(current.wakeUpAt);
        alert.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out)
            throws Exception {
        PatternAlert current = alert.value();
        if (current == null || current.wakeUpAt != timestamp) {
            return;
        }
        out.collect(
                Alerts.event(
                        current.rule,
                        current.labels,
                        AlertState.RESOLVED,
                        current.value,
                        current.startsAt,
                        current.lastMatchAt + Patterns.quietPeriodMs(current.rule),
                        2));
        alert.clear();
    }
}
