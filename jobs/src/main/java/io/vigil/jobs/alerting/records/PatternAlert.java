package io.vigil.jobs.alerting.records;

import io.vigil.schemas.Rule;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/** A firing alert of a CEP rule (crash loop, spike), kept until it has been quiet long enough. */
public class PatternAlert {
    /** How Flink serialises pattern alerts. */
    public static final TypeInformation<PatternAlert> TYPE =
            Types.POJO(PatternAlert.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("rule", new AvroTypeInfo<>(Rule.class));
        fields.put("labels", Types.MAP(Types.STRING, Types.STRING));
        fields.put("startsAt", Types.LONG);
        fields.put("lastMatchAt", Types.LONG);
        fields.put("value", Types.DOUBLE);
        fields.put("wakeUpAt", Types.LONG);
        return fields;
    }

    /** The rule version of the latest match. */
    public Rule rule;

    /** The series' labels. */
    public Map<String, String> labels;

    /** Event time of the first match of the episode. */
    public long startsAt;

    /** Event time of the latest match. */
    public long lastMatchAt;

    /** The value of the latest match. */
    public double value;

    /** The processing-time timer that resolves the alert. */
    public long wakeUpAt;

    public PatternAlert() {}
}
