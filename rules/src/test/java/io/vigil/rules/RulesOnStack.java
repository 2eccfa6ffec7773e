package io.vigil.rules;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.cassandra.CqlSessions;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.Rule;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The rule store on the shared local stack: schema, topic, sessions, and reading the topic back.
 */
public final class RulesOnStack {
    private RulesOnStack() {}

    /** Migrates the schema and creates the rules topic; idempotent. */
    public static void prepare(LocalStack stack) {
        try (CqlSession session = session(stack)) {
            CqlMigrator.builder().session(session).build().migrate();
        }
        RuleTopic.createIfMissing(kafka(stack), 2, (short) 1);
    }

    public static KafkaSettings kafka(LocalStack stack) {
        return KafkaSettings.of(stack.kafkaBootstrapServers());
    }

    /**
     * A session whose requests may take 30 s: lightweight transactions are four round trips, and
     * the machine's cores are shared with Kafka, Cassandra and other builds.
     */
    public static CqlSession session(LocalStack stack) {
        return CqlSessions.open(
                stack.cassandraContactPoint(),
                stack.cassandraLocalDatacenter(),
                Duration.ofSeconds(30));
    }

    /** A prefix that keeps one test's rules apart from the others' on the shared stack. */
    public static String uniqueGroup(String name) {
        return name + "-" + Long.toString(System.nanoTime(), 36);
    }

    /**
     * Every record of the rules topic whose key starts with {@code prefix}, per key in log order (a
     * rule's records all live in one partition); a tombstone is a null.
     */
    public static Map<String, List<Rule>> readTopic(LocalStack stack, String prefix)
            throws Exception {
        Properties properties = kafka(stack).toProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AvroCodec<Rule> codec = Topics.RULES.codec();
        Map<String, List<Rule>> records = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(Topics.RULES.name())) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (end.entrySet().stream()
                    .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "could not read the rules topic to its end within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    String key = (String) Topics.RULES.keyFormat().decode(record.key());
                    if (key.startsWith(prefix)) {
                        records.computeIfAbsent(key, k -> new ArrayList<>())
                                .add(record.value() == null ? null : codec.decode(record.value()));
                    }
                }
            }
        }
        return records;
    }

    /** The version of each rule's last record (what compaction keeps); -1 for a tombstone. */
    public static Map<String, Long> lastVersions(Map<String, List<Rule>> records) {
        return records.entrySet().stream()
                .collect(
                        Collectors.toMap(
                                Map.Entry::getKey,
                                e -> {
                                    Rule last = e.getValue().get(e.getValue().size() - 1);
                                    return last == null ? -1L : last.getVersion();
                                }));
    }
}
