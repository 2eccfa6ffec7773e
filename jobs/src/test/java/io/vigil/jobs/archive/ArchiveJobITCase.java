package io.vigil.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.bench.SampleWriter;
import io.vigil.connectors.kafka.KafkaConnectors;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.connectors.kafka.TopicAdmin;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive job end to end on an in-process Flink MiniCluster with the real Kafka broker of the
 * local stack: a known set of samples over two UTC days and several data centres, sent as batches
 * (and, by one host, as per-sample records), comes back from the committed Avro files exactly, one
 * record per sample, each once and in its partition, and a record that is no sample is
 * dead-lettered. When the TaskManager dies mid-stream, the restarted job still archives every
 * sample exactly once.
 */
@ExtendWith(SharedStackExtension.class)
class ArchiveJobITCase {
    /** Two hours across midnight, so the workload spans two UTC days. */
    private static final Instant T0 = Instant.parse("2026-11-23T23:00:00Z");

    private static final Duration STEP = Duration.ofMinutes(2);
    private static final int STEPS = 60;
    private static final int SERIES_PER_HOST = 2;

    /** The fleet: a null dc means no label, and one dc value tries to escape its folder. */
    private static final List<Host> HOSTS =
            List.of(
                    new Host("host-1", "fra1"),
                    new Host("host-2", "fra1"),
                    new Host("host-3", "fra1"),
                    new Host("host-4", "ams2"),
                    new Host("host-5", "ams2"),
                    new Host("host-6", "ams2"),
                    new Host("host-7", null),
                    new Host("host-8", "../x"));

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path archive;

    /** Tells this run's samples apart from other tests' on the shared topic. */
    private final String run = UUID.randomUUID().toString();

    @Test
    void archivesEverySampleExactlyOnceInItsDayAndDcPartition(LocalStack stack) throws Exception {
        KafkaSettings kafka = KafkaSettings.of(stack.kafkaBootstrapServers());
        new TopicAdmin(kafka, 4, (short) 1, Duration.ofDays(1)).createMissing(Topics.ALL);
        List<Report> reports = workload();
        List<MetricSample> samples = samplesOf(reports);
        // Before anything is written: the source starts here, skipping older records of others.
        long startedAt = System.currentTimeMillis();

        JobClient job = startArchive(kafka, startedAt, Duration.ofSeconds(1));
        Map<String, Map<MetricSample, Integer>> archived;
        try {
            try (SampleWriter writer = new SampleWriter(stack.kafkaBootstrapServers())) {
                int half = reports.size() / 2;
                reports.subList(0, half).forEach(report -> report.sendTo(writer));
                writer.sendRaw(
                        run.getBytes(StandardCharsets.UTF_8),
                        ("not a sample " + run).getBytes(StandardCharsets.UTF_8),
                        null);
                reports.subList(half, reports.size()).forEach(report -> report.sendTo(writer));
                writer.flush();
            }
            archived = awaitArchived(samples.size(), Duration.ofMinutes(2));
            // While the job runs: its Kafka sink flushes dead letters on checkpoints.
            assertThat(deadLetterOfTheRawRecord(kafka, Duration.ofMinutes(1)).getReason())
                    .startsWith("undecodable:");
        } finally {
            job.cancel().get();
        }

        assertThat(archived).isEqualTo(expectedPartitions(samples));
        assertThat(finishedParts())
                .allSatisfy(
                        part ->
                                assertThat(archive.relativize(part).toString())
                                        .matches(
                                                "samples/day=\\d{4}-\\d{2}-\\d{2}/dc=[A-Za-z0-9._-]+"
                                                    + "/part-[0-9a-f-]{36}-\\d+\\.avro"));
    }

