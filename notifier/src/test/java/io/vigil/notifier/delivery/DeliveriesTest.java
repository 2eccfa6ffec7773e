package io.vigil.notifier.delivery;

import static io.vigil.notifier.Alerts.T0;
import static io.vigil.notifier.Alerts.firing;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.notifier.config.ConfigLoader;
import io.vigil.notifier.config.NotifierConfig;
import io.vigil.notifier.dispatch.Flush;
import io.vigil.notifier.log.InMemoryNotificationLog;
import io.vigil.notifier.log.NotificationLog;
import io.vigil.schemas.AlertEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The delivery workers with an in-memory log and scripted senders: retries until delivered, nothing
 * delivered twice, takeover after a lapsed lease, storm control.
 */
class DeliveriesTest {

    private static final String INTEGRATION = "ops/webhook[0]";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final NotifierConfig config =
            ConfigLoader.parse(
                    """
                    notifier:
                      retry_initial_backoff: 10ms
                      retry_max_backoff: 40ms
                      max_notifications_per_second: 3
                      lease: 2s
                      request_timeout: 1s
                    route: {receiver: ops}
                    receivers:
                      - name: ops
                        webhook_configs: [{url: 'http://127.0.0.1:1/'}]
                    """);

    private final List<Message> sent = Collections.synchronizedList(new ArrayList<>());
    private final InMemoryNotificationLog log = new InMemoryNotificationLog();
    private long flushIds;

    @Test
    void retriesAnUnreachableReceiverUntilItAcceptsAndLogsTheDelivery() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Sender flaky =
                message -> {
                    if (attempts.incrementAndGet() <= 3) {
                        throw new DeliveryException("connection refused", true);
                    }
                    sent.add(message);
                };
        try (Deliveries deliveries = start(flaky, "replica-a")) {
            Flush flush = flush("a");
            deliveries.submit(flush);

            assertThat(awaitCompleted(deliveries, 1)).containsExactly(flush.id());
        }
        assertThat(attempts).hasValue(4);
        assertThat(sent)
                .singleElement()
                .satisfies(
                        message -> {
                            assertThat(message.alerts())
                                    .extracting(AlertEvent::getEventId)
                                    .containsExactly("a#1");
                            assertThat(message.sender()).isEqualTo("replica-a");
                        });
        assertThat(log.isDelivered(INTEGRATION, "g-a", "a#1")).isTrue();
    }

    @Test
    void aNotificationDeliveredByAnotherReplicaIsNotSentAgain() throws Exception {
        try (Deliveries first = start(sent::add, "replica-a")) {
            first.submit(flush("a"));
            awaitCompleted(first, 1);
        }
        try (Deliveries second = start(sent::add, "replica-b")) {
            Flush again = flush("a");
            second.submit(again);

            assertThat(awaitCompleted(second, 1)).containsExactly(again.id());
        }
        assertThat(sent).hasSize(1);
    }

    @Test
    void aClaimWhoseOwnerDiedIsTakenOverAfterItsLease() throws Exception {
        Instant claimedAt = Instant.now();
        NotificationLog.ClaimResult dead =
                log.claim(
                        new NotificationLog.ClaimRequest(
                                INTEGRATION,
                                "g-a",
                                "n",
                                Map.of("a#1", "a"),
                                "dead-replica",
                                claimedAt,
                                Duration.ofSeconds(1)));
        assertThat(dead).isInstanceOf(NotificationLog.Claimed.class);

        try (Deliveries survivor = start(sent::add, "replica-b")) {
            survivor.submit(flush("a"));
            awaitCompleted(survivor, 1);
        }
        assertThat(sent).singleElement();
        assertThat(Instant.now()).isAfter(claimedAt.plusSeconds(1));
    }

    @Test
    void aStormIsSummarisedInsteadOfDroppedOrFlooding() throws Exception {
        Sender slow =
                message -> {
                    sent.add(message);
                };
        int notifications = 30;
        try (Deliveries deliveries = start(slow, "replica-a")) {
            for (int i = 0; i < notifications; i++) {
                deliveries.submit(flush("s" + i));
            }
            awaitCompleted(deliveries, notifications);
        }
        int announced = sent.stream().mapToInt(message -> message.alerts().size()).sum();
        assertThat(announced).as("every alert announced once").isEqualTo(notifications);
        assertThat(sent.size()).as("3 per second, the rest summarised").isLessThan(notifications);
        assertThat(sent).anySatisfy(message -> assertThat(message.isSummary()).isTrue());
        assertThat(sent.get(0).isSummary()).isFalse();
    }

    private Deliveries start(Sender sender, String owner) {
        return Deliveries.start(config, Map.of(INTEGRATION, sender), log, Clock.systemUTC(), owner);
    }

    private Flush flush(String fingerprint) {
        AlertEvent alert =
                firing(fingerprint, Map.of("alertname", "Load", "host", fingerprint), T0);
        return new Flush(
                ++flushIds,
                "ops",
                "g-" + fingerprint,
                Map.of("host", fingerprint),
                List.of(alert),
                Set.of(alert.getEventId()),
                false,
                T0);
    }

    private static List<Long> awaitCompleted(Deliveries deliveries, int count)
            throws InterruptedException {
        List<Long> done = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (done.size() < count && System.nanoTime() < deadline) {
            done.addAll(deliveries.drainCompleted());
            Thread.sleep(10);
        }
        assertThat(done).hasSize(count);
        return done;
    }
}
