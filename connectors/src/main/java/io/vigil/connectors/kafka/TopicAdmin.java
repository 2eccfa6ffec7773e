package io.vigil.connectors.kafka;

import io.vigil.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Vigil's topics from the {@link io.vigil.schemas.Topics} registry. Idempotent: topics that
 * exist are left as they are.
 *
 * <p>Compacted topics (rules, silences) keep the last value of every key forever; the others expire
 * after {@code retention}. Partition counts are a deployment decision: the samples topic needs at
 * least as many partitions as the rollup job has source subtasks.
 */
public final class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private final KafkaSettings settings;
    private final int partitions;
    private final short replicationFactor;
    private final Duration retention;

    /**
     * @param settings the cluster
     * @param partitions partitions of every non-compacted topic (compacted ones get one fewer
     *     concern: they are small, and get the same count for simplicity)
     * @param replicationFactor 1 on a single broker, 3 in production
     * @param retention how long non-compacted topics keep records
     */
    public TopicAdmin(
            KafkaSettings settings, int partitions, short replicationFactor, Duration retention) {
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "partitions (%s) and replication factor (%s) must be positive",
                            partitions, replicationFactor));
        }
        this.settings = settings;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.retention = retention;
    }

    /**
     * Creates every given topic that does not exist yet.
     *
     * @return the names of the topics this call created
     */
    public List<String> createMissing(List<Topic<?>> topics)
            throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(settings.toProperties())) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?> topic : topics) {
                if (!existing.contains(topic.name())) {
                    missing.add(newTopic(topic));
                }
            }
            CreateTopicsResult result = admin.createTopics(missing);
            List<String> created = new ArrayList<>();
            for (NewTopic topic : missing) {
                try {
                    result.values().get(topic.name()).get();
                    created.add(topic.name());
                    LOG.info("Created topic {} with {} partitions", topic.name(), partitions);
                } catch (ExecutionException e) {
                    // Another process created it between our listing and our request.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            return created;
        }
    }

    private NewTopic newTopic(Topic<?> topic) {
        Map<String, String> configs = new HashMap<>();
        if (topic.cleanup() == Topic.Cleanup.COMPACT) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        } else {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
        }
        // Producers batch; lz4 keeps the broker's disk and network small at little CPU.
        configs.put(TopicConfig.COMPRESSION_TYPE_CONFIG, "producer");
        return new NewTopic(topic.name(), partitions, replicationFactor).configs(configs);
    }
}
