package io.vigil.jobs.alerting;

import io.vigil.jobs.alerting.records.GroupContribution;
import io.vigil.jobs.alerting.records.GroupMember;
import io.vigil.jobs.alerting.records.GroupState;
import io.vigil.jobs.alerting.records.PatternSignal;
import io.vigil.jobs.alerting.records.RuleSlot;
import io.vigil.jobs.alerting.records.RuleState;
import io.vigil.jobs.alerting.records.SeriesState;
import io.vigil.schemas.AlertEvent;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * State descriptors and side outputs of the alerting job, in one place because savepoints depend on
 * them.
 */
public final class Descriptors {
    /** Broadcast: rule id to the newest version seen and the rule to evaluate, if any. */
    public static final MapStateDescriptor<String, RuleSlot> RULES =
            new MapStateDescriptor<>("rules", Types.STRING, RuleSlot.TYPE);

    /** Per series: rule id to that rule's state on the series. */
    public static final MapStateDescriptor<String, RuleState> RULE_STATES =
            new MapStateDescriptor<>("rule-states", Types.STRING, RuleState.TYPE);

    /** Per series that has rule state: its identity, last sample times and wake-up timer. */
    public static final ValueStateDescriptor<SeriesState> SERIES =
            new ValueStateDescriptor<>("series", SeriesState.TYPE);

    /** CRASH_LOOP rules: each fall of a series to 0, for the crash-loop pattern. */
    public static final OutputTag<PatternSignal> CRASH_LOOP_DOWNS =
            new OutputTag<>("crash-loop-downs", PatternSignal.TYPE);

    /** SPIKE rules: each closed window of a series, for the spike pattern. */
    public static final OutputTag<PatternSignal> SPIKE_WINDOWS =
            new OutputTag<>("spike-windows", PatternSignal.TYPE);

    /** Group-level rules: each matching series' value, for the group evaluator. */
    public static final OutputTag<GroupContribution> GROUP_CONTRIBUTIONS =
            new OutputTag<>("group-contributions", GroupContribution.TYPE);

    /** Per group of a group-level rule: its identity, alert, clocks and timer. */
    public static final ValueStateDescriptor<GroupState> GROUP =
            new ValueStateDescriptor<>("group", GroupState.TYPE);

    /** Per group of a group-level rule: series id to the member's latest value. */
    public static final MapStateDescriptor<Long, GroupMember> GROUP_MEMBERS =
            new MapStateDescriptor<>("group-members", Types.LONG, GroupMember.TYPE);

    /** The events of flapping alerts, for the history (they also go to vigil.alerts). */
    public static final OutputTag<AlertEvent> FLAPPING_ALERTS =
            new OutputTag<>("flapping-alerts", new AvroTypeInfo<>(AlertEvent.class));

    private Descriptors() {}
}
