package io.vigil.jobs.alerting.records;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * What the evaluator keeps of one series that at least one rule keeps state for: its identity, for
 * alerts raised while it is silent (absence, idle expiry), the two clocks of its last sample, and
 * the state of each rule on it. One value of its host's map ({@code Descriptors.SERIES}, keyed by
 * series id), so that a sample reads and writes its series in one map access, and a rule's state
 * never outlives its series' identity.
 *
 * <p>A POJO of primitives, strings, maps and {@link RuleState} POJOs, so that Flink's POJO
 * serializer copies and writes it without Kryo (the heap backend copies it when a snapshot is
 * running). The evaluator puts it back after every change, as Flink's state contract asks: the heap
 * backend's copy-on-write snapshots rely on it, and RocksDB stores copies.
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
        fields.put("rules", Types.MAP(Types.STRING, RuleState.TYPE));
        return fields;
    }

    public String metric;

    /** All labels of the series: its batch's shared labels and the sample's own. */
    public Map<String, String> labels;

    /** Event time of the newest sample. */
    public long lastTimestamp;

    /** Wall-clock time (the operator's processing time) the newest sample arrived. */
    public long lastArrival;

    /**
     * Rule id to the rule's state on this series; never empty in state (a series without rule state
     * is removed).
     */
    public Map<String, RuleState> rules = new HashMap<>();

    public SeriesState() {}
}
