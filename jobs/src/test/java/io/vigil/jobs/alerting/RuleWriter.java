package io.vigil.jobs.alerting;

import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import io.vigil.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes rules and tombstones to vigil.rules, as the rule store does. */
final class RuleWriter implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    RuleWriter(KafkaSettings kafka) {
        producer =
                new KafkaProducer<>(
                        kafka.toProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A THRESHOLD rule of one test run: id {@code <name>-<run>}, labelled with the run. */
    static Rule.Builder rule(String run, String name, String metric) {
        return Rule.newBuilder()
                .setId(name + "-" + run)
                .setVersion(1)
                .setName("It" + name)
                .setKind(RuleKind.THRESHOLD)
                .setMetric(metric)
                .setLabels(Map.of("run", run))
                .setUpdatedAt(System.currentTimeMillis());
    }

    void write(Rule rule) throws Exception {
        send(rule.getId(), Topics.RULES.codec().encode(rule));
    }

    void delete(String ruleId) throws Exception {
        send(ruleId, null);
    }

    private void send(String ruleId, byte[] value) throws Exception {
        producer.send(
                        new ProducerRecord<>(
                                Topics.RULES.name(),
                                ruleId.getBytes(StandardCharsets.UTF_8),
                                value))
                .get();
    }

    @Override
    public void close() {
        producer.close();
    }
}
