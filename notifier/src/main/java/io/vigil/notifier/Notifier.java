package io.vigil.notifier;

import io.vigil.connectors.kafka.DeadLetterRecords;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.notifier.delivery.Deliveries;
import io.vigil.notifier.dispatch.Dispatcher;
import io.vigil.notifier.dispatch.Flush;
import io.vigil.notifier.dispatch.RecordPosition;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier's consumer loop: reads {@code vigil.alerts} as a member of a consumer group, feeds
 * the {@link Dispatcher}, hands due notifications to {@link Deliveries}, and commits each
 * partition's offset only up to the first record whose notifications are not delivered yet.
 *
 * <p>Replicas share the work through the group: each owns some partitions, and as the topic is
 * keyed by fingerprint, every event of an alert reaches the same replica. When a replica dies, the
 * group gives its partitions to the others (after {@code session.timeout.ms}), which read them from
 * the last committed offset; the notification log tells which of those records' notifications were
 * delivered already.
 *
 * <p>Everything but delivery runs on the thread that calls {@link #run}: the Kafka consumer, the
 * dispatcher and the offset bookkeeping are single-threaded by design.
 */
public final class Notifier implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    /** How often settled offsets are committed; a crash re-reads at most this much more. */
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(500);

    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final Dispatcher dispatcher;
    private final OffsetTracker offsets;
    private final Deliveries deliveries;
    private final StateFollower state;
    private final Clock clock;
    private final AvroCodec<AlertEvent> codec = Topics.ALERTS.codec();
    private final AvroCodec<DeadLetter> deadLetterCodec = Topics.DEAD_LETTER.codec();
    private final Duration catchUpTimeout;
    private volatile boolean running = true;
    private volatile boolean finished;
    private Map<Integer, Long> lastCommitted = Map.of();
    private Instant lastCommit = Instant.EPOCH;

    /**
     * @param kafka the cluster
     * @param groupId the consumer group all replicas share
     * @param dispatcher routing and grouping
     * @param offsets the dispatcher's settlements
     * @param deliveries the delivery threads
     * @param state the silences and inhibition sources, started by the caller
     * @param sessionTimeout how long the group waits for a silent replica before giving its
     *     partitions to others: the delay of notifications after a replica dies
     */
    Notifier(
            KafkaSettings kafka,
            String groupId,
            Dispatcher dispatcher,
            OffsetTracker offsets,
            Deliveries deliveries,
            StateFollower state,
            Duration sessionTimeout,
            Duration catchUpTimeout,
            Clock clock) {
        Properties properties = kafka.toProperties();
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(sessionTimeout.toMillis()));
        properties.put(
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                Long.toString(Math.max(1_000, sessionTimeout.toMillis() / 3)));
        this.consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties producer = kafka.toProperties();
        producer.put("acks", "all");
        this.deadLetters =
                new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer());
        this.dispatcher = dispatcher;
        this.offsets = offsets;
        this.deliveries = deliveries;
        this.state = state;
        this.catchUpTimeout = catchUpTimeout;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            if (!state.awaitCaughtUp(catchUpTimeout)) {
                throw new IllegalStateException(
                        String.format(
                                "Could not read %s within %s; is Kafka reachable?",
                                Topics.SILENCES, catchUpTimeout));
            }
            consumer.subscribe(List.of(Topics.ALERTS.name()), new Rebalance());
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    take(record);
                }
                Instant now = clock.instant();
                for (Long id : deliveries.drainCompleted()) {
                    dispatcher.completed(id, now);
                }
                for (Flush flush : dispatcher.due(now)) {
                    deliveries.submit(flush);
                }
                commitIfDue(now, false);
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                commitIfDue(clock.instant(), true);
            } catch (RuntimeException e) {
                LOG.warn(
                        "Final commit failed; the next owner re-reads a little more: {}",
                        e.toString());
            }
            consumer.close();
            deadLetters.close();
            finished = true;
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        RecordPosition position = new RecordPosition(record.partition(), record.offset());
        AlertEvent event;
        try {
            event = codec.decode(record.value());
        } catch (AvroCodec.DecodeException e) {
            deadLetter(record, e.getMessage());
            offsets.track(position, 0);
            return;
        }
        dispatcher.add(event, position, clock.instant());
    }

    /**
     * Sends an unreadable record to the dead-letter topic and waits for the broker's
     * acknowledgement, so that its offset is only committed once the record is safe there.
     */
    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason)
            throws InterruptedException {
        DeadLetter letter =
                DeadLetterRecords.of(
                        Topics.ALERTS,
                        record.partition(),
                        record.offset(),
                        reason,
                        record.key(),
                        record.value(),
                        clock.millis());
        LOG.warn(
                "Dead-lettering record {}@{} of {}: {}",
                record.partition(),
                record.offset(),
                Topics.ALERTS,
                reason);
        try {
            deadLetters
                    .send(
                            new ProducerRecord<>(
                                    Topics.DEAD_LETTER.name(),
                                    Topics.DEAD_LETTER.keyFormat().encode(Topics.ALERTS.name()),
                                    deadLetterCodec.encode(letter)))
                    .get();
        } catch (ExecutionException e) {
            // Without the dead letter the record must not be committed: stop and let the group
            // hand the partition to a replica that can write to Kafka.
            throw new IllegalStateException("cannot write to " + Topics.DEAD_LETTER, e.getCause());
        }
    }

    private void commitIfDue(Instant now, boolean force) {
        if (!force && Duration.between(lastCommit, now).compareTo(COMMIT_INTERVAL) < 0) {
            return;
        }
        lastCommit = now;
        Map<Integer, Long> committable = offsets.committable();
        if (committable.equals(lastCommitted)) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        committable.forEach(
                (partition, offset) -> {
                    if (!offset.equals(lastCommitted.get(partition))) {
                        commit.put(
                                new TopicPartition(Topics.ALERTS.name(), partition),
                                new OffsetAndMetadata(offset));
                    }
                });
        consumer.commitSync(commit);
        lastCommitted = committable;
    }

    /** Stops the loop; {@link #run} commits what is settled and returns. Idempotent. */
    @Override
    public void close() {
        running = false;
        if (!finished) {
            consumer.wakeup();
        }
    }

    /** Commits settled offsets of partitions leaving this replica, then forgets them. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            commitIfDue(clock.instant(), true);
            Set<Integer> revoked =
                    partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet());
            dispatcher.revoke(revoked);
            offsets.revoke(revoked);
            Map<Integer, Long> kept = new HashMap<>(lastCommitted);
            kept.keySet().removeAll(revoked);
            lastCommitted = kept;
            LOG.info("Partitions {} of {} left this replica", revoked, Topics.ALERTS);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.info(
                        "Partitions {} of {} assigned to this replica",
                        partitions.stream().map(TopicPartition::partition).sorted().toList(),
                        Topics.ALERTS);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another replica owns them already: committing would overwrite its progress.
            Set<Integer> lost =
                    partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet());
            dispatcher.revoke(lost);
            offsets.revoke(lost);
            LOG.warn(
                    "Partitions {} of {} were lost (this replica was too slow)",
                    lost,
                    Topics.ALERTS);
        }
    }
}
