package io.vigil.jobs.alerting.records;

import io.vigil.schemas.Rule;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * What the job knows of one rule id, in broadcast state: the newest version seen and, if that
 * version is live, the rule. A deleted, disabled or invalid rule keeps its slot with {@code rule ==
 * null}, so that an older version arriving afterwards is still recognised as older and ignored.
 */
public class RuleSlot {
    /** How Flink serialises slots. */
    public static final TypeInformation<RuleSlot> TYPE = Types.POJO(RuleSlot.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("version", Types.LONG);
        fields.put("rule", new AvroTypeInfo<>(Rule.class));
        return fields;
    }

    /** The newest version seen; a tombstone carries none and keeps the version it deleted. */
    public long version;

    /** The rule to evaluate, or null if there is none at this version. */
    public Rule rule;

    public RuleSlot() {}

    public RuleSlot(long version, Rule rule) {
        this.version = version;
        this.rule = rule;
    }

    /** Whether this slot holds a rule to evaluate. */
    public boolean isLive() {
        return rule != null;
    }
}
