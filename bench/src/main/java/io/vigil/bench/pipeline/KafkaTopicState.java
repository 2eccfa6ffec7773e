package io.vigil.bench.pipeline;

import io.vigil.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The samples topic as Kafka sees it: its end offsets and one job's committed offsets (its consumer
 * group: {@code vigil-metrics-rollup} or {@code vigil-alerting}, one instance each). A job commits
 * on checkpoints (every 10 s), so the committed lag includes up to one checkpoint interval of
 * records the job has in fact processed; the job's own {@code pendingRecords} metric is the live
 * lag.
 *
 * <p>Offsets count records, and a record is a batch of one host's samples: callers turn the lag
 * into samples with the writer's {@link io.vigil.bench.SampleWriter#samplesPerRecord()}.
 */
final class KafkaTopicState implements AutoCloseable {
    private final Admin admin;
    private final String groupId;

    KafkaTopicState(Admin admin, String groupId) {
        this.admin = admin;
        this.groupId = groupId;
    }

    /** Records (batches) in the topic that the job's consumer group has not committed yet. */
    long committedLagRecords() throws ExecutionException, InterruptedException {
        String topic = Topics.METRIC_SAMPLES.name();
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
        int partitions =
                admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get()
                        .get(topic)
                        .partitions()
                        .size();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long lag = 0;
        for (var end : admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += end.getValue().offset() - (done == null ? 0 : done.offset());
        }
        return lag;
    }

    @Override
    public void close() {
        admin.close();
    }
}
