package io.vigil.jobs.alerting.records;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * What the group evaluator keeps of one group of one group-level rule, besides its members: the
 * group's identity, the alert's lifecycle (the same {@link RuleState} a series has, so the same
 * state machine and baseline drive it), the group's two clocks and its one timer.
 */
public class GroupState {
    /** How Flink serialises group states. */
    public static final TypeInformation<GroupState> TYPE = Types.POJO(GroupState.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("ruleId", Types.STRING);
        fields.put("labels", Types.MAP(Types.STRING, Types.STRING));
        fields.put("alert", RuleState.TYPE);
        fields.put("members", Types.INT);
        fields.put("newestTimestamp", Types.LONG);
        fields.put("lastArrival", Types.LONG);
        fields.put("changed", Types.BOOLEAN);
        fields.put("wakeUpAt", Types.LONG);
        return fields;
    }

    public String ruleId;

    /** The group's labels (dc, cluster, rack as far as the level goes), the alert's base labels. */
    public Map<String, String> labels;

    /** The alert of the group: lifecycle, m-of-n history, ANOMALY baseline of the aggregate. */
    public RuleState alert;

    /** Members held in state, so the bound is checked without counting them. */
    public int members;

    /**
     * Event time of the newest value any member contributed: the group's clock, never going back.
     * Evaluations are stamped with it, so {@code for_ms} and {@code keep_firing_for_ms} count event
     * time as they do for a series.
     */
    public long newestTimestamp = RuleState.NONE;

    /** Wall-clock time the latest contribution arrived. */
    public long lastArrival = RuleState.NONE;

    /** Whether a contribution arrived since the last evaluation. */
    public boolean changed;

    /** The one processing-time timer registered for this group, or {@link RuleState#NONE}. */
    public long wakeUpAt = RuleState.NONE;

    public GroupState() {}

    public GroupState(String ruleId, Map<String, String> labels, long ruleVersion) {
        this.ruleId = ruleId;
        this.labels = labels;
        this.alert = new RuleState(ruleVersion);
    }
}
