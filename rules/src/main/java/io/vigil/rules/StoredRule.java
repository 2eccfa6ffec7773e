package io.vigil.rules;

import io.vigil.schemas.Rule;

/**
 * A row of the {@code rules} table: the latest version of a rule, or the marker that it was deleted
 * at that version. Deleted rules keep their row so that versions keep growing if the rule is
 * created again.
 *
 * @param rule the latest definition (for a deleted rule, the one before the delete)
 * @param version the row's version; a delete is a version too
 * @param deleted whether the rule was deleted
 * @param source where this version came from: a file, {@code api}, {@code cli}
 */
public record StoredRule(Rule rule, long version, boolean deleted, String source) {
    public String id() {
        return rule.getId();
    }

    /** Whether the rule exists (is not deleted). */
    public boolean live() {
        return !deleted;
    }
}
