package io.vigil.jobs.alerting.records;

import io.vigil.schemas.Rule;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * An event for a CEP pattern, already tagged with the rule it concerns: a crash loop's down (the
 * series fell to 0 from a non-zero value) or a spike's closed window. The patterns are static, the
 * rules are not; so the rule travels with every event, and the patterns' conditions read its
 * parameters (occurrences, window_ms) from the events they look at.
 */
public class PatternSignal {
    /** How Flink serialises signals. */
    public static final TypeInformation<PatternSignal> TYPE =
            Types.POJO(PatternSignal.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("fingerprint", Types.STRING);
        fields.put("rule", new AvroTypeInfo<>(Rule.class));
        fields.put("labels", Types.MAP(Types.STRING, Types.STRING));
        fields.put("value", Types.DOUBLE);
        fields.put("timestamp", Types.LONG);
        fields.put("baseline", Types.DOUBLE);
        fields.put("above", Types.BOOLEAN);
        return fields;
    }

    /** The fingerprint of the alert the rule raises on the series; the key of the patterns. */
    public String fingerprint;

    public Rule rule;

    /** The series' labels. */
    public Map<String, String> labels;

    /** CRASH_LOOP: the down sample's value (0); SPIKE: the window's mean. */
    public double value;

    /** CRASH_LOOP: the down sample's time; SPIKE: the window's start. Event time, ms. */
    public long timestamp;

    /** SPIKE: the baseline the window was compared with; NaN for CRASH_LOOP. */
    public double baseline = Double.NaN;

    /** SPIKE: whether the window's mean exceeded threshold x baseline; true for a down. */
    public boolean above;

    public PatternSignal() {}

    public PatternSignal(
            String fingerprint,
            Rule rule,
            Map<String, String> labels,
            double value,
            long timestamp,
            double baseline,
            boolean above) {
        this.fingerprint = fingerprint;
        this.rule = rule;
        this.labels = labels;
        this.value = value;
        this.timestamp = timestamp;
        this.baseline = baseline;
        this.above = above;
    }

    @Override
    public String toString() {
        return rule.getId() + "@" + timestamp + "=" + value + (above ? " above" : "");
    }
}
