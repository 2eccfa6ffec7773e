package io.vigil.bench;

import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import io.vigil.schemas.Topics;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes samples to {@code vigil.metrics.samples} as collectors do: keyed by series id, Avro
 * single-object encoded, batched and lz4-compressed. Counts what was acknowledged.
 */
public final class SampleWriter implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroCodec<MetricSample> codec = Topics.METRIC_SAMPLES.codec();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong valueBytes = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    /** A writer to the brokers at {@code bootstrapServers}. */
    public SampleWriter(String bootstrapServers) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-fleet-simulator");
        this.producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends a sample to the partition of its series. */
    public void send(MetricSample sample) {
        sendRaw(
                Topics.METRIC_SAMPLES.keyFormat().encode(SeriesIds.of(sample)),
                codec.encode(sample),
                null);
    }

    /**
     * Sends a sample to the partition of its series and tells {@code onAcknowledged} the wall time
     * (ms since the epoch) at which the broker acknowledged it. The callback runs on the producer's
     * I/O thread, so it must be quick; it is not called if the send fails.
     */
    public void send(MetricSample sample, LongConsumer onAcknowledged) {
        send(
                Topics.METRIC_SAMPLES.keyFormat().encode(SeriesIds.of(sample)),
                codec.encode(sample),
                null,
                onAcknowledged);
    }

    /** Sends a sample to a chosen partition (to move the watermark of every partition). */
    public void send(MetricSample sample, int partition) {
        sendRaw(
                Topics.METRIC_SAMPLES.keyFormat().encode(SeriesIds.of(sample)),
                codec.encode(sample),
                partition);
    }

    /** Sends arbitrary bytes as a sample value: what a broken or foreign producer would write. */
    public void sendRaw(byte[] key, byte[] value, Integer partition) {
        send(key, value, partition, null);
    }

    private void send(byte[] key, byte[] value, Integer partition, LongConsumer onAcknowledged) {
        Callback callback =
                (metadata, error) -> {
                    if (error != null) {
                        firstFailure.compareAndSet(null, error);
                        return;
                    }
                    acknowledged.incrementAndGet();
                    valueBytes.addAndGet(value == null ? 0 : value.length);
                    if (onAcknowledged != null) {
                        onAcknowledged.accept(System.currentTimeMillis());
                    }
                };
        producer.send(
                new ProducerRecord<>(Topics.METRIC_SAMPLES.name(), partition, key, value),
                callback);
    }

    /** Waits until everything sent is acknowledged; fails if any send failed. */
    public void flush() {
        producer.flush();
        Exception failure = firstFailure.get();
        if (failure != null) {
            throw new IllegalStateException(
                    "Kafka refused samples: " + failure.getMessage(), failure);
        }
    }

    /** Records the brokers acknowledged. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Bytes of acknowledged values (before compression). */
    public long valueBytes() {
        return valueBytes.get();
    }

    /**
     * Bytes the producer has written to the brokers' sockets: lz4-compressed batches plus the Kafka
     * protocol's framing, i.e. what a sample really costs on the network.
     */
    public long networkBytesSent() {
        return producer.metrics().entrySet().stream()
                .filter(
                        e ->
                                e.getKey().group().equals("producer-metrics")
                                        && e.getKey().name().equals("outgoing-byte-total"))
                .mapToLong(e -> Math.round(((Number) e.getValue().metricValue()).doubleValue()))
                .sum();
    }

    /** Number of partitions of the samples topic. */
    public int partitions() {
        return producer.partitionsFor(Topics.METRIC_SAMPLES.name()).size();
    }

    @Override
    public void close() {
        producer.close();
    }
}
