package io.vigil.jobs.alerting;

import io.vigil.jobs.alerting.records.GroupContribution;
import io.vigil.jobs.alerting.records.GroupMember;
import io.vigil.jobs.alerting.records.GroupState;
import io.vigil.jobs.alerting.records.PatternSignal;
import io.vigil.jobs.alerting.records.RuleSlot;
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

    /**
     * Per host (origin id, see {@code MetricBatches.originId}): series id to the series' identity,
     * last sample times and rule states, for each series of the host that a rule keeps state for.
     *
     * <p>Named "series" as the per-series value state it replaces, on purpose: a savepoint from
     * before batches (keyed by series) holds a value state of that name, and the backend refuses to
     * open it as a map state instead of reading series ids as hosts.
     */
    public static final MapStateDescriptor<Long, SeriesState> SERIES =
            new MapStateDescriptor<>("series", Types.LONG, SeriesState.TYPE);

    /** Per host with rule state: the time of its one processing-time timer, if one is set. */
    public static final ValueStateDescriptor<Long> HOST_WAKE_UP =
            new ValueStateDescriptor<>("host-wake-up", Types.LONG);

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
