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
import io.vigil.schemas.BatchSample;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import io.vigil.schemas.SeriesIds;
import io.vigil.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Evaluates every live rule against every sample of the series it watches, as the batch carrying
 * the sample arrives, and emits the alert transitions. Keyed by host: the origin id of the batch
 * ({@link MetricBatches#originId}), so a batch, one host's collection, arrives here whole and once,
 * and the state of all the host's series lives under one key. Rules arrive as broadcast state.
 *
 * <p><b>Batches.</b> Each sample of a batch is evaluated on its own, in the batch's order, as its
 * series: its name and all its labels (the batch's and its own), its own event time (the batch's
 * timestamp plus its offset) and its series id. A sample meets only the live rules of its metric,
 * found in an in-memory index; a sample whose metric no live rule watches, or that no rule's
 * selector takes, touches no state at all, not even its host's. Most samples end at that lookup.
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
 * state use the operator's wall clock, still per series (each series keeps the arrival time of its
 * last sample), but with one processing-time timer per host, never later than the earliest deadline
 * of its series' rules, rounded up to the second. A batch moves the timer only earlier; a timer
 * that fires scans the host's series, fires the absences that are due, expires idle states, frees
 * the series left without state and sets itself to the next deadline, so a host reporting every 10
 * s costs one timer every few minutes instead of two timer writes per sample. After a restart, the
 * silence of every series is counted from the operator's start at the earliest, so a job that was
 * down does not report the whole fleet absent before it caught up with the backlog.
 *
 * <p><b>State.</b> Per host: a map of series id to {@link SeriesState} for each series that a rule
 * keeps state for, holding one {@link RuleState} per such rule, and the time of the host's timer. A
 * THRESHOLD state is dropped as soon as its alert resolved and its m-of-n history holds no breach;
 * the states of the other kinds live while the series reports and are dropped {@code idleTimeout}
 * after its last sample (pending and firing alerts resolve then, except ABSENCE alerts, which fire
 * until the series returns). A series without rule state is removed, a host without series keeps
 * neither state nor timer. A timer that outlives its state (after a rule deletion) finds nothing
 * and ends. Every change is written back with {@code put} or {@code update}, never left only in the
 * object read: the heap backend's copy-on-write snapshots rely on it, and RocksDB stores copies.
 */
public final class RuleEvaluator
        extends KeyedBroadcastProcessFunction<Long, MetricBatch, RuleUpdate, AlertEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RuleEvaluator.class);
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /** {@link #evaluateSample} removed the series' state: its last rule state went. */
    private static final long DROPPED = -1;

    private final long idleTimeoutMs;
    private final Duration cepMaxWindow;

    /** Per host: series id to the series' state. */
    private transient MapState<Long, SeriesState> series;

    /** Per host: the time of its timer, if one is set. */
    private transient ValueState<Long> wakeUp;

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
     * One sample of a batch that a rule selects, as its series: read from the batch once.
     *
     * @param labels all its labels, the batch's and its own
     * @param timestamp its event time, ms
     */
    private record Observation(
            long seriesId,
            String metric,
            Map<String, String> labels,
            double value,
            long timestamp) {}

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
        try {
            series = getRuntimeContext().getMapState(Descriptors.SERIES);
        } catch (RuntimeException e) {
            // The likely cause: a savepoint of the evaluator keyed by series, from before batches,
            // whose value state of the same name the backend refuses to open as a map.
            throw new IllegalStateException(
                    "Cannot open the rule evaluator's state. A savepoint taken before the"
                            + " evaluator was keyed by host cannot be restored: start the job"
                            + " without it (see jobs/README.md, alerting, upgrading)",
                    e);
        }
        wakeUp = getRuntimeContext().getState(Descriptors.HOST_WAKE_UP);
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
     * Drops a rule's state on every series of every host and resolves its active alerts. Timers
     * stay (the broadcast side cannot reach them) and end when they find no state.
     */
    private void stop(String ruleId, Rule rule, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        ctx.applyToKeyedState(
                Descriptors.SERIES,
                (host, hostSeries) -> {
                    // The backend's own map state, which has no entries (null) for a host without
                    // any; the backend keeps no such host, but a null costs nothing to check.
                    Iterable<Map.Entry<Long, SeriesState>> entries = hostSeries.entries();
                    if (entries == null) {
                        return;
                    }
                    List<Long> gone = new ArrayList<>();
                    Map<Long, SeriesState> changed = new HashMap<>();
                    for (Map.Entry<Long, SeriesState> entry : entries) {
                        SeriesState seriesState = entry.getValue();
                        RuleState state = seriesState.rules.remove(ruleId);
                        if (state == null) {
                            continue;
                        }
                        end(
                                out,
                                rule,
                                seriesState.labels,
                                state.lastValue,
                                state,
                                seriesState.lastTimestamp);
                        if (seriesState.rules.isEmpty()) {
                            gone.add(entry.getKey());
                        } else {
                            changed.put(entry.getKey(), seriesState);
                        }
                    }
                    // After the iteration: the backend's map must not change under it.
                    for (Long seriesId : gone) {
                        hostSeries.remove(seriesId);
                    }
                    for (Map.Entry<Long, SeriesState> entry : changed.entrySet()) {
                        hostSeries.put(entry.getKey(), entry.getValue());
                    }
                    if (!gone.isEmpty() && hostSeries.isEmpty()) {
                        // The backend has made the host the current key, so this is the host's
                        // timer time; the timer itself fires once more and finds nothing.
                        wakeUp.clear();
                    }
                });
    }

    // -------------------------------------------------------------------------------- samples

    @Override
    public void processElement(MetricBatch batch, ReadOnlyContext ctx, Collector<AlertEvent> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        markStarted(now);
        ReadOnlyBroadcastState<String, RuleSlot> slots = ctx.getBroadcastState(Descriptors.RULES);
        List<BatchSample> samples = batch.getSamples();
        // What the batch asks of the host's timer: the shortest silence its series may keep
        // before a rule needs the timer, and whether a series lost its last state.
        long silence = NO_DEADLINE;
        boolean dropped = false;
        for (int i = 0; i < samples.size(); i++) {
            BatchSample sample = samples.get(i);
            List<Rule> rules = rulesOf(sample.getName(), slots);
            if (rules.isEmpty()) {
                // No live rule watches the metric, so none of its series has state: a rule's
                // states go as soon as it is deleted or selects other series (stop). Most samples
                // end here, at one hash lookup.
                continue;
            }
            Map<String, String> labels = MetricBatches.labels(batch, i);
            if (!watches(rules, sample.getName(), labels)) {
                continue;
            }
            Observation observation =
                    new Observation(
                            SeriesIds.of(sample.getName(), labels),
                            sample.getName(),
                            labels,
                            sample.getValue(),
                            MetricBatches.timestamp(batch, i));
            long allowed = evaluateSample(observation, rules, batch, i, now, ctx, out);
            if (allowed == DROPPED) {
                dropped = true;
            } else {
                silence = Math.min(silence, allowed);
            }
        }
        if (silence != NO_DEADLINE) {
            // The timer only ever moves earlier here: a later deadline is found when the timer
            // fires, finds the host's series not silent long enough, and is set again. Moving it
            // at every batch would cost two timer writes per batch.
            long deadline = WakeUps.roundUpToSecond(now + silence);
            Long current = wakeUp.value();
            if (current == null || deadline < current) {
                wakeUp.update(
                        WakeUps.move(
                                ctx.timerService(),
                                current == null ? RuleState.NONE : current,
                                deadline));
            }
        } else if (dropped && series.isEmpty()) {
            // The host's last series went (an alert resolved): its timer has nothing left to do.
            forget(ctx.timerService());
        }
    }

    /**
     * Evaluates the rules of its metric on one sample that at least one of them selects.
     *
     * @return {@link #DROPPED} if the series lost its state, else how long the series may stay
     *     silent before one of its rules needs the host's timer ({@link #NO_DEADLINE} if never, or
     *     if the series keeps no state)
     */
    private long evaluateSample(
            Observation sample,
            List<Rule> rules,
            MetricBatch batch,
            int index,
            long now,
            ReadOnlyContext ctx,
            Collector<AlertEvent> out)
            throws Exception {
        SeriesState seriesState = series.get(sample.seriesId());
        if (seriesState != null && sample.timestamp() < seriesState.lastTimestamp) {
            // Alerting follows the newest state of a series; an older sample (a resend, a
            // straggler) would make it go back in time. The rollups still count it.
            outOfOrderSamples.inc();
            return NO_DEADLINE;
        }
        boolean existed = seriesState != null;
        if (seriesState == null) {
            seriesState = new SeriesState();
        }
        long silence = NO_DEADLINE;
        for (Rule rule : rules) {
            if (!Rules.matches(rule, sample.metric(), sample.labels())) {
                continue;
            }
            if (rule.getGroupLevel() != GroupLevel.SERIES && rule.getKind() != RuleKind.RATE) {
                // The group evaluator decides; only a rate needs the series' own state.
                contribute(rule, sample, sample.value(), ctx);
                continue;
            }
            try {
                silence = Math.min(silence, evaluate(rule, seriesState.rules, sample, ctx, out));
            } catch (RuntimeException e) {
                // Rules are checked when they arrive, so this is a bug; it costs one rule one
                // sample, never the job.
                ruleFailures.inc();
                LOG.warn("Rule {} failed on a sample of {}", rule.getId(), sample.metric(), e);
                ctx.output(
                        DeadLetters.TAG,
                        DeadLetters.ofSample(
                                batch, index, "rule-failed: " + rule.getId() + ": " + e, now));
            }
        }
        if (seriesState.rules.isEmpty()) {
            // Nothing to keep: the common case of a healthy series under thresholds writes
            // nothing at all.
            if (existed) {
                series.remove(sample.seriesId());
                return DROPPED;
            }
            return NO_DEADLINE;
        }
        seriesState.metric = sample.metric();
        seriesState.labels = sample.labels();
        seriesState.lastTimestamp = sample.timestamp();
        seriesState.lastArrival = now;
        series.put(sample.seriesId(), seriesState);
        return silence;
    }

    private static boolean watches(List<Rule> rules, String metric, Map<String, String> labels) {
        for (Rule rule : rules) {
            if (Rules.matches(rule, metric, labels)) {
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
     * Evaluates one rule on one sample, with the rule's state in {@code states} (the series'),
     * which it adds, updates or removes.
     *
     * @return how long the series may stay silent before the rule's state needs the host's timer
     *     ({@link #NO_DEADLINE} if never, a firing ABSENCE alert waits for the series, or if the
     *     rule keeps no state on the series after this sample)
     */
    private long evaluate(
            Rule rule,
            Map<String, RuleState> states,
            Observation sample,
            ReadOnlyContext ctx,
            Collector<AlertEvent> out) {
        RuleState state = states.get(rule.getId());
        if (state == null) {
            state = new RuleState(rule.getVersion());
        }
        state.ruleVersion = rule.getVersion();
        double value = sample.value();
        long timestamp = sample.timestamp();
        switch (rule.getKind()) {
            case THRESHOLD -> step(rule, state, sample, value, out);
            case RATE -> {
                double rate =
                        RateOfChange.add(
                                state, sample.metric(), rule.getWindowMs(), timestamp, value);
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
                end(out, rule, sample.labels(), value, state, timestamp);
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
            states.remove(rule.getId());
            return NO_DEADLINE;
        }
        states.put(rule.getId(), state);
        return allowedSilence(rule, state);
    }

    /** How long after a sample the rule's state needs the host's timer; see {@link #onTimer}. */
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
    private void contribute(Rule rule, Observation sample, double value, ReadOnlyContext ctx) {
        Map<String, String> group = Groups.labels(rule.getGroupLevel(), sample.labels());
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
                        sample.seriesId(),
                        value,
                        sample.timestamp()));
    }

    private static void step(
            Rule rule,
            RuleState state,
            Observation sample,
            double value,
            Collector<AlertEvent> out) {
        AlertStateMachine.evaluate(rule, state, value, sample.timestamp())
                .ifPresent(
                        transition ->
                                emit(
                                        out,
                                        rule,
                                        sample.labels(),
                                        transition,
                                        value,
                                        state,
                                        sample.timestamp()));
    }

    /** Emits a transition the state machine just made on {@code state}. */
    /**
     * Ends the rule's episode on a series (deleted rule, series back, series idle): the transition
     * that ends it, if it was pending or firing, stamped {@code eventTime}.
     */
    private static void end(
            Collector<AlertEvent> out,
            Rule rule,
            Map<String, String> seriesLabels,
            double value,
            RuleState state,
            long eventTime) {
        AlertStateMachine.end(state)
                .ifPresent(
                        transition ->
                                emit(out, rule, seriesLabels, transition, value, state, eventTime));
    }

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
            Rule rule, RuleState state, Observation sample, ReadOnlyContext ctx) {
        long windowMs = rule.getWindowMs();
        long start = sample.timestamp() - Math.floorMod(sample.timestamp(), windowMs);
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
        state.windowSum += sample.value();
        state.windowCount++;
    }

    private static PatternSignal signal(
            Rule rule,
            Observation sample,
            double value,
            long timestamp,
            double baseline,
            boolean above) {
        String fingerprint = Alerts.fingerprint(rule.getId(), Alerts.labels(rule, sample.labels()));
        return new PatternSignal(
                fingerprint, rule, sample.labels(), value, timestamp, baseline, above);
    }

    // ---------------------------------------------------------------------------------- timers

    /**
     * The host's timer: every series of the host is looked at, with the timer's time as "now" for
     * the deadlines it was set for; then the timer is set to the next deadline of what is left.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out)
            throws Exception {
        // Now, not the timer's time: after a restore, an overdue timer fires late.
        markStarted(ctx.timerService().currentProcessingTime());
        Long due = wakeUp.value();
        if (due == null || due != timestamp) {
            // A timer the host no longer wants: moved earlier, or its state went with a rule.
            return;
        }
        ReadOnlyBroadcastState<String, RuleSlot> slots = ctx.getBroadcastState(Descriptors.RULES);
        long next = NO_DEADLINE;
        boolean anyLeft = false;
        List<Long> gone = new ArrayList<>();
        Map<Long, SeriesState> changed = new HashMap<>();
        for (Map.Entry<Long, SeriesState> entry : series.entries()) {
            SeriesState seriesState = entry.getValue();
            boolean touched = wake(timestamp, seriesState, slots, out);
            if (seriesState.rules.isEmpty()) {
                gone.add(entry.getKey());
                continue;
            }
            anyLeft = true;
            if (touched) {
                changed.put(entry.getKey(), seriesState);
            }
            next = Math.min(next, nextDeadline(seriesState, slots));
        }
        // After the iteration: the backend's map must not change under it.
        for (Long seriesId : gone) {
            series.remove(seriesId);
        }
        for (Map.Entry<Long, SeriesState> entry : changed.entrySet()) {
            series.put(entry.getKey(), entry.getValue());
        }
        // The timer that fired is gone; only its time is left in state.
        if (!anyLeft || next == NO_DEADLINE) {
            wakeUp.clear();
            return;
        }
        wakeUp.update(
                WakeUps.move(ctx.timerService(), RuleState.NONE, WakeUps.roundUpToSecond(next)));
    }

    /**
     * One series at its host's timer: fires the ABSENCE alerts whose allowed silence is over, and
     * drops the states of the other kinds once the series has been silent for the idle timeout
     * (resolving their alerts) and those of rules that are no longer live.
     *
     * @return whether the series' state changed
     */
    private boolean wake(
            long timestamp,
            SeriesState seriesState,
            ReadOnlyBroadcastState<String, RuleSlot> slots,
            Collector<AlertEvent> out)
            throws Exception {
        long silentSince = silentSince(seriesState);
        boolean changed = false;
        Iterator<Map.Entry<String, RuleState>> states = seriesState.rules.entrySet().iterator();
        while (states.hasNext()) {
            Map.Entry<String, RuleState> entry = states.next();
            RuleSlot slot = slots.get(entry.getKey());
            RuleState state = entry.getValue();
            if (slot == null || !slot.isLive()) {
                states.remove();
                changed = true;
                continue;
            }
            Rule rule = slot.rule;
            if (rule.getKind() == RuleKind.ABSENCE) {
                if (timestamp < silentSince + rule.getForMs()) {
                    continue;
                }
                // The episode starts at the last sample plus the allowed silence: event time, so
                // the event id is the same if a replay fires it again.
                long startsAt = seriesState.lastTimestamp + rule.getForMs();
                double silentSeconds = (timestamp - seriesState.lastArrival) / 1000.0;
                Optional<AlertState> fired = AlertStateMachine.fire(state, startsAt);
                if (fired.isPresent()) {
                    emit(
                            out,
                            rule,
                            seriesState.labels,
                            fired.get(),
                            silentSeconds,
                            state,
                            startsAt);
                    changed = true;
                }
                continue;
            }
            if (timestamp >= silentSince + idleTimeoutMs) {
                long endsAt = seriesState.lastTimestamp + idleTimeoutMs;
                end(out, rule, seriesState.labels, state.lastValue, state, endsAt);
                states.remove();
                changed = true;
            }
        }
        return changed;
    }

    /**
     * The wall-clock time a series next needs its host's timer: the end of the allowed silence of
     * each ABSENCE rule not firing yet, and the idle expiry of the states of the other kinds, the
     * earliest of them; {@link #NO_DEADLINE} if only firing ABSENCE alerts are left, which wait for
     * the series without a timer.
     */
    private long nextDeadline(
            SeriesState seriesState, ReadOnlyBroadcastState<String, RuleSlot> slots)
            throws Exception {
        long allowed = NO_DEADLINE;
        for (Map.Entry<String, RuleState> entry : seriesState.rules.entrySet()) {
            RuleSlot slot = slots.get(entry.getKey());
            if (slot != null && slot.isLive()) {
                allowed = Math.min(allowed, allowedSilence(slot.rule, entry.getValue()));
            }
        }
        return allowed == NO_DEADLINE ? NO_DEADLINE : silentSince(seriesState) + allowed;
    }

    /** Drops the host's timer, once it has no series left. */
    private void forget(TimerService timers) throws Exception {
        Long current = wakeUp.value();
        if (current != null) {
            timers.deleteProcessingTimeTimer(current);
            wakeUp.clear();
        }
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
