package io.vigil.bench.alerting;

import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads {@code vigil.alerts} from its end, in a thread of its own, and reports each FIRING event of
 * the benchmark's rule to {@link IncidentLatencies} twice: under {@link #RECEIVED} at the moment
 * this consumer got it, and under {@link #APPENDED} at the broker's append time (the topic's
 * timestamps must be {@code LogAppendTime} for that; otherwise the stage stays empty and the
 * incidents count as missing there, which the report says).
 */
public final class AlertTopicFollower implements AutoCloseable {
    /** A firing alert received by a consumer of the alerts topic. */
    public static final String RECEIVED = "topic received";

    /** A firing alert appended to the alerts topic (the broker's LogAppendTime). */
    public static final String APPENDED = "topic appended";

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec<AlertEvent> codec = Topics.ALERTS.codec();
    private final String alertname;
    private final IncidentLatencies latencies;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger events = new AtomicInteger();
    private final AtomicInteger undecodable = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;

    /**
     * Starts reading at the topic's current end.
     *
     * @param alertname the {@code alertname} label of the benchmark's rule
     */
    public AlertTopicFollower(KafkaSettings kafka, String alertname, IncidentLatencies latencies) {
        this.alertname = alertname;
        this.latencies = latencies;
        Properties properties = kafka.toProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Answer a fetch as soon as one record is there.
        properties.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        this.consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions =
                consumer.partitionsFor(Topics.ALERTS.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the end now, not at the first poll, so that nothing before the start counts.
        partitions.forEach(consumer::position);
        this.thread = new Thread(this::run, "bench-alerts-topic");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(100))) {
                    long receivedAt = System.currentTimeMillis();
                    events.incrementAndGet();
                    AlertEvent event;
                    try {
                        event = codec.decode(record.value());
                    } catch (AvroCodec.DecodeException | RuntimeException e) {
                        undecodable.incrementAndGet();
                        continue;
                    }
                    if (event.getState() != AlertState.FIRING
                            || !alertname.equals(event.getLabels().get("alertname"))) {
                        continue;
                    }
                    String host = event.getLabels().get("host");
                    latencies.seen(RECEIVED, host, receivedAt);
                    if (record.timestampType() == TimestampType.LOG_APPEND_TIME) {
                        latencies.seen(APPENDED, host, record.timestamp());
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!stop.get()) {
                failure.set(e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Records read from the topic (any rule, any state) and those that did not decode. */
    public int events() {
        return events.get();
    }

    public int undecodable() {
        return undecodable.get();
    }

    /** Fails if the consumer thread died. */
    public void check() {
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "reading " + Topics.ALERTS + " failed: " + failure.get().getMessage(),
                    failure.get());
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        consumer.wakeup();
        thread.join(Duration.ofSeconds(10).toMillis());
    }
}
