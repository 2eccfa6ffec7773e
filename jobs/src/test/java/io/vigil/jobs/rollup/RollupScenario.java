package io.vigil.jobs.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.vigil.bench.Fleet;
import io.vigil.bench.SampleWriter;
import io.vigil.bench.Workload;
import io.vigil.connectors.cassandra.CassandraSinkOptions;
import io.vigil.connectors.cassandra.CqlMigrator;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.connectors.kafka.TopicAdmin;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.ClientReport;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.NelBody;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The end-to-end workload of the metrics-rollup tests, and the truth to hold the job to.
 *
 * <p>A fleet of 200 hosts x 10 series reports every 10 s for 5 minutes (60 000 samples), 2 % of
 * them up to 25 s out of order. Halfway through, two records that are not samples arrive: garbage
 * bytes and a valid Avro record of another schema. Afterwards one sentinel sample per partition,
 * minutes later, moves every partition's watermark past the workload so its last windows close.
 *
 * <p>The truth is computed here, independently of the job's code: samples grouped by series and
 * minute, summed in the order they were written (the order Kafka keeps per series), so even the
 * floating-point sums must match exactly.
 */
final class RollupScenario {
    static final int HOSTS = 200;
    static final int SERIES_PER_HOST = 10;
    static final Duration STEP = Duration.ofSeconds(10);
    static final Duration LENGTH = Duration.ofMinutes(5);
    static final Duration MAX_DISORDER = Duration.ofSeconds(25);
    static final String SENTINEL_METRIC = "vigil_test_sentinel";

    private final LocalStack stack;
    private final Instant t0;
    private final Workload workload;
    private final String garbageMarker = "garbage-" + UUID.randomUUID();
    private final List<Workload.Delivery> deliveries;
    private final List<RecordMetadata> rejects = new ArrayList<>();

    /**
     * @param t0 start of the workload, a minute boundary distinct for every test
     */
    RollupScenario(LocalStack stack, Instant t0, long seed) {
        this.stack = stack;
        this.t0 = t0;
        this.workload =
                new Workload(new Fleet(HOSTS, SERIES_PER_HOST), STEP, seed, 0.02, MAX_DISORDER);
        this.deliveries = workload.deliveries(t0, t0.plus(LENGTH));
    }

    /** Applies the Cassandra schema and creates the topics, as {@code vigil up} does. */
    static void prepare(LocalStack stack) throws Exception {
        try (CqlSession session = session(stack)) {
            CqlMigrator.builder().session(session).build().migrate();
        }
        new TopicAdmin(kafka(stack), 4, (short) 1, Duration.ofDays(1)).createMissing(Topics.ALL);
    }

    static KafkaSettings kafka(LocalStack stack) {
        return KafkaSettings.of(stack.kafkaBootstrapServers());
    }

    /** The sink options that point at the stack's Cassandra. */
    static Configuration cassandraOptions(LocalStack stack) {
        Configuration options = new Configuration();
        options.set(
                CassandraSinkOptions.CONTACT_POINTS,
                List.of(
                        stack.cassandraContactPoint().getHostString()
                                + ":"
                                + stack.cassandraContactPoint().getPort()));
        options.set(CassandraSinkOptions.LOCAL_DATACENTER, stack.cassandraLocalDatacenter());
        return options;
    }

    static CqlSession session(LocalStack stack) {
        return CqlSession.builder()
                .addContactPoint(stack.cassandraContactPoint())
                .withLocalDatacenter(stack.cassandraLocalDatacenter())
                .build();
    }

    /** Writes the samples with the two rejects halfway, then the sentinels. */
    void write() throws Exception {
        write(() -> {});
    }

    /**
     * Writes the samples with the two rejects halfway, then the sentinels; {@code halfway} runs
     * once the first half is acknowledged, before the rest is written.
     */
    void write(Halfway halfway) throws Exception {
        int half = deliveries.size() / 2;
        try (SampleWriter writer = new SampleWriter(stack.kafkaBootstrapServers())) {
            deliveries.subList(0, half).forEach(d -> writer.send(d.sample()));
            writer.flush();
            halfway.run();
            writeRejects();
            deliveries.subList(half, deliveries.size()).forEach(d -> writer.send(d.sample()));
            long sentinelTime = t0.plus(LENGTH).plus(Duration.ofMinutes(3)).toEpochMilli();
            for (int partition = 0; partition < writer.partitions(); partition++) {
                writer.send(
                        new MetricSample(
                                SENTINEL_METRIC,
                                Map.of("partition", Integer.toString(partition)),
                                1.0,
                                sentinelTime),
                        partition);
            }
            writer.flush();
        }
    }

