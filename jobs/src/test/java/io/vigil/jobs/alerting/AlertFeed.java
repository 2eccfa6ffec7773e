package io.vigil.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** This run's alert events on vigil.alerts, from a point in time, in arrival order. */
final class AlertFeed implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String run;
    private final List<AlertEvent> events = new ArrayList<>();

    AlertFeed(KafkaSettings kafka, long from, String run) {
        this.run = run;
        consumer =
                new KafkaConsumer<>(
                        kafka.toProperties(),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        List<TopicPartition> partitions =
                consumer.partitionsFor(Topics.ALERTS.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .collect(Collectors.toList());
        consumer.assign(partitions);
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, from));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
        consumer.seekToEnd(partitions);
        offsets.forEach(
                (partition, offset) -> {
                    if (offset != null) {
                        consumer.seek(partition, offset.offset());
                    }
                });
    }

    void poll(Duration timeout) throws Exception {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            AlertEvent event = Topics.ALERTS.codec().decode(record.value());
            if (event.getRuleId().endsWith("-" + run)) {
                events.add(event);
            }
        }
    }

    boolean has(Predicate<AlertEvent> wanted) {
        return events.stream().anyMatch(wanted);
    }

    void await(Predicate<AlertEvent> wanted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!has(wanted)) {
            assertThat(System.nanoTime())
                    .as("waiting for an alert; seen so far: %s", events)
                    .isLessThan(deadline);
            poll(Duration.ofMillis(200));
        }
    }

    List<AlertEvent> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
