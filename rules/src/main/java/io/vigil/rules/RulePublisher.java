package io.vigil.rules;

import io.vigil.schemas.Rule;

/**
 * Publishes accepted rule versions to the compacted rules topic. Implementations return once the
 * record is durably written (acknowledged), and throw if it could not be.
 */
public interface RulePublisher {
    /**
     * Publishes a rule's current version, or a tombstone when {@code rule} is null (the rule was
     * deleted).
     */
    void publish(String id, Rule rule);
}
