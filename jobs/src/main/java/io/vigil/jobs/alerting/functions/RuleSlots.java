package io.vigil.jobs.alerting.functions;

import io.vigil.jobs.alerting.records.RuleSlot;
import io.vigil.jobs.alerting.records.RuleUpdate;
import io.vigil.schemas.Rule;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.state.BroadcastState;

/**
 * How a rule update changes the broadcast state that holds the rules: one place for the version
 * rules, shared by every operator that holds the rules (the series and the group evaluators).
 *
 * <p>A version not newer than the one held is ignored; a deletion (tombstone), a disabled version,
 * or a version that cannot be evaluated ({@link Rules#problem}) leaves the slot without a live rule
 * but with its version, so an older version arriving later is still recognised as older. The rule
 * that was live before must stop (its state dropped, its alerts resolved) when no version is live
 * any more or when the new one changes what the state means ({@link Rules#resetsState}).
 */
public final class RuleSlots {
    private RuleSlots() {}

    /**
     * What an update did.
     *
     * @param stale the update was older than (or the same as) the version held, and ignored
     * @param problem why the new version cannot be evaluated, if it cannot
     * @param stopped the rule that was live before and whose state must end, or null
     * @param live the rule now live under the id, or null
     */
    public record Change(boolean stale, Optional<String> problem, Rule stopped, Rule live) {}

    /** Applies an update to the slots. */
    public static Change apply(
            BroadcastState<String, RuleSlot> slots, RuleUpdate update, Duration cepMaxWindow)
            throws Exception {
        RuleSlot current = slots.get(update.ruleId);
        Rule before = current != null && current.isLive() ? current.rule : null;
        if (update.isDeletion()) {
            if (current == null) {
                return new Change(false, Optional.empty(), null, null);
            }
            // The slot stays, with the deleted version, so that an older one is still refused.
            slots.put(update.ruleId, new RuleSlot(current.version, null));
            return new Change(false, Optional.empty(), before, null);
        }
        Rule rule = update.rule;
        if (current != null && rule.getVersion() <= current.version) {
            return new Change(true, Optional.empty(), null, before);
        }
        Optional<String> problem =
                rule.getEnabled() ? Rules.problem(rule, cepMaxWindow) : Optional.empty();
        Rule live = rule.getEnabled() && problem.isEmpty() ? rule : null;
        Rule stopped =
                before != null && (live == null || Rules.resetsState(before, live)) ? before : null;
        slots.put(rule.getId(), new RuleSlot(rule.getVersion(), live));
        return new Change(false, problem, stopped, live);
    }
}