    @Test
    void losesAndRepeatsNothingWhenTheTaskManagerDies(
            LocalStack stack, @InjectMiniCluster MiniCluster flink) throws Exception {
        KafkaSettings kafka = KafkaSettings.of(stack.kafkaBootstrapServers());
        new TopicAdmin(kafka, 4, (short) 1, Duration.ofDays(1)).createMissing(Topics.ALL);
        List<Report> reports = workload();
        List<MetricSample> samples = samplesOf(reports);
        int third = reports.size() / 3;
        long startedAt = System.currentTimeMillis();

        // Checkpoints far enough apart to kill the TaskManager between two of them.
        JobClient job = startArchive(kafka, startedAt, Duration.ofSeconds(5));
        Map<String, Map<MetricSample, Integer>> archived;
        try (SampleWriter writer = new SampleWriter(stack.kafkaBootstrapServers())) {
            reports.subList(0, third).forEach(report -> report.sendTo(writer));
            writer.flush();
            awaitArchived(1, Duration.ofMinutes(2));

            // Samples read but not yet covered by a checkpoint are in files the lost
            // TaskManager never committed; the restarted job must read them again, once. The
            // kill waits for such a file, so it nearly always lands before the next checkpoint.
            reports.subList(third, 2 * third).forEach(report -> report.sendTo(writer));
            writer.flush();
            awaitFileInProgress(Duration.ofMinutes(1));
            flink.terminateTaskManager(0).get();
            flink.startTaskManager();

            reports.subList(2 * third, reports.size()).forEach(report -> report.sendTo(writer));
            writer.flush();
            archived = awaitArchived(samples.size(), Duration.ofMinutes(3));
        } finally {
            job.cancel().get();
        }

        assertThat(archived).isEqualTo(expectedPartitions(samples));
    }

