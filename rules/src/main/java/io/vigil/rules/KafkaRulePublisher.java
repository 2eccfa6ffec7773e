package io.vigil.rules;

import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.Rule;
import io.vigil.schemas.Topics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes rules to {@code Topics.RULES}: key the rule id, value the {@code Rule} (single-object
 * Avro) or null, a tombstone, for a deleted rule. Each publish waits for the acknowledgement of all
 * in-sync replicas, so that the store's verification read happens after the record is in the log.
 *
 * <pre>{@code
 * try (KafkaRulePublisher publisher = new KafkaRulePublisher(KafkaSettings.of("kafka:9092"))) {
 *     RuleStore store = new RuleStore(session, publisher, Clock.systemUTC());
 *     ...
 * }
 * }</pre>
 */
public final class KafkaRulePublisher implements RulePublisher, AutoCloseable {
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroCodec<Rule> codec = Topics.RULES.codec();

    public KafkaRulePublisher(KafkaSettings kafka) {
        Properties properties = kafka.toProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One rule change is one small record: send it now rather than wait for a batch.
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ACK_TIMEOUT.toMillis());
        this.producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void publish(String id, Rule rule) {
        byte[] key = Topics.RULES.keyFormat().encode(id);
        byte[] value = rule == null ? null : codec.encode(rule);
        try {
            producer.send(new ProducerRecord<>(Topics.RULES.name(), key, value))
                    .get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuleStoreException(String.format("Interrupted publishing rule %s", id), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new RuleStoreException(
                    String.format(
                            "Rule %s is stored but could not be published to %s (%s); the next"
                                    + " apply publishes it",
                            id, Topics.RULES, e.getCause() == null ? e : e.getCause()),
                    e);
        }
    }

    @Override
    public void close() {
        producer.close(ACK_TIMEOUT);
    }
}
