package io.vigil.jobs.alerting.records;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** The latest value one series contributed to a group, and when. */
public class GroupMember {
    /** How Flink serialises members. */
    public static final TypeInformation<GroupMember> TYPE = Types.POJO(GroupMember.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("value", Types.DOUBLE);
        fields.put("timestamp", Types.LONG);
        fields.put("arrival", Types.LONG);
        return fields;
    }

    public double value;

    /** Event time of the value, ms. */
    public long timestamp;

    /** Wall-clock time (the group evaluator's processing time) the value arrived. */
    public long arrival;

    public GroupMember() {}

    public GroupMember(double value, long timestamp, long arrival) {
        this.value = value;
        this.timestamp = timestamp;
        this.arrival = arrival;
    }
}
