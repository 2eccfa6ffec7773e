package io.vigil.jobs.alerting.functions;

import io.vigil.jobs.alerting.Descriptors;
import io.vigil.jobs.alerting.records.AlertPhase;
import io.vigil.jobs.alerting.records.GroupContribution;
import io.vigil.jobs.alerting.records.GroupMember;
import io.vigil.jobs.alerting.records.GroupState;
import io.vigil.jobs.alerting.records.RuleSlot;
import io.vigil.jobs.alerting.records.RuleState;
import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates group-level rules, as Prometheus evaluates {@code avg by (rack) (metric) > x}: keyed by
 * (rule, group) ({@link Groups#id}), it keeps the latest value each member series contributed and,
 * every evaluation interval, aggregates the members' values and steps the group's alert with the
 * same {@link AlertStateMachine} a series has. Rules arrive as broadcast state, as in {@link
 * RuleEvaluator}, which sends the contributions.
 *
 * <p><b>Members.</b> A member counts while its latest value is within the rule's {@code window_ms}
 * on both clocks: it arrived less than {@code window_ms} ago (wall clock; a dead host drops out and
 * does not pin the average), and its event time is less than {@code window_ms} behind the group's
 * newest (so while a backlog is replayed, a host that died long ago is not averaged with the
 * present). A member that no longer counts is removed. A group holds at most {@code maxMembers};
 * contributions of further series are refused and counted ({@code groupMembersRefused}) until
 * members drop out.
 *
 * <p><b>Evaluation.</b> On a processing-time timer on a grid of {@link Groups#evaluationIntervalMs}
 * (the job's interval, or the window if shorter), if a contribution arrived or a member dropped out
 * since the last one. The evaluation is stamped with the group's newest event time, so {@code
 * for_ms}, {@code keep_firing_for_ms}, m-of-n (one evaluation per interval), hysteresis, RATE (the
 * members' rates, aggregated) and ANOMALY (a baseline of the aggregate) behave as for a series.
 * ABSENCE fires when no member contributed for {@code for_ms} (wall clock, counted from this
 * instance's start at the earliest, as for series) and resolves at the next contribution; it keeps
 * no members.
 *
 * <p><b>State.</b> Per group: a {@link GroupState} and the members. A group without members (all
 * dropped out) is dropped {@code idleTimeout} after its last contribution, its active alert
 * resolved, except a firing ABSENCE alert, which waits for the group to return. A rule that stops
 * (deleted, disabled, invalid, or changed in a way that {@link Rules#resetsState}) drops its groups
 * at once and resolves their alerts; the timers that outlive them find nothing and end.
 */
public final class GroupEvaluator
        extends KeyedBroadcastProcessFunction<Long, GroupContribution, RuleUpdate, AlertEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GroupEvaluator.class);

    private final long intervalMs;
    private final long idleTimeoutMs;
    private final int maxMembers;
    private final Duration cepMaxWindow;

    private transient ValueState<GroupState> group;
    private transient MapState<Long, GroupMember> members;
    private transient Counter membersRefused;
    private transient Counter contributionsWithoutRule;

    /** Processing time of this instance's first callback; silence is counted from it at most. */
    private transient long startedAt;

    /**
     * @param interval how often a group is evaluated at most
     * @param idleTimeout how long a group without members keeps its state
     * @param maxMembers the most series a group holds
     * @param cepMaxWindow as for {@link RuleEvaluator}, so both agree on which rules are live
     */
    public GroupEvaluator(
            Duration interval, Duration idleTimeout, int maxMembers, Duration cepMaxWindow) {
        if (interval.toMillis() < Groups.MIN_WINDOW_MS || maxMembers < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "the interval must be at least %s ms and maxMembers at least 1, were"
                                    + " %s and %s",
                            Groups.MIN_WINDOW_MS, interval, maxMembers));
        }
        this.intervalMs = interval.toMillis();
        this.idleTimeoutMs = idleTimeout.toMillis();
        this.maxMembers = maxMembers;
        this.cepMaxWindow = cepMaxWindow;
    }

    @Override
    public void open(OpenContext openContext) {
        group = getRuntimeContext().getState(Descriptors.GROUP);
        members = getRuntimeContext().getMapState(Descriptors.GROUP_MEMBERS);
        membersRefused = getRuntimeContext().getMetricGroup().counter("groupMembersRefused");
        contributionsWithoutRule =
                getRuntimeContext().getMetricGroup().counter("contributionsWithoutRule");
        startedAt = RuleState.NONE;
    }

    // ---------------------------------------------------------------------------------- rules

    @Override
    public void processBroadcastElement(RuleUpdate update, Context ctx, Collector<AlertEvent> out)
            throws Exception {
        markStarted(ctx.currentProcessingTime());
        // The rule evaluator logs, counts and dead-letters what is wrong with a rule; here the
        // same slots only decide what is live.
        RuleSlots.Change change =
                RuleSlots.apply(ctx.getBroadcastState(Descriptors.RULES), update, cepMaxWindow);
        Rule stopped = change.stopped();
        if (stopped == null || stopped.getGroupLevel() == GroupLevel.SERIES) {
            return;
        }
        long[] dropped = {0};
        ctx.applyToKeyedState(
                Descriptors.GROUP,
                (groupId, state) -> {
                    GroupState groupState = state.value();
                    if (groupState == null || !groupState.ruleId.equals(update.ruleId)) {
                        return;
                    }
                    end(out, stopped, groupState, groupState.newestTimestamp);
                    state.clear();
                    // The backend has made groupId the current key, so these are its members.
                    members.clear();
                    dropped[0]++;
                });
        LOG.info("Rule {} stopped: {} groups dropped", update.ruleId, dropped[0]);
    }

    // -------------------------------------------------------------------------- contributions

    @Override
    public void processElement(
            GroupContribution contribution, ReadOnlyContext ctx, Collector<AlertEvent> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        markStarted(now);
        RuleSlot slot = ctx.getBroadcastState(Descriptors.RULES).get(contribution.ruleId);
        if (slot == null || !slot.isLive() || slot.rule.getGroupLevel() == GroupLevel.SERIES) {
            // The rule changed between the two evaluators; its next version decides again.
            contributionsWithoutRule.inc();
            return;
        }
        Rule rule = slot.rule;
        GroupState groupState = group.value();
        // A new group is first evaluated a whole interval later, not at the next tick of the
        // grid: its members' first values, sent together by their hosts but evaluated by other
        // subtasks, arrive a little apart, and a rack of one hot host and one idle one must not
        // look hot for the moment only the first has arrived.
        long evaluationFrom = now;
        if (groupState == null) {
            groupState = new GroupState(rule.getId(), contribution.groupLabels, rule.getVersion());
            evaluationFrom = now + Groups.evaluationIntervalMs(rule, intervalMs) - 1;
        }
        // A group with members has its next evaluation scheduled already.
        boolean evaluationScheduled =
                groupState.members > 0 && groupState.wakeUpAt != RuleState.NONE;
        if (rule.getKind() != RuleKind.ABSENCE && !admit(groupState, contribution, now)) {
            membersRefused.inc();
            return;
        }
        groupState.alert.ruleVersion = rule.getVersion();
        groupState.newestTimestamp = Math.max(groupState.newestTimestamp, contribution.timestamp);
        groupState.lastArrival = now;
        groupState.changed = true;
        if (rule.getKind() == RuleKind.ABSENCE) {
            // The group is back.
            emit(
                    out,
                    rule,
                    groupState,
                    AlertStateMachine.end(groupState.alert),
                    contribution.value,
                    contribution.timestamp);
        }
        if (!evaluationScheduled) {
            schedule(groupState, rule, evaluationFrom, ctx.timerService());
        }
        group.update(groupState);
    }

    /** Stores the member's value; false if the series is new and the group is full. */
    private boolean admit(GroupState groupState, GroupContribution contribution, long now)
            throws Exception {
        GroupMember member = members.get(contribution.seriesId);
        if (member == null) {
            if (groupState.members >= maxMembers) {
                return false;
            }
            groupState.members++;
            member = new GroupMember();
        } else if (contribution.timestamp < member.timestamp) {
            // The series evaluator skips older samples; a contribution can still overtake another
            // after a rescale. The member keeps its newest value.
            return true;
        }
        member.value = contribution.value;
        member.timestamp = contribution.timestamp;
        member.arrival = now;
        members.put(contribution.seriesId, member);
        return true;
    }

    // ---------------------------------------------------------------------------------- timers

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out)
            throws Exception {
        // Now, not the timer's time: after a restore, an overdue timer fires late.
        long now = ctx.timerService().currentProcessingTime();
        markStarted(now);
        GroupState groupState = group.value();
        if (groupState == null || groupState.wakeUpAt != timestamp) {
            return;
        }
        groupState.wakeUpAt = RuleState.NONE;
        RuleSlot slot = ctx.getBroadcastState(Descriptors.RULES).get(groupState.ruleId);
        if (slot == null || !slot.isLive()) {
            // Stopping the rule resolved the group's alert already.
            drop();
            return;
        }
        Rule rule = slot.rule;
        if (rule.getKind() == RuleKind.ABSENCE) {
            absence(rule, groupState, timestamp, out);
        } else {
            boolean dropped = expireMembers(rule, groupState, now);
            if (groupState.changed || dropped) {
                evaluate(rule, groupState, out);
            }
            if (groupState.members == 0 && now >= silentSince(groupState) + idleTimeoutMs) {
                end(out, rule, groupState, groupState.newestTimestamp + idleTimeoutMs);
                drop();
                return;
            }
        }
        groupState.changed = false;
        schedule(groupState, rule, now, ctx.timerService());
        group.update(groupState);
    }

    /**
     * Removes the members whose latest value is older than the window on either clock; whether any
     * went.
     */
    private boolean expireMembers(Rule rule, GroupState groupState, long now) throws Exception {
        long windowMs = rule.getWindowMs();
        List<Long> gone = new ArrayList<>();
        for (Map.Entry<Long, GroupMember> entry : members.entries()) {
            GroupMember member = entry.getValue();
            boolean silent = Math.max(member.arrival, startedAt) + windowMs <= now;
            boolean behind = member.timestamp + windowMs <= groupState.newestTimestamp;
            if (silent || behind) {
                gone.add(entry.getKey());
            }
        }
        for (Long seriesId : gone) {
            members.remove(seriesId);
        }
        groupState.members -= gone.size();
        return !gone.isEmpty();
    }

    /** Aggregates the members and steps the group's alert with the result. */
    private void evaluate(Rule rule, GroupState groupState, Collector<AlertEvent> out)
            throws Exception {
        Groups.Aggregate aggregate = new Groups.Aggregate();
        for (GroupMember member : members.values()) {
            aggregate.add(member.value);
        }
        double value = aggregate.value(rule.getAggregation());
        if (Double.isNaN(value)) {
            return;
        }
        RuleState alert = groupState.alert;
        if (rule.getKind() == RuleKind.ANOMALY) {
            value =
                    Baseline.scoreAndAdd(
                            alert, rule.getBaselineAlpha(), rule.getMinSamples(), value);
            if (Double.isNaN(value)) {
                return;
            }
        }
        long at = groupState.newestTimestamp;
        emit(out, rule, groupState, AlertStateMachine.evaluate(rule, alert, value, at), value, at);
    }

    /** ABSENCE: fires once no member contributed for {@code for_ms} of wall clock. */
    private void absence(
            Rule rule, GroupState groupState, long timestamp, Collector<AlertEvent> out) {
        if (timestamp < silentSince(groupState) + rule.getForMs()) {
            return;
        }
        // Event time, as for a series: the newest sample plus the allowed silence.
        long startsAt = groupState.newestTimestamp + rule.getForMs();
        double silentSeconds = (timestamp - groupState.lastArrival) / 1000.0;
        emit(
                out,
                rule,
                groupState,
                AlertStateMachine.fire(groupState.alert, startsAt),
                silentSeconds,
                startsAt);
    }

    /**
     * Sets the group's one timer: while it has members, the first evaluation on the grid after
     * {@code from}; else its idle expiry; for ABSENCE the end of the allowed silence (rounded up to
     * the second, so a group moves its timer at most once a second), none while the alert fires.
     */
    private void schedule(GroupState groupState, Rule rule, long from, TimerService timers) {
        long wanted;
        if (rule.getKind() == RuleKind.ABSENCE) {
            wanted =
                    groupState.alert.phase == AlertPhase.FIRING
                            ? RuleState.NONE
                            : WakeUps.roundUpToSecond(silentSince(groupState) + rule.getForMs());
        } else if (groupState.members > 0) {
            wanted = Groups.nextEvaluation(from, Groups.evaluationIntervalMs(rule, intervalMs));
        } else {
            wanted = WakeUps.roundUpToSecond(silentSince(groupState) + idleTimeoutMs);
        }
        groupState.wakeUpAt = WakeUps.move(timers, groupState.wakeUpAt, wanted);
    }

    private void drop() {
        group.clear();
        members.clear();
    }

    /** Resolves the group's alert, if active, whatever the condition. */
    private static void end(
            Collector<AlertEvent> out, Rule rule, GroupState groupState, long eventTime) {
        emit(
                out,
                rule,
                groupState,
                AlertStateMachine.end(groupState.alert),
                groupState.alert.lastValue,
                eventTime);
    }

    /** Emits the transition the state machine made on the group's alert, if it made one. */
    private static void emit(
            Collector<AlertEvent> out,
            Rule rule,
            GroupState groupState,
            Optional<AlertState> transition,
            double value,
            long eventTime) {
        transition.ifPresent(
                state ->
                        out.collect(
                                Alerts.event(
                                        rule,
                                        groupState.labels,
                                        state,
                                        value,
                                        groupState.alert.startsAt,
                                        eventTime,
                                        groupState.alert.sequence)));
    }

    private long silentSince(GroupState groupState) {
        return Math.max(groupState.lastArrival, startedAt);
    }

    private void markStarted(long now) {
        if (startedAt == RuleState.NONE) {
            startedAt = now;
        }
    }
}
