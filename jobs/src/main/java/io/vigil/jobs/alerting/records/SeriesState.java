package io.vigil.jobs.alerting.records;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * What the evaluator keeps of a series that at least one rule watches: its identity, for alerts
 * raised while it is silent (absence, idle expiry), and the two clocks of its last sample.
 */
public class SeriesState {
    /** How Flink serialises series states. */
    public static final TypeInformation<SeriesState> TYPE = Types.POJO(SeriesState.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("metric", Types.STRING);
        fields.put("labels", Types.MAP(Types.STRING, Types.STRING));
        fields.put("lastTimestamp", Types.LONG);
        fields.put("lastArrival", Types.LONG);
        fields.put("wakeUpAt", Types.LONG);
        return fields;
    }

    public String metric;
    public Map<String, String> labels;

    /** Event time of the newest sample. */
    public long lastTimestamp;

    /** Wall-clock time (the operator's processing time) the newest sample arrived. */
    public long lastArrival;

    /** The one processing-time timer registered for this series, or {@link RuleState#NONE}. */
    public long wakeUpAt = RuleState.NONE;

    public SeriesState() {}
}
