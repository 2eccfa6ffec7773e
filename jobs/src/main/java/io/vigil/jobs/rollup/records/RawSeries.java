package io.vigil.jobs.rollup.records;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The identity of a series whose raw samples are buffered: what its {@code samples_raw} rows carry
 * besides the samples. Kept once per series rather than with every sample.
 */
public class RawSeries {
    /** How Flink serialises it in state (a POJO, no Kryo). */
    public static final TypeInformation<RawSeries> TYPE = Types.POJO(RawSeries.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("metric", Types.STRING);
        fields.put("labels", Types.MAP(Types.STRING, Types.STRING));
        return fields;
    }

    public String metric;
    public Map<String, String> labels;

    /** For Flink's POJO serializer. */
    public RawSeries() {}

    public RawSeries(String metric, Map<String, String> labels) {
        this.metric = metric;
        this.labels = labels;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawSeries other
                && Objects.equals(metric, other.metric)
                && Objects.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, labels);
    }
}