    /** The job on the MiniCluster, reading from {@code startedAt}. */
    private JobClient startArchive(KafkaSettings kafka, long startedAt, Duration checkpointInterval)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(checkpointInterval.toMillis());
        new ArchiveJob(
                        KafkaConnectors.source(
                                kafka,
                                Topics.METRIC_SAMPLES,
                                "it-archive-" + run,
                                // Only this test's records: other tests share the topic.
                                OffsetsInitializer.timestamp(startedAt)),
                        ArchiveFiles.samplesSink(archive.toUri().toString(), 6),
                        KafkaConnectors.deadLetterSink(kafka))
                .build(env);
        return env.executeAsync("archive on a MiniCluster");
    }

    /**
     * What one host reports at one step: one batch, or, from a producer not yet upgraded to
     * batches, each sample as a record of its own.
     *
     * @param samples the samples the archive must hold for it, worked out here rather than with the
     *     job's code
     */
    private record Report(MetricBatch batch, List<MetricSample> samples, boolean legacy) {
        void sendTo(SampleWriter writer) {
            if (legacy) {
                samples.forEach(writer::sendLegacy);
            } else {
                writer.send(batch);
            }
        }
    }

    /**
     * 8 hosts x 2 series every 2 minutes for 2 hours: 480 reports of 960 samples, 8 partitions (2
     * days x fra1, ams2, unknown and the sanitised {@code .._x}). The second series of a host has a
     * label of its own and is read 250 ms after the batch's time; host-7 has not been upgraded and
     * sends a record per sample.
     */
    private List<Report> workload() {
        List<Report> reports = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            long timestamp = T0.plus(STEP.multipliedBy(step)).toEpochMilli();
            for (Host host : HOSTS) {
                Map<String, String> shared = new HashMap<>();
                shared.put("host", host.name());
                shared.put("run", run);
                if (host.dc() != null) {
                    shared.put("dc", host.dc());
                }
                MetricBatches.Builder batch = MetricBatches.builder(shared, timestamp);
                List<MetricSample> samples = new ArrayList<>();
                for (int series = 0; series < SERIES_PER_HOST; series++) {
                    String name = "vigil_test_archive_" + series;
                    double value = step * 1.5 + series;
                    Map<String, String> own =
                            series == 0 ? Map.of() : Map.of("core", Integer.toString(series));
                    long at = timestamp + series * 250L;
                    batch.add(name, own, value, at);
                    Map<String, String> labels = new HashMap<>(shared);
                    labels.putAll(own);
                    samples.add(new MetricSample(name, labels, value, at));
                }
                reports.add(new Report(batch.build(), samples, host.name().equals("host-7")));
            }
        }
        return reports;
    }

    private static List<MetricSample> samplesOf(List<Report> reports) {
        return reports.stream().flatMap(report -> report.samples().stream()).toList();
    }

    /**
     * The partitions the samples belong in, worked out here rather than with the job's code:
     * partition folder to each sample and how often it must occur (once).
     */
    private static Map<String, Map<MetricSample, Integer>> expectedPartitions(
            List<MetricSample> samples) {
        Map<String, Map<MetricSample, Integer>> expected = new HashMap<>();
        for (MetricSample sample : samples) {
            LocalDate day =
                    Instant.ofEpochMilli(sample.getTimestamp())
                            .atZone(ZoneOffset.UTC)
                            .toLocalDate();
            String dc = sample.getLabels().getOrDefault("dc", "unknown");
            String folder = "samples/day=" + day + "/dc=" + dc.replace("/", "_");
            expected.computeIfAbsent(folder, f -> new HashMap<>()).merge(sample, 1, Integer::sum);
        }
        assertThat(expected)
                .containsOnlyKeys(
                        "samples/day=2026-11-23/dc=fra1",
                        "samples/day=2026-11-23/dc=ams2",
                        "samples/day=2026-11-23/dc=unknown",
                        "samples/day=2026-11-23/dc=.._x",
                        "samples/day=2026-11-24/dc=fra1",
                        "samples/day=2026-11-24/dc=ams2",
                        "samples/day=2026-11-24/dc=unknown",
                        "samples/day=2026-11-24/dc=.._x");
        return expected;
    }

    /**
     * Polls the committed part files until they hold at least {@code atLeast} of this run's
     * samples, then returns them by partition folder, counting each occurrence (so that the caller
     * sees duplicates).
     */
    private Map<String, Map<MetricSample, Integer>> awaitArchived(int atLeast, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Map<MetricSample, Integer>> archived = readArchive();
        while (count(archived) < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(500);
            archived = readArchive();
        }
        assertThat(count(archived))
                .as("samples in committed files")
                .isGreaterThanOrEqualTo(atLeast);
        return archived;
    }

    private Map<String, Map<MetricSample, Integer>> readArchive() throws IOException {
        Map<String, Map<MetricSample, Integer>> archived = new HashMap<>();
        for (Path part : finishedParts()) {
            String folder = archive.relativize(part.getParent()).toString();
            try (DataFileReader<MetricSample> reader =
                    new DataFileReader<>(
                            part.toFile(), new SpecificDatumReader<>(MetricSample.class))) {
                for (MetricSample sample : reader) {
                    if (run.equals(sample.getLabels().get("run"))) {
                        archived.computeIfAbsent(folder, f -> new HashMap<>())
                                .merge(sample, 1, Integer::sum);
                    }
                }
            }
        }
        return archived;
    }

    /** Committed part files: FileSink keeps in-progress and pending files hidden ('.'). */
    private List<Path> finishedParts() throws IOException {
        if (!Files.exists(archive.resolve(ArchiveLayout.SAMPLES))) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(archive)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList();
        }
    }

    /** Waits until the sink has a file open: samples after the last checkpoint. */
    private void awaitFileInProgress(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Stream<Path> files = Files.walk(archive)) {
                if (files.anyMatch(f -> ArchiveLayout.isInProgress(f.getFileName().toString()))) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the sink opened no file for the samples sent");
    }

    private static int count(Map<String, Map<MetricSample, Integer>> archived) {
        return archived.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToInt(Integer::intValue)
                .sum();
    }

    private DeadLetter deadLetterOfTheRawRecord(KafkaSettings kafka, Duration timeout) {
        Properties properties = kafka.toProperties();
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        AvroCodec<DeadLetter> codec = Topics.DEAD_LETTER.codec();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DEAD_LETTER.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    DeadLetter deadLetter = codec.decode(record.value());
                    byte[] raw = new byte[deadLetter.getRaw().remaining()];
                    deadLetter.getRaw().duplicate().get(raw);
                    if (new String(raw, StandardCharsets.UTF_8).contains(run)) {
                        return deadLetter;
                    }
                }
            }
        } catch (AvroCodec.DecodeException e) {
            throw new AssertionError(
                    "the dead-letter topic holds a record that is no DeadLetter", e);
        }
        throw new AssertionError("no dead letter for the raw record of run " + run);
    }

    private record Host(String name, String dc) {}
}
