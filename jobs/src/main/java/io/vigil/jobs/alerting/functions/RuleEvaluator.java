package io.vigil.jobs.alerting.functions;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.alerting.Descriptors;
import io.vigil.jobs.alerting.records.AlertPhase;
import io.vigil.jobs.alerting.records.GroupContribution;
import io.vigil.jobs.alerting.records.PatternSignal;
import io.vigil.jobs.alerting.records.RuleSlot;
import io.vigil.jobs.alerting.records.RuleState;
import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.jobs.alerting.records.SeriesState;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import io.vigil.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates every live rule against every sample of the series it watches, as the sample arrives,
 * and emits the alert transitions. Keyed by series id; rules arrive as broadcast state.
 *
 * <p><b>Rules.</b> A rule update takes effect with the next sample. A version not newer than the
 * one held is ignored; a deletion (tombstone), a disabled version, or a version that cannot be
 * evaluated ({@link Rules#problem}; dead-lettered with the reason and counted in {@code
 * invalidRules}) stops the rule, and so does a version that changes the meaning of its state
 * ({@link Rules#resetsState}): its state on every series is dropped at once and its active alerts
 * resolve.
 *
 * <p><b>Kinds.</b> THRESHOLD, RATE and ANOMALY turn each sample into one value (the sample, the
 * per-second rate over window_ms, the z-score against the baseline) for the {@link
 * AlertStateMachine}. ABSENCE fires when a series stays silent, see below. CRASH_LOOP and SPIKE
 * only prepare the events of their CEP patterns: each fall to 0 ({@link
 * Descriptors#CRASH_LOOP_DOWNS}) and each closed window ({@link Descriptors#SPIKE_WINDOWS}).
 * Group-level rules are decided by the {@link GroupEvaluator}: this evaluator only hands it each
 * matching series' value ({@link Descriptors#GROUP_CONTRIBUTIONS}; for RATE, the series' rate,
 * which needs the series' state), so series-level rules cost nothing more per sample.
 *
 * <p><b>Clocks.</b> Everything a sample decides uses its event time, so replays give the same
 * transitions and event ids. Silence cannot: a host that is gone sends nothing, and when a whole
 * data centre goes quiet no watermark advances either. So ABSENCE and the idle expiry of a series'
 * state use the operator's wall clock: one processing-time timer per series, never later than the
 * earliest deadline of its rules, rounded up to the second. A sample moves the timer only earlier;
 * a timer that finds the series not silent long enough sets itself again, so a series reporting
 * every 10 s costs one timer every few minutes instead of two timer writes per sample. After a
 * restart, the silence of every series is counted from the operator's start at the earliest, so a
 * job that was down does not report the whole fleet absent before it caught up with the backlog.
 *
 * <p><b>State.</b> Per series: one {@link RuleState} per rule that needs one, and a {@link
 * SeriesState}. A THRESHOLD state is dropped as soon as its alert resolved and its m-of-n history
 * holds no breach; the states of the other kinds live while the series reports and are dropped
 * {@code idleTimeout} after its last sample (pending and firing alerts resolve then, except ABSENCE
 * alerts, which fire until the series returns). A timer that outlives its state (after a rule
 * deletion) finds nothing and ends.
 */
public final class RuleEvaluator
        extends KeyedBroadcastProcessFunction<Long, MetricSample, RuleUpdate, AlertEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RuleEvaluator.class);
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /** {@link #evaluate} left no state for the rule on the series. */
    private static final long NOT_STORED = -1;

    private final long idleTimeoutMs;
    private final Duration cepMaxWindow;

    private transient MapState<String, RuleState> ruleStates;
    private transient ValueState<SeriesState> series;
    private transient AvroCodec<Rule> ruleCodec;
    private transient Counter invalidRules;
    private transient Counter staleRuleVersions;
    private transient Counter ruleFailures;
    private transient Counter outOfOrderSamples;
    private transient Counter samplesOutsideGroups;

    /** Processing time of this instance's first callback; silence is counted from it at most. */
    private transient long startedAt;

    /**
     * The live rules by metric, so that a sample meets only the rules of its metric rather than all
     * of them. Broadcast state is the same on every subtask and changes only through {@link
     * #processBroadcastElement}, so this index is a view of it, rebuilt at the first sample after a
     * change or a restore (null: to rebuild).
     */
    private transient Map<String, List<Rule>> rulesByMetric;

    /**
     * @param idleTimeout how long a silent series keeps its rule state
     * @param cepMaxWindow the longest span of a CEP rule, see {@link Rules#problem}
     */
    public RuleEvaluator(Duration idleTimeout, Duration cepMaxWindow) {
        this.idleTimeoutMs = idleTimeout.toMillis();
        this.cepMaxWindow = cepMaxWindow;
    }

    @Override
    public void open(OpenContext openContext) {
        ruleStates = getRuntimeContext().getMapState(Descriptors.RULE_STATES);
        series = getRuntimeContext().getState(Descriptors.SERIES);
        ruleCodec = Topics.RULES.codec();
        invalidRules = getRuntimeContext().getMetricGroup().counter("invalidRules");
        staleRuleVersions = getRuntimeContext().getMetricGroup().counter("staleRuleVersions");
        ruleFailures = getRuntimeContext().getMetricGroup().counter("ruleFailures");
        outOfOrderSamples = getRuntimeContext().getMetricGroup().counter("outOfOrderSamples");
        samplesOutsideGroups = getRuntimeContext().getMetricGroup().counter("samplesOutsideGroups");
        startedAt = RuleState.NONE;
        rulesByMetric = null;
    }

    // ---------------------------------------------------------------------------------- rules

    @Override
    public void processBroadcastElement(RuleUpdate update, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        markStarted(ctx.currentProcessingTime());
        RuleSlots.Change change =
                RuleSlots.apply(ctx.getBroadcastState(Descriptors.RULES), update, cepMaxWindow);
        if (change.stale()) {
            staleRuleVersions.inc();
            LOG.info("Rule update {} ignored: the version held is newer or the same", update);
            return;
        }
        if (change.problem().isPresent()) {
            Rule rule = update.rule;
            invalidRules.inc();
            LOG.warn(
                    "Rule {} version {} cannot be evaluated: {}",
                    rule.getId(),
                    rule.getVersion(),
                    change.problem().get());
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetters.of(
                            Topics.RULES,
                            null,
                            null,
                            change.problem().get(),
                            Topics.RULES.keyFormat().encode(rule.getId()),
                            ruleCodec.encode(rule),
                            ctx.currentProcessingTime()));
        }
        if (change.stopped() != null) {
            stop(update.ruleId, change.stopped(), ctx, out);
        }
        rulesByMetric = null;
        LOG.info("Rule update {}: {}", update, change.live() == null ? "stopped" : "applied");
    }

    /**
     * Drops a rule's state on every series and resolves its active alerts. Timers stay (the
     * broadcast side cannot reach them) and end when they find no state.
     */
    private void stop(String ruleId, Rule rule, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        ctx.applyToKeyedState(
                Descriptors.RULE_STATES,
                (seriesId, states) -> {
                    RuleState state = states.get(ruleId);
                    if (state == null) {
                        return;
                    }
                    states.remove(ruleId);
                    // The backend has made seriesId the current key, so the series' other state
                    // is this series'.
                    SeriesState seriesState = series.value();
                    if (seriesState == null) {
                        return;
                    }
                    AlertStateMachine.end(state)
                            .ifPresent(
                                    transition ->
                                            emit(
                                                    out,
                                                    rule,
                                                    seriesState.labels,
                                                    transition,
                                                    state.lastValue,
                                                    state,
                                                    seriesState.lastTimestamp));
                    if (states.isEmpty()) {
                        series.clear();
                    }
                });
    }

    // -------------------------------------------------------------------------------- samples

    @Override
    public void processElement(MetricSample sample, ReadOnlyContext ctx, Collector<AlertEvent> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        markStarted(now);
        ReadOnlyBroadcastState<String, RuleSlot> slots = ctx.getBroadcastState(Descriptors.RULES);
        List<Rule> rules = rulesOf(sample.getName(), slots);
        if (!watches(rules, sample)) {
            // No live rule selects the series, so it has no state to read: a rule's states go as
            // soon as it is deleted or selects other series (stop). Most samples end here.
            return;
        }
        SeriesState seriesState = series.value();
        if (seriesState != null && sample.getTimestamp() < seriesState.lastTimestamp) {
            // Alerting follows the newest state of a series; an older sample (a resend, a
            // straggler) would make it go back in time. The rollups still count it.
            outOfOrderSamples.inc();
            return;
        }
        boolean stored = false;
        long silence = NO_DEADLINE;
        for (Rule rule : rules) {
            if (!Rules.matches(rule, sample)) {
                continue;
            }
            if (rule.getGroupLevel() != GroupLevel.SERIES && rule.getKind() != RuleKind.RATE) {
                // The group evaluator decides; only a rate needs the series' own state.
                contribute(rule, sample, sample.getValue(), ctx);
                continue;
            }
            try {
                long allowed = evaluate(rule, sample, ctx, out);
                if (allowed != NOT_STORED) {
                    stored = true;
                    silence = Math.min(silence, allowed);
                }
            } catch (RuntimeException e) {
                // Rules are checked when they arrive, so this is a bug; it costs one rule one
                // sample, never the job.
                ruleFailures.inc();
                LOG.warn("Rule {} failed on a sample of {}", rule.getId(), sample.getName(), e);
                ctx.output(
                        DeadLetters.TAG,
                        DeadLetters.ofSample(
                                sample, "rule-failed: " + rule.getId() + ": " + e, now));
            }
        }
        // Rule states exist only beside a series state, so a series without one that no rule
        // stored anything for has none: the common case of a healthy series under thresholds.
        if (!stored && (seriesState == null || ruleStates.isEmpty())) {
            if (seriesState != null) {
                forget(seriesState, ctx.timerService());
            }
            return;
        }
        if (seriesState == null) {
            seriesState = new SeriesState();
        }
        seriesState.metric = sample.getName();
        seriesState.labels = sample.getLabels();
        seriesState.lastTimestamp = sample.getTimestamp();
        seriesState.lastArrival = now;
        if (seriesState.wakeUpAt == RuleState.NONE) {
            schedule(seriesState, slots, ctx.timerService());
        } else if (silence != NO_DEADLINE) {
            // The timer only ever moves earlier here: a later deadline is found when the timer
            // fires, finds the series not silent long enough, and is set again. Moving it at every
            // sample would cost two timer writes per sample.
            long deadline = WakeUps.roundUpToSecond(now + silence);
            if (deadline < seriesState.wakeUpAt) {
                seriesState.wakeUpAt =
                        WakeUps.move(ctx.timerService(), seriesState.wakeUpAt, deadline);
            }
        }
        series.update(seriesState);
    }

    private static boolean watches(List<Rule> rules, MetricSample sample) {
        for (Rule rule : rules) {
            if (Rules.matches(rule, sample)) {
                return true;
            }
        }
        return false;
    }

    /** The live rules of a metric, from the index (rebuilt if a rule changed since). */
    private List<Rule> rulesOf(String metric, ReadOnlyBroadcastState<String, RuleSlot> slots)
            throws Exception {
        if (rulesByMetric == null) {
            Map<String, List<Rule>> index = new HashMap<>();
            for (Map.Entry<String, RuleSlot> slot : slots.immutableEntries()) {
                Rule rule = slot.getValue().rule;
                if (rule != null) {
                    index.computeIfAbsent(rule.getMetric(), m -> new ArrayList<>()).add(rule);
                }
            }
            rulesByMetric = index;
        }
        return rulesByMetric.getOrDefault(metric, List.of());
    }

    /**
     * Evaluates one rule on one sample.
     *
     * @return {@link #NOT_STORED} if the rule keeps no state on the series after this sample, else
     *     how long the series may stay silent before the rule's timer is due ({@link #NO_DEADLINE}
     *     if never: a firing ABSENCE alert waits for the series)
     */
    private long evaluate(
            Rule rule, MetricSample sample, ReadOnlyContext ctx, Collector<AlertEvent> out)
            throws Exception {
        RuleState state = ruleStates.get(rule.getId());
        boolean existed = state != null;
        if (state == null) {
            state = new RuleState(rule.getVersion());
        }
        state.ruleVersion = rule.getVersion();
        double value = sample.getValue();
        long timestamp = sample.getTimestamp();
        switch (rule.getKind()) {
            case THRESHOLD -> step(rule, state, sample, value, out);
            case RATE -> {
                double rate =
                        RateOfChange.add(
                                state, sample.getName(), rule.getWindowMs(), timestamp, value);
                if (!Double.isNaN(rate)) {
                    if (rule.getGroupLevel() == GroupLevel.SERIES) {
                        step(rule, state, sample, rate, out);
                    } else {
                        contribute(rule, sample, rate, ctx);
                    }
                }
            }
            case ANOMALY -> {
                double score =
                        Baseline.scoreAndAdd(
                                state, rule.getBaselineAlpha(), rule.getMinSamples(), value);
                if (!Double.isNaN(score)) {
                    step(rule, state, sample, score, out);
                }
            }
            case ABSENCE -> {
                // The series is back.
                RuleState ended = state;
                AlertStateMachine.end(state)
                        .ifPresent(
                                transition ->
                                        emit(
                                                out,
                                                rule,
                                                sample.getLabels(),
                                                transition,
                                                value,
                                                ended,
                                                timestamp));
            }
            case CRASH_LOOP -> {
                if (value == 0 && !Double.isNaN(state.lastRaw) && state.lastRaw != 0) {
                    ctx.output(
                            Descriptors.CRASH_LOOP_DOWNS,
                            signal(rule, sample, value, timestamp, Double.NaN, true));
                }
                state.lastRaw = value;
            }
            case SPIKE -> spikeWindow(rule, state, sample, ctx);
            default -> throw new IllegalStateException("no evaluation for " + rule.getKind());
        }
        if (rule.getKind() == RuleKind.THRESHOLD && AlertStateMachine.isIdle(state)) {
            if (existed) {
                ruleStates.remove(rule.getId());
            }
            return NOT_STORED;
        }
        ruleStates.put(rule.getId(), state);
        return allowedSilence(rule, state);
    }

    /** How long after a sample the rule's state needs the series' timer; see {@link #schedule}. */
    private long allowedSilence(Rule rule, RuleState state) {
        if (rule.getKind() != RuleKind.ABSENCE) {
            return idleTimeoutMs;
        }
        return state.phase == AlertPhase.FIRING ? NO_DEADLINE : rule.getForMs();
    }

    /**
     * Hands a series' value (the sample's, or its rate) to the group evaluator, keyed by the group
     * of the rule the series belongs to. A series without the labels of the rule's level belongs to
     * no group; it is counted rather than dead-lettered, since every sample of it would be.
     */
    private void contribute(Rule rule, MetricSample sample, double value, ReadOnlyContext ctx) {
        Map<String, String> group = Groups.labels(rule.getGroupLevel(), sample.getLabels());
        if (group == null) {
            samplesOutsideGroups.inc();
            return;
        }
        ctx.output(
                Descriptors.GROUP_CONTRIBUTIONS,
                new GroupContribution(
                        Groups.id(rule.getId(), group),
                        rule.getId(),
                        group,
                        ctx.getCurrentKey(),
                        value,
                        sample.getTimestamp()));
    }

    private static void step(
            Rule rule,
            RuleState state,
            MetricSample sample,
            double value,
            Collector<AlertEvent> out) {
        AlertStateMachine.evaluate(rule, state, value, sample.getTimestamp())
                .ifPresent(
                        transition ->
                                emit(
                                        out,
                                        rule,
                                        sample.getLabels(),
                                        transition,
                                        value,
                                        state,
                                        sample.getTimestamp()));
    }

    /** Emits a transition the state machine just made on {@code state}. */
    private static void emit(
            Collector<AlertEvent> out,
            Rule rule,
            Map<String, String> seriesLabels,
            AlertState transition,
            double value,
            RuleState state,
            long eventTime) {
        out.collect(
                Alerts.event(
                        rule,
                        seriesLabels,
                        transition,
                        value,
                        state.startsAt,
                        eventTime,
                        state.sequence));
    }

    /**
     * SPIKE: adds the sample to its window of event time; when a sample opens a later window, the
     * open one closes, is compared with the baseline of the windows before it and joins that
     * baseline. A window without samples closes nothing, and the pattern sees the gap.
     */
    private static void spikeWindow(
            Rule rule, RuleState state, MetricSample sample, ReadOnlyContext ctx) {
        long windowMs = rule.getWindowMs();
        long start = sample.getTimestamp() - Math.floorMod(sample.getTimestamp(), windowMs);
        if (state.windowStart != RuleState.NONE && start > state.windowStart) {
            double mean = state.windowSum / state.windowCount;
            boolean ready = state.baselineSamples >= rule.getMinSamples();
            boolean above = ready && mean > rule.getThreshold() * state.mean;
            ctx.output(
                    Descriptors.SPIKE_WINDOWS,
                    signal(rule, sample, mean, state.windowStart, state.mean, above));
            Baseline.add(state, rule.getBaselineAlpha(), mean);
            state.windowStart = RuleState.NONE;
        }
        if (state.windowStart == RuleState.NONE) {
            state.windowStart = start;
            state.windowSum = 0;
            state.windowCount = 0;
        }
        state.windowSum += sample.getValue();
        state.windowCount++;
    }

    private static PatternSignal signal(
            Rule rule,
            MetricSample sample,
            double value,
            long timestamp,
            double baseline,
            boolean above) {
        String fingerprint =
                Alerts.fingerprint(rule.getId(), Alerts.labels(rule, sample.getLabels()));
        return new PatternSignal(
                fingerprint, rule, sample.getLabels(), value, timestamp, baseline, above);
    }

    // ---------------------------------------------------------------------------------- timers

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out)
            throws Exception {
        // Now, not the timer's time: after a restore, an overdue timer fires late.
        markStarted(ctx.timerService().currentProcessingTime());
        SeriesState seriesState = series.value();
        if (seriesState == null || seriesState.wakeUpAt != timestamp) {
            return;
        }
        seriesState.wakeUpAt = RuleState.NONE;
        ReadOnlyBroadcastState<String, RuleSlot> slots = ctx.getBroadcastState(Descriptors.RULES);
        long silentSince = silentSince(seriesState);
        List<String> expired = new ArrayList<>();
        Map<String, RuleState> changed = new HashMap<>();
        for (Map.Entry<String, RuleState> entry : ruleStates.entries()) {
            RuleSlot slot = slots.get(entry.getKey());
            RuleState state = entry.getValue();
            if (slot == null || !slot.isLive()) {
                expired.add(entry.getKey());
                continue;
            }
            Rule rule = slot.rule;
            if (rule.getKind() == RuleKind.ABSENCE) {
                if (timestamp >= silentSince + rule.getForMs()) {
                    // The episode starts at the last sample plus the allowed silence: event time,
                    // so the event id is the same if a replay fires it again.
                    long startsAt = seriesState.lastTimestamp + rule.getForMs();
                    double silentSeconds = (timestamp - seriesState.lastArrival) / 1000.0;
                    AlertStateMachine.fire(state, startsAt)
                            .ifPresent(
                                    transition -> {
                                        emit(
                                                out,
                                                rule,
                                                seriesState.labels,
                                                transition,
                                                silentSeconds,
                                                state,
                                                startsAt);
                                        changed.put(entry.getKey(), state);
                                    });
                }
                continue;
            }
            if (timestamp >= silentSince + idleTimeoutMs) {
                long endsAt = seriesState.lastTimestamp + idleTimeoutMs;
                AlertStateMachine.end(state)
                        .ifPresent(
                                transition ->
                                        emit(
                                                out,
                                                rule,
                                                seriesState.labels,
                                                transition,
                                                state.lastValue,
                                                state,
                                                endsAt));
                expired.add(entry.getKey());
            }
        }
        for (String ruleId : expired) {
            ruleStates.remove(ruleId);
        }
        // One by one: putAll of nothing would leave an empty map behind in the heap backend.
        for (Map.Entry<String, RuleState> entry : changed.entrySet()) {
            ruleStates.put(entry.getKey(), entry.getValue());
        }
        if (ruleStates.isEmpty()) {
            series.clear();
            return;
        }
        schedule(seriesState, slots, ctx.timerService());
        series.update(seriesState);
    }

    /**
     * Sets the series' one timer to the earliest deadline of its rules: the end of the allowed
     * silence of each ABSENCE rule not firing yet, and the idle expiry of the states of the other
     * kinds. A firing ABSENCE alert waits for the series without a timer.
     */
    private void schedule(
            SeriesState seriesState,
            ReadOnlyBroadcastState<String, RuleSlot> slots,
            TimerService timers)
            throws Exception {
        long next = NO_DEADLINE;
        for (Map.Entry<String, RuleState> entry : ruleStates.entries()) {
            RuleSlot slot = slots.get(entry.getKey());
            if (slot != null && slot.isLive()) {
                next = Math.min(next, allowedSilence(slot.rule, entry.getValue()));
            }
        }
        long wanted =
                next == NO_DEADLINE
                        ? RuleState.NONE
                        : WakeUps.roundUpToSecond(silentSince(seriesState) + next);
        seriesState.wakeUpAt = WakeUps.move(timers, seriesState.wakeUpAt, wanted);
    }

    /** Drops a series that no rule keeps state for any more, with its timer. */
    private void forget(SeriesState seriesState, TimerService timers) {
        if (seriesState.wakeUpAt != RuleState.NONE) {
            timers.deleteProcessingTimeTimer(seriesState.wakeUpAt);
        }
        series.clear();
    }

    private long silentSince(SeriesState seriesState) {
        return Math.max(seriesState.lastArrival, startedAt);
    }

    private void markStarted(long now) {
        if (startedAt == RuleState.NONE) {
            startedAt = now;
        }
    }
}
