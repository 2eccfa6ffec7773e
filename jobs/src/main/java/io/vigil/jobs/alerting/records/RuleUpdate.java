package io.vigil.jobs.alerting.records;

import io.vigil.schemas.Rule;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * One record of the compacted rules topic: a rule version, or a tombstone ({@code rule == null})
 * that deletes the rule with the record's key.
 *
 * <p>A POJO rather than the {@link Rule} itself because a tombstone has no value, only a key, and
 * Avro's serializer cannot carry a null record; the POJO serializer writes the null field as a
 * flag.
 */
public class RuleUpdate {
    /** How Flink serialises rule updates. */
    public static final TypeInformation<RuleUpdate> TYPE = Types.POJO(RuleUpdate.class, fields());

    private static Map<String, TypeInformation<?>> fields() {
        Map<String, TypeInformation<?>> fields = new HashMap<>();
        fields.put("ruleId", Types.STRING);
        fields.put("rule", new AvroTypeInfo<>(Rule.class));
        return fields;
    }

    /** The rule id, the record's key. */
    public String ruleId;

    /** The new version, or null for a deletion. */
    public Rule rule;

    public RuleUpdate() {}

    private RuleUpdate(String ruleId, Rule rule) {
        this.ruleId = ruleId;
        this.rule = rule;
    }

    /** A new or changed rule. */
    public static RuleUpdate of(Rule rule) {
        return new RuleUpdate(rule.getId(), rule);
    }

    /** The deletion of a rule. */
    public static RuleUpdate deletion(String ruleId) {
        return new RuleUpdate(ruleId, null);
    }

    public boolean isDeletion() {
        return rule == null;
    }

    @Override
    public String toString() {
        return isDeletion() ? "delete " + ruleId : ruleId + " v" + rule.getVersion();
    }
}
