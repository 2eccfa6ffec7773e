package io.vigil.bench;

import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
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
 * Writes batches to {@code vigil.metrics.samples} as collectors do: one {@link MetricBatch} per
 * host and collection, keyed by the host's origin id (so a host's batches stay in order on one
 * partition), Avro single-object encoded, and Kafka-batched and lz4-compressed by the producer.
 *
 * <pre>{@code
 * try (SampleWriter writer = new SampleWriter(bootstrapServers)) {
 *     writer.send(workload.batch(host, tick));
 *     writer.flush();
 *     double bytesPerSample = (double) writer.valueBytes() / writer.acknowledgedSamples();
 * }
 * }</pre>
 *
 * <p>Counts what the brokers acknowledged in two units: records (what Kafka's offsets, lags and
 * {@code pendingRecords} count) and samples (what the benchmarks report per), so that figures per
 * sample stay per sample however many samples a record holds.
 */
public final class SampleWriter implements AutoCloseable {
    /**
     * The per-sample record the topic carried before batches, for {@link #sendLegacy}; the topic's
     * own codec writes batches only.
     */
    private static final AvroCodec<MetricSample> LEGACY = AvroCodec.of(MetricSample.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroCodec<MetricBatch> codec = Topics.METRIC_SAMPLES.codec();
    private final AtomicLong acknowledgedRecords = new AtomicLong();
    private final AtomicLong acknowledgedSamples = new AtomicLong();
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

    /** Sends a batch to the partition of its origin. */
    public void send(MetricBatch batch) {
        send(keyOf(batch), codec.encode(batch), null, batch.getSamples().size(), null);
    }

    /**
     * Sends a batch to the partition of its origin and tells {@code onAcknowledged} the wall time
     * (ms since the epoch) at which the broker acknowledged it. The callback runs on the producer's
     * I/O thread, so it must be quick; it is not called if the send fails.
     */
    public void send(MetricBatch batch, LongConsumer onAcknowledged) {
        send(keyOf(batch), codec.encode(batch), null, batch.getSamples().size(), onAcknowledged);
    }

    /**
     * Sends a batch to a chosen partition, whatever its origin: to move the watermark of every
     * partition.
     */
    public void send(MetricBatch batch, int partition) {
        send(keyOf(batch), codec.encode(batch), partition, batch.getSamples().size(), null);
    }

    /**
     * Sends one sample as the producers before batches did: a {@link MetricSample} record of its
     * own, keyed by its series id. Only for what must see such a record, for example a test of a
     * rolling upgrade in which some producers still write the old type; everything else sends
     * batches.
     */
    public void sendLegacy(MetricSample sample) {
        send(
                Topics.METRIC_SAMPLES.keyFormat().encode(SeriesIds.of(sample)),
                LEGACY.encode(sample),
                null,
                1,
                null);
    }

    /**
     * Sends arbitrary bytes as a value: what a broken or foreign producer would write. Counted as a
     * record and its bytes, not as samples.
     */
    public void sendRaw(byte[] key, byte[] value, Integer partition) {
        send(key, value, partition, 0, null);
    }

    private static byte[] keyOf(MetricBatch batch) {
        return Topics.METRIC_SAMPLES.keyFormat().encode(MetricBatches.originId(batch));
    }

    private void send(
            byte[] key, byte[] value, Integer partition, int samples, LongConsumer onAcknowledged) {
        Callback callback =
                (metadata, error) -> {
                    if (error != null) {
                        firstFailure.compareAndSet(null, error);
                        return;
                    }
                    acknowledgedRecords.incrementAndGet();
                    acknowledgedSamples.addAndGet(samples);
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

    /** Samples in the records the brokers acknowledged: the sum of their batches' sizes. */
    public long acknowledgedSamples() {
        return acknowledgedSamples.get();
    }

    /** Records the brokers acknowledged: batches, legacy samples and raw values. */
    public long acknowledgedRecords() {
        return acknowledgedRecords.get();
    }

    /**
     * Samples per acknowledged record, to turn counts Kafka keeps in records (offsets, consumer
     * lag) into samples; 1 until a record is acknowledged.
     */
    public double samplesPerRecord() {
        // Two reads that a callback may fall between: off by one record at most, and only for
        // a moment.
        long records = acknowledgedRecords.get();
        return records == 0 ? 1 : (double) acknowledgedSamples.get() / records;
    }

    /** Bytes of acknowledged values (encoded, before compression). */
    public long valueBytes() {
        return valueBytes.get();
    }

    /**
     * Bytes the producer has written to the brokers' sockets: lz4-compressed batches plus the Kafka
     * protocol's framing, i.e. what the samples really cost on the network.
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
