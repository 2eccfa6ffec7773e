package io.vigil.rules;

/**
 * What one write did to one rule.
 *
 * @param id the rule
 * @param version the version the store holds after the write
 * @param outcome whether the write created, changed, left alone or deleted the rule
 */
public record RuleChange(String id, long version, Outcome outcome) {
    /** What a write did. */
    public enum Outcome {
        CREATED,
        UPDATED,
        /** The definition equals the stored one: no new version, nothing published. */
        UNCHANGED,
        DELETED,
        /** A default rule left as someone else wrote it (or deleted it); see applyDefaults. */
        KEPT
    }
}
