package io.vigil.jobs.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.vigil.bench.Fleet;
import io.vigil.bench.SampleWriter;
import io.vigil.bench.Workload;
import io.vigil.connectors.chunks.Chunk;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.jobs.StackFixtures;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.ClientReport;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.NelBody;
import io.vigil.schemas.SeriesIds;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The end-to-end workload of the metrics-rollup tests, and the truth to hold the job to.
 *
 * <p>A fleet of 200 hosts x 10 series reports every 10 s for 5 minutes (60 000 samples), 2 % of
 * them up to 25 s out of order. Halfway through, two records that are not samples arrive: garbage
 * bytes and a valid Avro record of another schema, and a runaway exporter on the first host sends
 * 600 series of one metric ({@link RunawayExporter}). Afterwards one sentinel sample per partition,
 * an hour later, moves every partition's watermark past the workload's hour so that its last
 * minutes and its hour close.
 *
 * <p>The truth is computed here, independently of the job's code: samples grouped by series and
 * minute, summed in the order they were written (the order Kafka keeps per series), so even the
 * floating-point sums must match exactly; and for {@code samples_raw}, every sample of every
 * series, which the decoded chunks must give back exactly once and bit for bit.
 */
final class RollupScenario {
    static final int HOSTS = 200;
    static final int SERIES_PER_HOST = 10;
    static final Duration STEP = Duration.ofSeconds(10);
    static final Duration LENGTH = Duration.ofMinutes(5);
    static final Duration MAX_DISORDER = Duration.ofSeconds(25);
    static final String SENTINEL_METRIC = "vigil_test_sentinel";

    /**
     * The per-origin series limit of tests that hold the job to it: forty times the fleet's {@value
     * #SERIES_PER_HOST} series per host, below the {@link RunawayExporter}'s 600 series on one
     * host.
     */
    static final int CARDINALITY_LIMIT = 400;

    /**
     * Every host whose index leaves this remainder modulo 10 writes per-sample {@link MetricSample}
     * records, the topic's value type before batches, as a producer not yet upgraded would: the
     * rollups must come out the same.
     */
    static final int LEGACY_HOST_REMAINDER = 3;

    /** Raw chunks cover 2-minute intervals of event time; ms. */
    private static final long CHUNK_INTERVAL = Duration.ofMinutes(2).toMillis();

    private final LocalStack stack;
    private final Instant t0;
    private final Workload workload;
    private final String garbageMarker = "garbage-" + UUID.randomUUID();
    private final List<Workload.Delivery> deliveries;

    /** Every sample of {@link #deliveries}, in the order written, with its series. */
    private final List<Sent> samples;

    private final List<RecordMetadata> rejects = new ArrayList<>();
    private final RunawayExporter runaway;

    /**
     * @param t0 start of the workload, a minute boundary distinct for every test
     */
    RollupScenario(LocalStack stack, Instant t0, long seed) {
        this.stack = stack;
        this.t0 = t0;
        this.workload =
                new Workload(new Fleet(HOSTS, SERIES_PER_HOST), STEP, seed, 0.02, MAX_DISORDER);
        this.deliveries = workload.deliveries(t0, t0.plus(LENGTH));
        this.samples = new ArrayList<>();
        for (Workload.Delivery delivery : deliveries) {
            for (int i = 0; i < delivery.batch().getSamples().size(); i++) {
                samples.add(
                        new Sent(
                                delivery.series().get(i),
                                MetricBatches.sample(delivery.batch(), i)));
            }
        }
        // Halfway through, where the workload's samples are written too: never late.
        this.runaway =
                new RunawayExporter(workload.fleet().hosts().get(0), t0.plus(LENGTH.dividedBy(2)));
    }

    /** Job options that limit every origin to {@link #CARDINALITY_LIMIT} series. */
    static Configuration cardinalityLimited() {
        Configuration options = new Configuration();
        options.set(RollupOptions.MAX_SERIES_PER_ORIGIN, CARDINALITY_LIMIT);
        return options;
    }

    /** One sample of the workload and the series it belongs to. */
    record Sent(Fleet.Series series, MetricSample sample) {}

    /** Applies the Cassandra schema and creates the topics, as {@code vigil up} does. */
    static void prepare(LocalStack stack) throws Exception {
        StackFixtures.prepare(stack);
    }

    static KafkaSettings kafka(LocalStack stack) {
        return StackFixtures.kafka(stack);
    }

    /** The job's sinks, to the stack's Cassandra and Kafka. */
    static MetricsRollupJob.Sinks sinks(LocalStack stack) {
        Configuration cassandra = cassandraOptions(stack);
        return new MetricsRollupJob.Sinks(
                RollupRows.sink(cassandra, RollupRows.Resolution.MINUTE),
                RollupRows.sink(cassandra, RollupRows.Resolution.HOUR),
                GroupRows.sink(cassandra),
                SeriesRows.seriesSink(cassandra),
                SeriesRows.labelSink(cassandra),
                RawChunkRows.sink(cassandra),
                HostRows.hostsSink(cassandra),
                HostRows.placesSink(cassandra),
                HostRows.vacatedPlacesSink(cassandra),
                io.vigil.connectors.kafka.KafkaConnectors.deadLetterSink(kafka(stack)));
    }

