package io.vigil.jobs.alerting.records;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * One series' value for one group of a group-level rule, from the rule evaluator (keyed by host) to
 * the group evaluator (keyed by {@link #groupId}): the sample's value, or for RATE rules the
 * series' rate. The rule itself does not travel, only its id: the group evaluator holds the rules
 * as broadcast state, and a record per sample stays small.
 */
public class GroupContribution {
    /** How Flink serialises contributions. */
    public static final TypeInformation<GroupContribution> TYPE =
            Types.POJO(GroupContribution.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("groupId", Types.LONG);
        fields.put("ruleId", Types.STRING);
        fields.put("groupLabels", Types.MAP(Types.STRING, Types.STRING));
        fields.put("seriesId", Types.LONG);
        fields.put("value", Types.DOUBLE);
        fields.put("timestamp", Types.LONG);
        return fields;
    }

    /** The hash of rule id and group labels, the key of the group evaluator. */
    public long groupId;

    public String ruleId;

    /** The labels that make the group: dc, cluster, rack as far as the rule's level goes. */
    public Map<String, String> groupLabels;

    /** The series the value comes from, the member of the group. */
    public long seriesId;

    public double value;

    /** Event time of the sample, ms. */
    public long timestamp;

    public GroupContribution() {}

    public GroupContribution(
            long groupId,
            String ruleId,
            Map<String, String> groupLabels,
            long seriesId,
            double value,
            long timestamp) {
        this.groupId = groupId;
        this.ruleId = ruleId;
        this.groupLabels = groupLabels;
        this.seriesId = seriesId;
        this.value = value;
        this.timestamp = timestamp;
    }

    @Override
    public String toString() {
        return ruleId + groupLabels + " " + seriesId + "@" + timestamp + "=" + value;
    }
}
