package io.vigil.notifier.inhibit;

import io.vigil.notifier.routing.LabelMatcher;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Mutes alerts matching {@code target} while an alert matching {@code source} fires with the same
 * values of the {@code equal} labels, e.g. a critical alert mutes the warning of the same instance.
 * As in Alertmanager, an alert that matches both source and target is not muted by itself.
 *
 * @param source matchers of the muting alert
 * @param target matchers of the muted alert
 * @param equal labels that must have equal values (missing counts as empty) in both
 */
public record InhibitRule(
        List<LabelMatcher> source, List<LabelMatcher> target, List<String> equal) {

    public InhibitRule {
        source = List.copyOf(Objects.requireNonNull(source, "source"));
        target = List.copyOf(Objects.requireNonNull(target, "target"));
        equal = List.copyOf(Objects.requireNonNull(equal, "equal"));
    }

    /** Whether a firing alert with {@code sourceLabels} mutes one with {@code targetLabels}. */
    public boolean inhibits(Map<String, String> sourceLabels, Map<String, String> targetLabels) {
        if (!LabelMatcher.all(source, sourceLabels) || !LabelMatcher.all(target, targetLabels)) {
            return false;
        }
        for (String name : equal) {
            if (!sourceLabels.getOrDefault(name, "").equals(targetLabels.getOrDefault(name, ""))) {
                return false;
            }
        }
        return true;
    }
}