    /** What a test does between the two halves of the workload. */
    @FunctionalInterface
    interface Halfway {
        void run() throws Exception;
    }

    private void writeRejects() throws Exception {
        AvroCodec<ClientReport> otherSchema = Topics.CLIENT_REPORTS.codec();
        byte[] wrongSchema =
                otherSchema.encode(
                        ClientReport.newBuilder()
                                .setAge(0)
                                .setType("network-error")
                                .setUrl("https://" + garbageMarker + ".example/")
                                .setBody(
                                        NelBody.newBuilder()
                                                .setPhase("dns")
                                                .setType("dns.name_not_resolved")
                                                .setElapsedTime(12)
                                                .setSamplingFraction(1.0)
                                                .build())
                                .build());
        byte[] garbage = (garbageMarker + " is not a sample").getBytes(StandardCharsets.UTF_8);
        Properties properties = kafka(stack).toProperties();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] value : List.of(garbage, wrongSchema)) {
                rejects.add(
                        producer.send(
                                        new ProducerRecord<>(
                                                Topics.METRIC_SAMPLES.name(),
                                                garbageMarker.getBytes(StandardCharsets.UTF_8),
                                                value))
                                .get());
            }
        }
    }

    /** The rollups the job must write, by series and window start. */
    Map<Long, Map<Long, Rollup>> truth() {
        Map<Long, Map<Long, Rollup>> truth = new HashMap<>();
        Map<String, Long> lastTimestamp = new HashMap<>();
        for (Workload.Delivery delivery : deliveries) {
            MetricSample sample = delivery.sample();
            long seriesId = delivery.series().id();
            long start = Math.floorDiv(sample.getTimestamp(), 60_000L) * 60_000L;
            Rollup rollup =
                    truth.computeIfAbsent(seriesId, id -> new LinkedHashMap<>())
                            .computeIfAbsent(
                                    start,
                                    s ->
                                            new Rollup(
                                                    seriesId,
                                                    sample.getName(),
                                                    sample.getLabels(),
                                                    s,
                                                    0,
                                                    0,
                                                    Double.POSITIVE_INFINITY,
                                                    Double.NEGATIVE_INFINITY,
                                                    0));
            rollup.count++;
            rollup.sum += sample.getValue();
            rollup.min = Math.min(rollup.min, sample.getValue());
            rollup.max = Math.max(rollup.max, sample.getValue());
            String window = seriesId + "/" + start;
            if (sample.getTimestamp() >= lastTimestamp.getOrDefault(window, Long.MIN_VALUE)) {
                rollup.last = sample.getValue();
                lastTimestamp.put(window, sample.getTimestamp());
            }
        }
        return truth;
    }

    /** The rows of rollups_1m in the workload's time range, by series and window start. */
    Map<Long, Map<Long, Rollup>> readRollups(CqlSession session) {
        PreparedStatement select =
                session.prepare(
                        "SELECT series_id, ts, metric, labels, count, sum, min, max, last"
                                + " FROM vigil.rollups_1m WHERE series_id = ? AND day = ?"
                                + " AND ts >= ? AND ts < ?");
        LocalDate day = LocalDate.ofInstant(t0, ZoneOffset.UTC);
        Map<Long, Map<Long, Rollup>> rows = new HashMap<>();
        for (Fleet.Series series : workload.fleet().series()) {
            for (Row row : session.execute(select.bind(series.id(), day, t0, t0.plus(LENGTH)))) {
                Rollup rollup =
                        new Rollup(
                                row.getLong("series_id"),
                                row.getString("metric"),
                                row.getMap("labels", String.class, String.class),
                                row.getInstant("ts").toEpochMilli(),
                                row.getLong("count"),
                                row.getDouble("sum"),
                                row.getDouble("min"),
                                row.getDouble("max"),
                                row.getDouble("last"));
                rows.computeIfAbsent(rollup.seriesId, id -> new HashMap<>())
                        .put(rollup.windowStart, rollup);
            }
        }
        return rows;
    }

    /** Waits until every expected row is in Cassandra, then holds every row to the truth. */
    void assertRollupsEqualTruth(Duration timeout) throws InterruptedException {
        Map<Long, Map<Long, Rollup>> truth = truth();
        int expectedRows = truth.values().stream().mapToInt(Map::size).sum();
        assertThat(expectedRows).isEqualTo(HOSTS * SERIES_PER_HOST * 5);
        try (CqlSession session = session(stack)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<Long, Map<Long, Rollup>> rows = readRollups(session);
            while (count(rows) < expectedRows && System.nanoTime() < deadline) {
                Thread.sleep(2_000);
                rows = readRollups(session);
            }
            assertThat(count(rows)).as("rollup rows written").isEqualTo(expectedRows);
            assertThat(rows).isEqualTo(truth);
        }
    }

    private static int count(Map<Long, Map<Long, Rollup>> rows) {
        return rows.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * Waits for the dead letters of the two rejects: each with its reason, partition and offset,
     * and its bytes unchanged. No sample of the workload may have been dead-lettered as late.
     */
    void assertRejectsAreDeadLettered(Duration timeout) {
        Properties properties = kafka(stack).toProperties();
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        // Dead letters are at-least-once: after a restart one may arrive twice. Keyed by origin.
        Map<String, DeadLetter> ours = new HashMap<>();
        List<DeadLetter> lateOfWorkload = new ArrayList<>();
        AvroCodec<DeadLetter> codec = Topics.DEAD_LETTER.codec();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DEAD_LETTER.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (ours.size() < rejects.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    DeadLetter deadLetter = decode(codec, record.value());
                    if (isOurs(deadLetter)) {
                        ours.put(
                                deadLetter.getPartition() + "@" + deadLetter.getOffset(),
                                deadLetter);
                    } else if (deadLetter.getReason().startsWith("late")
                            && isInWorkload(deadLetter)) {
                        lateOfWorkload.add(deadLetter);
                    }
                }
            }
        }
        assertThat(ours).hasSize(2);
        for (RecordMetadata written : rejects) {
            DeadLetter deadLetter = ours.get(written.partition() + "@" + written.offset());
            assertThat(deadLetter).as("dead letter of %s", written).isNotNull();
            assertThat(deadLetter.getSourceTopic()).isEqualTo(Topics.METRIC_SAMPLES.name());
            assertThat(deadLetter.getReason()).startsWith("undecodable: not a MetricSample");
        }
        assertThat(ours.values())
                .extracting(DeadLetter::getReason)
                .anySatisfy(reason -> assertThat(reason).contains("BadHeaderException"))
                .anySatisfy(reason -> assertThat(reason).contains("MissingSchemaException"));
        assertThat(lateOfWorkload).as("workload samples dead-lettered as late").isEmpty();
    }

    private static DeadLetter decode(AvroCodec<DeadLetter> codec, byte[] value) {
        try {
            return codec.decode(value);
        } catch (AvroCodec.DecodeException e) {
            throw new AssertionError(
                    "the dead-letter topic holds a record that is no DeadLetter", e);
        }
    }

    private boolean isOurs(DeadLetter deadLetter) {
        byte[] raw = new byte[deadLetter.getRaw().remaining()];
        deadLetter.getRaw().duplicate().get(raw);
        return new String(raw, StandardCharsets.ISO_8859_1).contains(garbageMarker);
    }

    private boolean isInWorkload(DeadLetter deadLetter) {
        byte[] raw = new byte[deadLetter.getRaw().remaining()];
        deadLetter.getRaw().duplicate().get(raw);
        try {
            long ts = Topics.METRIC_SAMPLES.codec().decode(raw).getTimestamp();
            return ts >= t0.toEpochMilli() && ts < t0.plus(LENGTH).toEpochMilli();
        } catch (AvroCodec.DecodeException e) {
            return false;
        }
    }
}
