package io.vigil.rules;

import java.util.List;

/**
 * What applying a rule file did.
 *
 * @param changes one per rule of the file, in file order
 * @param republished rules the file did not change that were published again (see {@link
 *     RuleStore#reconcile()})
 */
public record ApplyResult(List<RuleChange> changes, int republished) {
    public ApplyResult {
        changes = List.copyOf(changes);
    }

    /** How many rules had this outcome. */
    public long count(RuleChange.Outcome outcome) {
        return changes.stream().filter(change -> change.outcome() == outcome).count();
    }
}
