package io.vigil.rules;

import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.connectors.kafka.TopicAdmin;
import io.vigil.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

/** The rules topic, compacted, created by those who write it before their first publish. */
public final class RuleTopic {
    private RuleTopic() {}

    /**
     * Creates {@code Topics.RULES} (compacted, from the registry) if it is missing.
     *
     * @return whether this call created it
     */
    public static boolean createIfMissing(
            KafkaSettings kafka, int partitions, short replicationFactor) {
        try {
            // Retention applies to non-compacted topics only; the rules topic keeps every key.
            return !new TopicAdmin(kafka, partitions, replicationFactor, Duration.ofDays(7))
                    .createMissing(List.of(Topics.RULES))
                    .isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuleStoreException("Interrupted creating " + Topics.RULES, e);
        } catch (ExecutionException e) {
            throw new RuleStoreException(
                    String.format("Cannot create %s: %s", Topics.RULES, e.getCause()), e);
        }
    }
}
