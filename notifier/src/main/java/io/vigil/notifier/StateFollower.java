package io.vigil.notifier;

import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.notifier.dispatch.AlertLabels;
import io.vigil.notifier.inhibit.Inhibitor;
import io.vigil.notifier.silence.SilenceRegistry;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.Silence;
import io.vigil.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows what every replica must know in full, whichever partitions of {@code vigil.alerts} it
 * owns: all silences (the compacted {@code vigil.silences}, from its start) and, when there are
 * inhibition rules, the firing alerts of every partition of {@code vigil.alerts} from {@code
 * lookback} ago. One consumer without a group, assigned every partition, on its own thread.
 *
 * <p>The notifier waits for {@link #awaitCaughtUp} before it notifies anything, so that a restarted
 * replica does not announce alerts that a silence it has not read yet mutes.
 */
final class StateFollower implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StateFollower.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SilenceRegistry silences;
    private final Inhibitor inhibitor;
    private final Duration lookback;
    private final Clock clock;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final AvroCodec<Silence> silenceCodec = Topics.SILENCES.codec();
    private final AvroCodec<AlertEvent> alertCodec = Topics.ALERTS.codec();
    private volatile boolean running = true;
    private volatile boolean finished;

    StateFollower(
            KafkaSettings kafka,
            SilenceRegistry silences,
            Inhibitor inhibitor,
            Duration lookback,
            Clock clock) {
        Properties properties = kafka.toProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.silences = silences;
        this.inhibitor = inhibitor;
        this.lookback = lookback;
        this.clock = clock;
    }

    /** Waits until everything on the topics when the follower started has been read. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>(partitionsOf(Topics.SILENCES.name()));
            List<TopicPartition> alertPartitions =
                    inhibitor.hasRules() ? partitionsOf(Topics.ALERTS.name()) : List.of();
            partitions.addAll(alertPartitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitionsOf(Topics.SILENCES.name()));
            seekToLookback(alertPartitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                }
                if (caughtUp.getCount() > 0) {
                    ends.entrySet()
                            .removeIf(end -> consumer.position(end.getKey()) >= end.getValue());
                    if (ends.isEmpty()) {
                        LOG.info(
                                "Read {} silences{}; notifying from now on",
                                silences.size(),
                                inhibitor.hasRules() ? " and the alerts that may inhibit" : "");
                        caughtUp.countDown();
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
            finished = true;
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        String topic = record.topic();
        if (topic.equals(Topics.SILENCES.name())) {
            String id = (String) Topics.SILENCES.keyFormat().decode(record.key());
            if (record.value() == null) {
                silences.apply(id, null);
                return;
            }
            try {
                silences.apply(id, silenceCodec.decode(record.value()));
            } catch (AvroCodec.DecodeException e) {
                LOG.error(
                        "Ignoring silence record {}-{}@{}: {}",
                        topic,
                        record.partition(),
                        record.offset(),
                        e.getMessage());
            }
            return;
        }
        try {
            AlertEvent event = alertCodec.decode(record.value());
            if (event.getState() != AlertState.PENDING) {
                inhibitor.observe(
                        event.getFingerprint(),
                        AlertLabels.of(event),
                        event.getState() == AlertState.FIRING);
            }
        } catch (AvroCodec.DecodeException e) {
            // The replica owning the partition dead-letters it; here it only cannot inhibit.
            LOG.debug("Skipping undecodable alert at {}@{}", record.partition(), record.offset());
        }
    }

    private List<TopicPartition> partitionsOf(String topic) {
        List<TopicPartition> partitions = new ArrayList<>();
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException(
                    String.format("topic %s does not exist; create the topics first", topic));
        }
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        return partitions;
    }

    private void seekToLookback(List<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        long from = clock.millis() - lookback.toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, from));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp offset = offsets.get(partition);
            consumer.seek(partition, offset == null ? ends.get(partition) : offset.offset());
        }
    }

    @Override
    public void close() {
        running = false;
        if (!finished) {
            consumer.wakeup();
        }
    }
}
