package io.vigil.jobs.alerting.functions;

import io.vigil.jobs.alerting.Descriptors;
import io.vigil.jobs.alerting.records.FlapState;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Holds back the notifications of a flapping alert. Keyed by fingerprint; the first input is every
 * alert transition, the second the detections of the flapping pattern ({@link Patterns#flapping}).
 *
 * <p>Normally a transition passes straight through. Once the alert is found flapping, one {@code
 * flapping} alert fires instead (the alert's labels plus {@code flapping="true"}, so its own
 * fingerprint), and the alert's transitions are held: only the newest is kept. When the alert has
 * made no transition for {@code stableFor} (wall clock), the flapping alert resolves and the held
 * transition is published if it changes what consumers last saw: the alert's state once stable.
 *
 * <p>The gate only decides what reaches {@code vigil.alerts} (the notifications): the history in
 * Cassandra records every transition. The flapping alert's events go to both, and also to {@link
 * Descriptors#FLAPPING_ALERTS} for that reason.
 */
public final class FlapGate
        extends KeyedCoProcessFunction<String, AlertEvent, AlertEvent, AlertEvent> {
    private static final long serialVersionUID = 1L;

    /** The label that marks a flapping alert. */
    public static final String FLAPPING_LABEL = "flapping";

    /** The gate's state of this fingerprint. */
    public static final ValueStateDescriptor<FlapState> STATE =
            new ValueStateDescriptor<>("flap-state", FlapState.TYPE);

    private final long stableForMs;
    private transient ValueState<FlapState> state;

    public FlapGate(Duration stableFor) {
        this.stableForMs = stableFor.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(STATE);
    }

    @Override
    public void processElement1(AlertEvent event, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        FlapState current = state.value();
        if (current != null && current.flapping != null) {
            current.held = event;
            wakeUpLater(current, ctx);
            state.update(current);
            return;
        }
        out.collect(event);
        if (current == null) {
            current = new FlapState();
        }
        current.published = event.getState() == AlertState.RESOLVED ? null : event;
        save(current);
    }

    @Override
    public void processElement2(AlertEvent detection, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        FlapState current = state.value();
        if (current == null) {
            current = new FlapState();
        }
        if (current.flapping != null) {
            return;
        }
        current.flapping = flapping(detection, AlertState.FIRING, detection.getEventTime(), 1);
        out.collect(current.flapping);
        ctx.output(Descriptors.FLAPPING_ALERTS, current.flapping);
        wakeUpLater(current, ctx);
        state.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out)
            throws Exception {
        FlapState current = state.value();
        if (current == null || current.flapping == null || current.wakeUpAt != timestamp) {
            return;
        }
        long endsAt =
                current.held == null
                        ? current.flapping.getEventTime()
                        : Math.max(current.held.getEventTime(), current.flapping.getEventTime());
        AlertEvent resolved = flapping(current.flapping, AlertState.RESOLVED, endsAt, 2);
        out.collect(resolved);
        ctx.output(Descriptors.FLAPPING_ALERTS, resolved);
        AlertEvent held = current.held;
        if (held != null && changesWhatWasPublished(current.published, held)) {
            out.collect(held);
            current.published = held.getState() == AlertState.RESOLVED ? null : held;
        }
        current.flapping = null;
        current.held = null;
        save(current);
    }

    /** Whether consumers, having seen {@code published} last, need {@code held}. */
    private static boolean changesWhatWasPublished(AlertEvent published, AlertEvent held) {
        if (published == null) {
            return held.getState() != AlertState.RESOLVED;
        }
        return !published.getEventId().equals(held.getEventId());
    }

    private void wakeUpLater(FlapState current, Context ctx) {
        if (current.flapping != null && current.wakeUpAt != 0) {
            ctx.timerService().deleteProcessingTimeTimer(current.wakeUpAt);
        }
        current.wakeUpAt = ctx.timerService().currentProcessingTime() + stableForMs;
        ctx.timerService().registerProcessingTimeTimer(current.wakeUpAt);
    }

    private void save(FlapState current) throws Exception {
        if (current.isEmpty()) {
            state.clear();
        } else {
            current.wakeUpAt = current.flapping == null ? 0 : current.wakeUpAt;
            state.update(current);
        }
    }

    /** An event of the flapping alert that stands for {@code alert}. */
    static AlertEvent flapping(AlertEvent alert, AlertState state, long eventTime, long sequence) {
        Map<String, String> labels = new TreeMap<>(alert.getLabels());
        labels.put(FLAPPING_LABEL, "true");
        String fingerprint = Alerts.fingerprint(alert.getRuleId(), labels);
        long startsAt = state == AlertState.FIRING ? eventTime : alert.getStartsAt();
        return AlertEvent.newBuilder(alert)
                .setEventId(Alerts.eventId(fingerprint, startsAt, sequence))
                .setFingerprint(fingerprint)
                .setState(state)
                .setLabels(labels)
                .setStartsAt(startsAt)
                .setEndsAt(state == AlertState.RESOLVED ? eventTime : null)
                .setEventTime(eventTime)
                .setSequence(sequence)
                .build();
    }
}
