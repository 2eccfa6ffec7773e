package io.vigil.jobs.rollup.records;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The name and labels of a series whose samples are buffered in keyed state: what its rows carry
 * besides the aggregates. Kept once per series rather than with every sample.
 */
public class SeriesIdentity {
    /** How Flink serialises it in state (a POJO, no Kryo). */
    public static final TypeInformation<SeriesIdentity> TYPE =
            Types.POJO(SeriesIdentity.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("metric", Types.STRING);
        fields.put("labels", Types.MAP(Types.STRING, Types.STRING));
        return fields;
    }

    public String metric;
    public Map<String, String> labels;

    /** For Flink's POJO serializer. */
    public SeriesIdentity() {}

    public SeriesIdentity(String metric, Map<String, String> labels) {
        this.metric = metric;
        this.labels = labels;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeriesIdentity other
                && Objects.equals(metric, other.metric)
                && Objects.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, labels);
    }
}
