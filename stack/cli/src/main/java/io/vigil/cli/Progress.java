package io.vigil.cli;

import io.vigil.bench.SampleWriter;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.schemas.Topics;
import io.vigil.stack.FlinkRestClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The live progress of {@code vigil up}: samples the fleet sent, rollup rows in Cassandra, the
 * rollup job's consumer lag, notifications the notifier delivered and the job's state, every five
 * seconds.
 *
 * <p>The fleet sends a batch of samples per host and step; Kafka counts records, so the lag it
 * reports is turned into samples at the writer's samples per record, and both columns count
 * samples.
 */
final class Progress {
    private static final Duration EVERY = Duration.ofSeconds(5);

    private final KafkaSettings kafka;
    private final FlinkRestClient flink;
    private final String jobId;
    private final SampleWriter writer;
    private final String groupId;
    private final LongSupplier notified;

    /**
     * @param notified notifications delivered since the notifier started
     */
    Progress(
            KafkaSettings kafka,
            FlinkRestClient flink,
            String jobId,
            SampleWriter writer,
            String groupId,
            LongSupplier notified) {
        this.kafka = kafka;
        this.flink = flink;
        this.jobId = jobId;
        this.writer = writer;
        this.groupId = groupId;
        this.notified = notified;
    }

    /** Prints progress until {@code deadlineNanos} (null: never) or until {@code stopped}. */
    void showUntil(Long deadlineNanos, CountDownLatch stopped) throws InterruptedException {
        System.out.printf(
                "%-10s %15s %13s %14s %9s  %s%n",
                "time", "samples sent", "rollup rows", "consumer lag", "notified", "job");
        try (Admin admin = Admin.create(kafka.toProperties())) {
            while (deadlineNanos == null || System.nanoTime() < deadlineNanos) {
                if (stopped.await(EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                System.out.printf(
                        "%-10s %,15d %,13d %,14d %,9d  %s%n",
                        UpCommand.now(),
                        writer.acknowledgedSamples(),
                        rollupRows(),
                        lag(admin),
                        notified(),
                        jobState());
            }
        }
    }

    /**
     * Rows the job's Cassandra sink has written and Cassandra acknowledged, from the sink's
     * standard {@code numRecordsSend} metric: a count(*) over the table would grow slower with
     * every minute the stack runs.
     */
    private long rollupRows() {
        try {
            return flink.sumMetric(jobId, "rollups_1m", "numRecordsSend");
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** From the notifier's log of record in Cassandra, so it counts for any receiver. */
    private long notified() {
        try {
            return notified.getAsLong();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Samples in Kafka the job has not committed yet (offsets are committed on checkpoints), or -1
     * if Kafka cannot tell now.
     */
    private long lag(Admin admin) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            int partitions =
                    admin.describeTopics(java.util.List.of(Topics.METRIC_SAMPLES.name()))
                            .allTopicNames()
                            .get()
                            .get(Topics.METRIC_SAMPLES.name())
                            .partitions()
                            .size();
            for (int p = 0; p < partitions; p++) {
                latest.put(
                        new TopicPartition(Topics.METRIC_SAMPLES.name(), p), OffsetSpec.latest());
            }
            long records = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end :
                    admin.listOffsets(latest).all().get().entrySet()) {
                OffsetAndMetadata done = committed.get(end.getKey());
                records += end.getValue().offset() - (done == null ? 0 : done.offset());
            }
            // Offsets count records, a batch of one host's samples each.
            return Math.round(records * writer.samplesPerRecord());
        } catch (Exception e) {
            return -1;
        }
    }

    private String jobState() {
        try {
            return flink.jobState(jobId);
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
