package io.vigil.notifier.inhibit;

import io.vigil.notifier.routing.LabelMatcher;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mutes alerts by the inhibition rules, given every firing alert that can act as a source.
 *
 * <p>Sources come from the whole {@code vigil.alerts} topic, not only from this replica's
 * partitions: the critical alert that mutes a warning may well live in a partition another replica
 * owns. Thread-safe: the topic's reader updates the sources while the dispatcher asks.
 */
public final class Inhibitor {

    private final List<InhibitRule> rules;

    /** Firing alerts that match some rule's source matchers, by fingerprint. */
    private final Map<String, Map<String, String>> sources = new ConcurrentHashMap<>();

    public Inhibitor(List<InhibitRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Records an alert's latest state; only firing alerts that may inhibit are kept. */
    public void observe(String fingerprint, Map<String, String> labels, boolean firing) {
        if (firing && rules.stream().anyMatch(rule -> LabelMatcher.all(rule.source(), labels))) {
            sources.put(fingerprint, Map.copyOf(labels));
        } else {
            sources.remove(fingerprint);
        }
    }

    /** The fingerprint of a firing alert that inhibits one with these labels. */
    public Optional<String> inhibitedBy(Map<String, String> labels, Instant now) {
        if (rules.isEmpty()) {
            return Optional.empty();
        }
        for (Map.Entry<String, Map<String, String>> source : sources.entrySet()) {
            Map<String, String> sourceLabels = source.getValue();
            // An alert never inhibits itself, even if it matches both sides of a rule.
            if (sourceLabels.equals(labels)) {
                continue;
            }
            for (InhibitRule rule : rules) {
                if (rule.inhibits(sourceLabels, labels)) {
                    return Optional.of(source.getKey());
                }
            }
        }
        return Optional.empty();
    }

    public boolean hasRules() {
        return !rules.isEmpty();
    }
}