    /** The sink options that point at the stack's Cassandra. */
    static Configuration cassandraOptions(LocalStack stack) {
        return StackFixtures.cassandraOptions(stack);
    }

    /**
     * A session for the test's own reads. Its requests may take 30 s: the test reads thousands of
     * partitions while the machine's two cores also run Kafka, Cassandra and Flink.
     */
    static CqlSession session(LocalStack stack) {
        return StackFixtures.session(stack);
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
            deliveries.subList(0, half).forEach(d -> send(writer, d));
            writer.flush();
            halfway.run();
            writeRejects();
            runaway.batches().forEach(writer::send);
            deliveries.subList(half, deliveries.size()).forEach(d -> send(writer, d));
            // Past the end of the hour of t0, so that its hourly rollup closes too.
            long sentinelTime = t0.plus(Duration.ofMinutes(63)).toEpochMilli();
            for (int partition = 0; partition < writer.partitions(); partition++) {
                writer.send(
                        MetricBatches.builder(
                                        Map.of("partition", Integer.toString(partition)),
                                        sentinelTime)
                                .add(SENTINEL_METRIC, 1.0)
                                .build(),
                        partition);
            }
            writer.flush();
        }
    }

    /** A delivery as a batch, or as per-sample records for the hosts of a legacy producer. */
    private void send(SampleWriter writer, Workload.Delivery delivery) {
        int host = workload.fleet().hosts().indexOf(delivery.host());
        if (host % 10 != LEGACY_HOST_REMAINDER) {
            writer.send(delivery.batch());
            return;
        }
        for (int i = 0; i < delivery.batch().getSamples().size(); i++) {
            writer.sendLegacy(MetricBatches.sample(delivery.batch(), i));
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

    /** What one rollup row must hold: its exact figures, and the values its quantiles come from. */
    record Expected(Rollup rollup, List<Double> values) {}

    /**
     * The rollups the job must write, by series and window start: minutes, computed from the
     * samples in the order they were written; and the hour of {@link #t0}, merged from those
     * minutes in time order as any cascade must.
     */
    Map<Long, Map<Long, Expected>> truth(Duration window) {
        Map<Long, Map<Long, Expected>> minutes = new HashMap<>();
        Map<Long, List<MetricSample>> bySeries = new HashMap<>();
        // The job aggregates a window's samples in time order, whatever order they arrived in, so
        // floating-point sums are added up in that order here too.
        List<Sent> byTime = new ArrayList<>(samples);
        byTime.sort(java.util.Comparator.comparingLong(d -> d.sample().getTimestamp()));
        for (Sent delivery : byTime) {
            MetricSample sample = delivery.sample();
            long seriesId = delivery.series().id();
            bySeries.computeIfAbsent(seriesId, id -> new ArrayList<>()).add(sample);
            long start = Math.floorDiv(sample.getTimestamp(), 60_000L) * 60_000L;
            Expected expected =
                    minutes.computeIfAbsent(seriesId, id -> new TreeMap<>())
                            .computeIfAbsent(start, s -> empty(seriesId, sample, s, delivery));
            add(expected, sample.getValue(), sample.getTimestamp());
        }
        // Counters: the increase of each minute, from the value before it, resets counted from 0.
        for (Map.Entry<Long, List<MetricSample>> series : bySeries.entrySet()) {
            List<MetricSample> inTime = new ArrayList<>(series.getValue());
            inTime.sort(java.util.Comparator.comparingLong(MetricSample::getTimestamp));
            double before = Double.NaN;
            for (MetricSample sample : inTime) {
                Rollup minute =
                        minutes.get(series.getKey())
                                .get(Math.floorDiv(sample.getTimestamp(), 60_000L) * 60_000L)
                                .rollup();
                if (Double.isNaN(minute.increase)) {
                    continue;
                }
                if (!Double.isNaN(before)) {
                    minute.increase +=
                            sample.getValue() >= before
                                    ? sample.getValue() - before
                                    : sample.getValue();
                }
                before = sample.getValue();
            }
        }
        Map<Long, Map<Long, Expected>> truth = new HashMap<>();
        for (Map.Entry<Long, Map<Long, Expected>> series : minutes.entrySet()) {
            Map<Long, Expected> rows = new TreeMap<>();
            Expected hour = null;
            for (Expected minute : series.getValue().values()) {
                minute.rollup().rate = minute.rollup().increase / 60;
                if (window.equals(Duration.ofMinutes(1))) {
                    rows.put(minute.rollup().windowStart, minute);
                }
                hour = hour == null ? copyAsHour(minute) : mergeIntoHour(hour, minute);
            }
            if (window.equals(Duration.ofHours(1))) {
                hour.rollup().rate = hour.rollup().increase / 3600;
                rows.put(hour.rollup().windowStart, hour);
            }
            truth.put(series.getKey(), rows);
        }
        return truth;
    }

    private static Expected empty(long seriesId, MetricSample sample, long start, Sent delivery) {
        Rollup rollup =
                new Rollup(
                        seriesId,
                        sample.getName(),
                        sample.getLabels(),
                        start,
                        0,
                        0,
                        Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY,
                        0);
        rollup.lastTimestamp = Long.MIN_VALUE;
        // The fleet knows which of its metrics count; the job must infer it from the names.
        rollup.increase = delivery.series().metric().kind() == Fleet.Kind.COUNTER ? 0 : Double.NaN;
        return new Expected(rollup, new ArrayList<>());
    }

    private static void add(Expected expected, double value, long timestamp) {
        Rollup rollup = expected.rollup();
        rollup.count++;
        rollup.sum += value;
        rollup.min = Math.min(rollup.min, value);
        rollup.max = Math.max(rollup.max, value);
        if (timestamp >= rollup.lastTimestamp) {
            rollup.last = value;
            rollup.lastTimestamp = timestamp;
        }
        expected.values().add(value);
    }

    private Expected copyAsHour(Expected minute) {
        Rollup m = minute.rollup();
        Rollup hour =
                new Rollup(
                        m.seriesId,
                        m.metric,
                        m.labels,
                        t0.toEpochMilli(),
                        m.count,
                        m.sum,
                        m.min,
                        m.max,
                        m.last);
        hour.lastTimestamp = m.lastTimestamp;
        hour.increase = m.increase;
        return new Expected(hour, new ArrayList<>(minute.values()));
    }

    private static Expected mergeIntoHour(Expected hour, Expected minute) {
        Rollup h = hour.rollup();
        Rollup m = minute.rollup();
        h.count += m.count;
        h.sum += m.sum;
        h.min = Math.min(h.min, m.min);
        h.max = Math.max(h.max, m.max);
        if (m.lastTimestamp >= h.lastTimestamp) {
            h.last = m.last;
            h.lastTimestamp = m.lastTimestamp;
        }
        h.increase += m.increase;
        hour.values().addAll(minute.values());
        return hour;
    }

    /** The rows of a rollup table in the workload's hour, by series and window start. */
    Map<Long, Map<Long, Rollup>> readRollups(CqlSession session, Duration window) {
        boolean minutes = window.equals(Duration.ofMinutes(1));
        PreparedStatement select =
                session.prepare(
                        "SELECT series_id, ts, metric, labels, count, sum, min, max, last, p50,"
                                + " p90, p99, rate FROM vigil."
                                + (minutes
                                        ? "rollups_1m WHERE series_id = ? AND day = ?"
                                        : "rollups_1h WHERE series_id = ? AND month = ?")
                                + " AND ts >= ? AND ts < ?");
        LocalDate day = LocalDate.ofInstant(t0, ZoneOffset.UTC);
        LocalDate partition = minutes ? day : day.withDayOfMonth(1);
        Instant end = minutes ? t0.plus(LENGTH) : t0.plus(Duration.ofHours(1));
        Map<Long, Map<Long, Rollup>> rows = new HashMap<>();
        for (Fleet.Series series : workload.fleet().series()) {
            for (Row row : session.execute(select.bind(series.id(), partition, t0, end))) {
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
                rollup.p50 = nanIfNull(row, "p50");
                rollup.p90 = nanIfNull(row, "p90");
                rollup.p99 = nanIfNull(row, "p99");
                rollup.rate = nanIfNull(row, "rate");
                rows.computeIfAbsent(rollup.seriesId, id -> new HashMap<>())
                        .put(rollup.windowStart, rollup);
            }
        }
        return rows;
    }

    private static double nanIfNull(Row row, String column) {
        return row.isNull(column) ? Double.NaN : row.getDouble(column);
    }

    /**
     * Waits until every expected row of the minutes and of the hour is in Cassandra, then holds
     * every row to the truth: count, sum, min, max, last and counter rates exactly, quantiles
     * within the sketch's 1 % relative error of the true value of that rank.
     */
    void assertRollupsEqualTruth(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        assertTableEqualsTruth(Duration.ofMinutes(1), HOSTS * SERIES_PER_HOST * 5, deadline);
        assertTableEqualsTruth(Duration.ofHours(1), HOSTS * SERIES_PER_HOST, deadline);
    }

    private void assertTableEqualsTruth(Duration window, int expectedRows, long deadline)
            throws InterruptedException {
        Map<Long, Map<Long, Expected>> truth = truth(window);
        assertThat(truth.values().stream().mapToInt(Map::size).sum()).isEqualTo(expectedRows);
        try (CqlSession session = session(stack)) {
            Map<Long, Map<Long, Rollup>> rows = readRollups(session, window);
            while (count(rows) < expectedRows && System.nanoTime() < deadline) {
                Thread.sleep(2_000);
                rows = readRollups(session, window);
            }
            assertThat(count(rows)).as("%s rollup rows written", window).isEqualTo(expectedRows);
            for (Map.Entry<Long, Map<Long, Expected>> series : truth.entrySet()) {
                for (Expected expected : series.getValue().values()) {
                    Rollup row = rows.get(series.getKey()).get(expected.rollup().windowStart);
                    assertMatches(row, expected, window);
                }
            }
        }
    }

    private static void assertMatches(Rollup row, Expected expected, Duration window) {
        Rollup truth = expected.rollup();
        String what = window + " rollup " + truth;
        assertThat(row).as(what).isNotNull();
        assertThat(row.metric).as(what).isEqualTo(truth.metric);
        assertThat(row.labels).as(what).isEqualTo(truth.labels);
        assertThat(row.count).as(what).isEqualTo(truth.count);
        assertThat(row.sum).as(what).isEqualTo(truth.sum);
        assertThat(row.min).as(what).isEqualTo(truth.min);
        assertThat(row.max).as(what).isEqualTo(truth.max);
        assertThat(row.last).as(what).isEqualTo(truth.last);
        // Boxed: NaN (a gauge's rate) must equal NaN.
        assertThat(Double.valueOf(row.rate))
                .as(what + " rate")
                .isEqualTo(Double.valueOf(truth.rate));
        List<Double> sorted = new ArrayList<>(expected.values());
        sorted.sort(null);
        double[] quantiles = {row.p50, row.p90, row.p99};
        double[] ranks = {0.5, 0.9, 0.99};
        for (int i = 0; i < ranks.length; i++) {
            double exact = sorted.get((int) Math.floor(ranks[i] * (sorted.size() - 1)));
            assertThat(quantiles[i])
                    .as("%s p%s against the exact %s", what, ranks[i] * 100, exact)
                    .isCloseTo(
                            exact,
                            org.assertj.core.data.Offset.offset(Math.abs(exact) * 0.01 + 1e-9));
        }
    }

    /**
     * Holds the data centre and global aggregates of every metric and minute of the workload to the
     * truth: the workload's whole fleet lives in one data centre, so both equal the sum over all
     * its series. Sums are compared to a relative 1e-9: the hierarchy adds in the order records
     * meet, which floating point does not forgive exactly.
     */
    void assertGroupRollupsEqualTruth(Duration timeout) throws InterruptedException {
        Map<Long, Map<Long, Expected>> minutes = truth(Duration.ofMinutes(1));
        Map<String, Map<Long, List<Rollup>>> byMetric = new HashMap<>();
        minutes.values()
                .forEach(
                        series ->
                                series.values()
                                        .forEach(
                                                e ->
                                                        byMetric.computeIfAbsent(
                                                                        e.rollup().metric,
                                                                        m -> new TreeMap<>())
                                                                .computeIfAbsent(
                                                                        e.rollup().windowStart,
                                                                        w -> new ArrayList<>())
                                                                .add(e.rollup())));
        String dc = workload.fleet().hosts().get(0).dc();
        try (CqlSession session = session(stack)) {
            PreparedStatement select =
                    session.prepare(
                            "SELECT ts, series, count, total, min, max, rate FROM"
                                    + " vigil.group_rollups WHERE level = ? AND group_name = ?"
                                    + " AND metric = ? AND day = ? AND ts >= ? AND ts < ?");
            LocalDate day = LocalDate.ofInstant(t0, ZoneOffset.UTC);
            long deadline = System.nanoTime() + timeout.toNanos();
            for (String[] level : new String[][] {{"dc", dc}, {"global", "global"}}) {
                for (Map.Entry<String, Map<Long, List<Rollup>>> metric : byMetric.entrySet()) {
                    List<Row> rows =
                            session.execute(
                                            select.bind(
                                                    level[0],
                                                    level[1],
                                                    metric.getKey(),
                                                    day,
                                                    t0,
                                                    t0.plus(LENGTH)))
                                    .all();
                    while (rows.size() < metric.getValue().size() && System.nanoTime() < deadline) {
                        Thread.sleep(1_000);
                        rows =
                                session.execute(
                                                select.bind(
                                                        level[0],
                                                        level[1],
                                                        metric.getKey(),
                                                        day,
                                                        t0,
                                                        t0.plus(LENGTH)))
                                        .all();
                    }
                    assertThat(rows).as("%s %s rows", level[1], metric.getKey()).hasSize(5);
                    for (Row row : rows) {
                        List<Rollup> series =
                                metric.getValue().get(row.getInstant("ts").toEpochMilli());
                        String what = level[1] + " " + metric.getKey() + " " + row.getInstant("ts");
                        assertThat(row.getLong("series")).as(what).isEqualTo(series.size());
                        assertThat(row.getLong("count"))
                                .as(what)
                                .isEqualTo(series.stream().mapToLong(r -> r.count).sum());
                        assertThat(row.getDouble("min"))
                                .as(what)
                                .isEqualTo(
                                        series.stream()
                                                .mapToDouble(r -> r.min)
                                                .min()
                                                .orElseThrow());
                        assertThat(row.getDouble("max"))
                                .as(what)
                                .isEqualTo(
                                        series.stream()
                                                .mapToDouble(r -> r.max)
                                                .max()
                                                .orElseThrow());
                        double total = series.stream().mapToDouble(r -> r.sum / r.count).sum();
                        assertThat(row.getDouble("total"))
                                .as(what)
                                .isCloseTo(
                                        total,
                                        org.assertj.core.data.Offset.offset(
                                                Math.abs(total) * 1e-9));
                        if (Double.isNaN(series.get(0).rate)) {
                            assertThat(row.isNull("rate")).as(what + " gauge rate").isTrue();
                        } else {
                            double rate = series.stream().mapToDouble(r -> r.rate).sum();
                            assertThat(row.getDouble("rate"))
                                    .as(what)
                                    .isCloseTo(
                                            rate,
                                            org.assertj.core.data.Offset.offset(
                                                    Math.abs(rate) * 1e-9));
                        }
                    }
                }
            }
        }
    }

    /**
     * The analyst's path of the README: find a host's CPU series by metric and label, read its
     * identity, then its minutes with p99. Every series of the workload must be registered.
     */
    void assertSeriesRegistryFindsEverySeries(Duration timeout) throws InterruptedException {
        try (CqlSession session = session(stack)) {
            PreparedStatement byLabel =
                    session.prepare(
                            "SELECT series_id FROM vigil.series_by_metric WHERE metric = ? AND"
                                    + " label_name = ? AND label_value = ?");
            PreparedStatement identity =
                    session.prepare("SELECT metric, labels FROM vigil.series WHERE series_id = ?");
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Fleet.Series series : workload.fleet().series()) {
                String host = series.host().name();
                List<Row> found =
                        session.execute(byLabel.bind(series.metric().name(), "host", host)).all();
                while (found.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(1_000);
                    found =
                            session.execute(byLabel.bind(series.metric().name(), "host", host))
                                    .all();
                }
                assertThat(found)
                        .as("series of %s on %s", series.metric().name(), host)
                        .extracting(row -> row.getLong("series_id"))
                        .containsExactly(series.id());
                Row row = session.execute(identity.bind(series.id())).one();
                assertThat(row).isNotNull();
                assertThat(row.getString("metric")).isEqualTo(series.metric().name());
                assertThat(row.getMap("labels", String.class, String.class))
                        .isEqualTo(series.labels());
            }
            long all =
                    session
                            .execute(
                                    byLabel.bind(
                                            workload.fleet().series().get(0).metric().name(),
                                            "",
                                            ""))
                            .all()
                            .stream()
                            .filter(
                                    r ->
                                            workload.fleet().series().stream()
                                                    .anyMatch(f -> f.id() == r.getLong(0)))
                            .count();
            assertThat(all).as("every series of the metric, listed").isEqualTo(HOSTS);
        }
    }

    private static int count(Map<Long, Map<Long, Rollup>> rows) {
        return rows.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * The raw samples the job must store: per series, every timestamp once, in time order, to the
     * raw bits of its value.
     */
    Map<Long, TreeMap<Long, Long>> rawTruth() {
        Map<Long, TreeMap<Long, Long>> truth = new HashMap<>();
        for (Sent delivery : samples) {
            MetricSample sample = delivery.sample();
            truth.computeIfAbsent(delivery.series().id(), id -> new TreeMap<>())
                    .put(sample.getTimestamp(), Double.doubleToRawLongBits(sample.getValue()));
        }
        return truth;
    }

    /** One row of {@code samples_raw}, its chunk decoded. */
    record RawRow(
            long seriesId,
            String metric,
            Map<String, String> labels,
            long chunkStart,
            long chunkEnd,
            int count,
            double min,
            double max,
            int dataBytes,
            Chunk samples) {}

    /** The {@code samples_raw} rows of the workload's series and time, by series. */
    Map<Long, List<RawRow>> readRawChunks(CqlSession session) {
        PreparedStatement select =
                session.prepare(
                        "SELECT series_id, chunk_start, chunk_end, metric, labels, count, min, max,"
                                + " data FROM vigil.samples_raw WHERE series_id = ? AND day = ?"
                                + " AND chunk_start >= ? AND chunk_start < ?");
        LocalDate day = LocalDate.ofInstant(t0, ZoneOffset.UTC);
        Map<Long, List<RawRow>> rows = new HashMap<>();
        for (Fleet.Series series : workload.fleet().series()) {
            for (Row row : session.execute(select.bind(series.id(), day, t0, t0.plus(LENGTH)))) {
                ByteBuffer data = row.getByteBuffer("data");
                byte[] bytes = new byte[data.remaining()];
                data.duplicate().get(bytes);
                rows.computeIfAbsent(series.id(), id -> new ArrayList<>())
                        .add(
                                new RawRow(
                                        row.getLong("series_id"),
                                        row.getString("metric"),
                                        row.getMap("labels", String.class, String.class),
                                        row.getInstant("chunk_start").toEpochMilli(),
                                        row.getInstant("chunk_end").toEpochMilli(),
                                        row.getInt("count"),
                                        nanIfNull(row, "min"),
                                        nanIfNull(row, "max"),
                                        bytes.length,
                                        Chunk.decode(bytes)));
            }
        }
        return rows;
    }

    /**
     * Waits until {@code samples_raw} holds as many samples as the workload, then holds every
     * series to the truth: its chunks, in row order, decode to exactly the workload's samples of
     * the series (every timestamp once, values bit for bit), each row's key, count, end, min and
     * max agree with its chunk, and there is one row per series and 2-minute interval. Prints the
     * bytes per raw sample.
     */
    void assertRawChunksEqualTruth(Duration timeout) throws InterruptedException {
        Map<Long, TreeMap<Long, Long>> truth = rawTruth();
        int expectedSamples = truth.values().stream().mapToInt(Map::size).sum();
        assertThat(expectedSamples).isEqualTo(HOSTS * SERIES_PER_HOST * 30);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (CqlSession session = session(stack)) {
            Map<Long, List<RawRow>> rows = readRawChunks(session);
            while (samples(rows) < expectedSamples && System.nanoTime() < deadline) {
                Thread.sleep(2_000);
                rows = readRawChunks(session);
            }
            assertThat(samples(rows)).as("raw samples stored").isEqualTo(expectedSamples);
            long chunks = 0;
            long dataBytes = 0;
            for (Fleet.Series series : workload.fleet().series()) {
                List<RawRow> stored = rows.get(series.id());
                assertMatches(series, stored, truth.get(series.id()));
                chunks += stored.size();
                dataBytes += stored.stream().mapToLong(RawRow::dataBytes).sum();
            }
            System.out.printf(
                    "samples_raw: %,d samples of %,d series in %,d chunks, %,d bytes of chunk"
                            + " data: %.2f bytes per raw sample%n",
                    expectedSamples,
                    truth.size(),
                    chunks,
                    dataBytes,
                    (double) dataBytes / expectedSamples);
        }
    }

    private static void assertMatches(
            Fleet.Series series, List<RawRow> stored, TreeMap<Long, Long> truth) {
        String what = "raw chunks of " + series;
        assertThat(stored).as(what).isNotNull();
        List<Long> timestamps = new ArrayList<>();
        List<Long> valueBits = new ArrayList<>();
        for (RawRow row : stored) {
            Chunk chunk = row.samples();
            String which = what + " at " + Instant.ofEpochMilli(row.chunkStart());
            assertThat(row.seriesId()).as(which).isEqualTo(series.id());
            assertThat(row.metric()).as(which).isEqualTo(series.metric().name());
            assertThat(row.labels()).as(which).isEqualTo(series.labels());
            assertThat(row.count()).as(which).isEqualTo(chunk.size()).isPositive();
            long intervalStart = Math.floorDiv(chunk.timestamp(0), CHUNK_INTERVAL) * CHUNK_INTERVAL;
            // At most 120 samples in each interval here: one chunk, keyed by the interval start.
            assertThat(row.chunkStart()).as(which).isEqualTo(intervalStart);
            assertThat(row.chunkEnd())
                    .as(which)
                    .isEqualTo(chunk.timestamp(chunk.size() - 1))
                    .isLessThan(intervalStart + CHUNK_INTERVAL);
            double[] values = chunk.values();
            assertThat(row.min()).as(which).isEqualTo(Arrays.stream(values).min().getAsDouble());
            assertThat(row.max()).as(which).isEqualTo(Arrays.stream(values).max().getAsDouble());
            for (int i = 0; i < chunk.size(); i++) {
                timestamps.add(chunk.timestamp(i));
                valueBits.add(Double.doubleToRawLongBits(chunk.value(i)));
            }
        }
        assertThat(timestamps).as(what).containsExactlyElementsOf(truth.keySet());
        assertThat(valueBits).as(what).containsExactlyElementsOf(truth.values());
    }

    private static int samples(Map<Long, List<RawRow>> rows) {
        return rows.values().stream()
                .flatMap(List::stream)
                .mapToInt(row -> row.samples().size())
                .sum();
    }

    /**
     * The host inventory: every host of the fleet in {@code hosts} with its place, first seen and
     * placed since the workload's first minute, last seen within the workload; and listed under its
     * cluster and rack in {@code hosts_by_place}, and nowhere else among the fleet's clusters.
     * Other tests run the same fleet with the same places, so rows of theirs may be present; each
     * job writes a host's {@code hosts} row with its own times, which this waits for.
     */
    void assertHostsEqualFleet(Duration timeout) throws InterruptedException {
        List<Fleet.Host> hosts = workload.fleet().hosts();
        try (CqlSession session = session(stack)) {
            PreparedStatement select =
                    session.prepare(
                            "SELECT host, dc, cluster, rack, first_seen, placed_since, last_seen"
                                    + " FROM vigil.hosts WHERE host = ?");
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<String, Row> rows = readHosts(session, select, hosts);
            while (rows.size() < hosts.size() && System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                rows = readHosts(session, select, hosts);
            }
            assertThat(rows).as("hosts rows first seen in this workload").hasSize(hosts.size());
            for (Fleet.Host host : hosts) {
                Row row = rows.get(host.name());
                String what = "hosts row of " + host;
                assertThat(row.getString("dc")).as(what).isEqualTo(host.dc());
                assertThat(row.getString("cluster")).as(what).isEqualTo(host.cluster());
                assertThat(row.getString("rack")).as(what).isEqualTo(host.rack());
                assertThat(row.getInstant("placed_since")).as(what).isEqualTo(t0);
                assertThat(row.getInstant("last_seen"))
                        .as(what)
                        .isBetween(t0, t0.plus(LENGTH).minusMillis(1));
            }

            Map<List<String>, List<List<String>>> byCluster = new HashMap<>();
            for (Fleet.Host host : hosts) {
                byCluster
                        .computeIfAbsent(List.of(host.dc(), host.cluster()), c -> new ArrayList<>())
                        .add(List.of(host.rack(), host.name()));
            }
            Set<String> fleetHosts =
                    hosts.stream().map(Fleet.Host::name).collect(Collectors.toSet());
            for (Map.Entry<List<String>, List<List<String>>> cluster : byCluster.entrySet()) {
                String dc = cluster.getKey().get(0);
                String name = cluster.getKey().get(1);
                List<List<String>> listed =
                        session
                                .execute(
                                        "SELECT rack, host FROM vigil.hosts_by_place WHERE dc = ?"
                                                + " AND cluster = ?",
                                        dc,
                                        name)
                                .all()
                                .stream()
                                .filter(r -> fleetHosts.contains(r.getString("host")))
                                .map(r -> List.of(r.getString("rack"), r.getString("host")))
                                .toList();
                assertThat(listed)
                        .as("hosts_by_place of cluster %s/%s", dc, name)
                        .containsExactlyInAnyOrderElementsOf(cluster.getValue());
            }
        }
    }

    /** The {@code hosts} rows of the fleet's hosts that this workload wrote, by host. */
    private Map<String, Row> readHosts(
            CqlSession session, PreparedStatement select, List<Fleet.Host> hosts) {
        Map<String, Row> rows = new HashMap<>();
        for (Fleet.Host host : hosts) {
            Row row = session.execute(select.bind(host.name())).one();
            if (row != null && t0.equals(row.getInstant("first_seen"))) {
                rows.put(host.name(), row);
            }
        }
        return rows;
    }

    /**
     * Waits for the dead letters of the two rejects: each with its reason, partition and offset,
     * and its bytes unchanged. No sample of the workload may have been dead-lettered as late.
     */
    void assertRejectsAreDeadLettered(Duration timeout) {
        // Dead letters are at-least-once: after a restart one may arrive twice. Keyed by origin.
        Map<String, DeadLetter> ours = new HashMap<>();
        List<DeadLetter> lateOfWorkload = new ArrayList<>();
        for (DeadLetter deadLetter :
                readDeadLetters(timeout, all -> all.stream().filter(this::isOurs).count() >= 2)) {
            if (isOurs(deadLetter)) {
                ours.put(deadLetter.getPartition() + "@" + deadLetter.getOffset(), deadLetter);
            } else if (deadLetter.getReason().startsWith("late") && isInWorkload(deadLetter)) {
                lateOfWorkload.add(deadLetter);
            }
        }
        assertThat(ours).hasSize(2);
        for (RecordMetadata written : rejects) {
            DeadLetter deadLetter = ours.get(written.partition() + "@" + written.offset());
            assertThat(deadLetter).as("dead letter of %s", written).isNotNull();
            assertThat(deadLetter.getSourceTopic()).isEqualTo(Topics.METRIC_SAMPLES.name());
            assertThat(deadLetter.getReason()).startsWith("undecodable: not a MetricBatch");
        }
        assertThat(ours.values())
                .extracting(DeadLetter::getReason)
                .anySatisfy(
                        reason ->
                                assertThat(reason)
                                        .contains("without the Avro single-object header"))
                .anySatisfy(reason -> assertThat(reason).contains("unknown writer schema"));
        assertThat(lateOfWorkload).as("workload samples dead-lettered as late").isEmpty();
    }

    /**
     * For a job run with {@link #cardinalityLimited()}: no fleet host comes near the limit, so none
     * of the workload's samples may be turned away; the runaway exporter's host already has its
     * {@value #SERIES_PER_HOST} series when the exporter's two batches arrive (they follow on the
     * host's partition), so of its series exactly the first {@code limit - 10} in the batch are
     * kept, in {@code rollups_1m} with both samples, and every sample of every later one is a
     * {@code cardinality-limit} dead letter naming the host and the limit, with no rollup row.
     */
    void assertCardinalityLimitHeld(Duration timeout) throws InterruptedException {
        assertThat(SERIES_PER_HOST)
                .as("fleet hosts stay within the limit")
                .isLessThan(CARDINALITY_LIMIT);
        List<Long> admitted = runaway.admittedSeries(CARDINALITY_LIMIT, SERIES_PER_HOST);
        List<Long> rejected = runaway.rejectedSeries(CARDINALITY_LIMIT, SERIES_PER_HOST);
        assertThat(rejected).as("the runaway exporter exceeds the limit").isNotEmpty();
        int expectedDeadLetters = rejected.size() * RunawayExporter.SAMPLES_PER_SERIES;

        List<MetricSample> turnedAway = new ArrayList<>();
        for (DeadLetter deadLetter :
                readDeadLetters(
                        timeout,
                        all ->
                                all.stream().filter(this::isCardinalityLimitOfWorkload).count()
                                        >= expectedDeadLetters)) {
            if (isCardinalityLimitOfWorkload(deadLetter)) {
                assertThat(deadLetter.getReason())
                        .startsWith(
                                "cardinality-limit: host "
                                        + runaway.host().name()
                                        + " has "
                                        + CARDINALITY_LIMIT
                                        + " series");
                turnedAway.add(sampleOf(deadLetter));
            }
        }
        Map<Long, Long> samplesPerRejectedSeries = new HashMap<>();
        turnedAway.forEach(
                sample -> samplesPerRejectedSeries.merge(SeriesIds.of(sample), 1L, Long::sum));
        assertThat(turnedAway)
                .as("samples turned away by the cardinality limit")
                .hasSize(expectedDeadLetters)
                .allSatisfy(
                        sample -> assertThat(sample.getName()).isEqualTo(RunawayExporter.METRIC));
        assertThat(samplesPerRejectedSeries.keySet())
                .as("the series turned away: the last ones of the batch")
                .containsExactlyInAnyOrderElementsOf(rejected);
        assertThat(samplesPerRejectedSeries.values())
                .as("a series turned away loses all its samples")
                .allMatch(n -> n == RunawayExporter.SAMPLES_PER_SERIES);

        try (CqlSession session = session(stack)) {
            Map<Long, Long> read = readRunawayRollups(session, runaway.allSeries());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (read.size() < admitted.size() && System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                read = readRunawayRollups(session, runaway.allSeries());
            }
            Map<Long, Long> counts = read;
            assertThat(counts.keySet())
                    .as("runaway series with rollups")
                    .containsExactlyInAnyOrderElementsOf(admitted);
            assertThat(counts.values())
                    .as("samples per row")
                    .allMatch(n -> n == RunawayExporter.SAMPLES_PER_SERIES);
        }
    }

    /** Sample count of the {@code rollups_1m} row of each runaway series that has one. */
    private Map<Long, Long> readRunawayRollups(CqlSession session, List<Long> series) {
        PreparedStatement select =
                session.prepare(
                        "SELECT count FROM vigil.rollups_1m WHERE series_id = ? AND day = ? AND ts"
                                + " >= ? AND ts < ?");
        LocalDate day = LocalDate.ofInstant(t0, ZoneOffset.UTC);
        Map<Long, Long> counts = new HashMap<>();
        for (long id : series) {
            for (Row row : session.execute(select.bind(id, day, t0, t0.plus(LENGTH)))) {
                counts.merge(id, row.getLong("count"), Long::sum);
            }
        }
        return counts;
    }

    private boolean isCardinalityLimitOfWorkload(DeadLetter deadLetter) {
        return deadLetter.getReason().startsWith("cardinality-limit:") && isInWorkload(deadLetter);
    }

    /**
     * Every dead letter on the topic, read from its beginning until {@code enough} holds of those
     * read (or the timeout passes), and then on to the end the topic had at that moment, so that a
     * surplus shows too.
     */
    private List<DeadLetter> readDeadLetters(Duration timeout, Predicate<List<DeadLetter>> enough) {
        Properties properties = kafka(stack).toProperties();
        AvroCodec<DeadLetter> codec = Topics.DEAD_LETTER.codec();
        List<DeadLetter> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(Topics.DEAD_LETTER.name()).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!enough.test(all) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofSeconds(1))
                        .forEach(r -> all.add(decode(codec, r.value())));
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (end.entrySet().stream()
                            .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofSeconds(1))
                        .forEach(r -> all.add(decode(codec, r.value())));
            }
        }
        return all;
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

    /** The one sample a sample's dead letter holds (a batch of one). */
    private static MetricSample sampleOf(DeadLetter deadLetter) {
        byte[] raw = new byte[deadLetter.getRaw().remaining()];
        deadLetter.getRaw().duplicate().get(raw);
        try {
            MetricBatch batch = Topics.METRIC_SAMPLES.codec().decode(raw);
            assertThat(batch.getSamples()).as("samples in a sample's dead letter").hasSize(1);
            return MetricBatches.sample(batch, 0);
        } catch (AvroCodec.DecodeException e) {
            throw new AssertionError("a sample's dead letter holds no batch", e);
        }
    }

    private boolean isInWorkload(DeadLetter deadLetter) {
        byte[] raw = new byte[deadLetter.getRaw().remaining()];
        deadLetter.getRaw().duplicate().get(raw);
        try {
            long ts = MetricBatches.timestamp(Topics.METRIC_SAMPLES.codec().decode(raw), 0);
            return ts >= t0.toEpochMilli() && ts < t0.plus(LENGTH).toEpochMilli();
        } catch (AvroCodec.DecodeException e) {
            return false;
        }
    }
}
