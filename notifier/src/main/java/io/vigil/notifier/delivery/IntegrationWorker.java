package io.vigil.notifier.delivery;

import io.vigil.connectors.cassandra.ExponentialBackoff;
import io.vigil.notifier.config.DeliverySettings;
import io.vigil.notifier.log.NotificationLog;
import io.vigil.notifier.log.NotificationLog.AlreadyDelivered;
import io.vigil.notifier.log.NotificationLog.Busy;
import io.vigil.notifier.log.NotificationLog.Claim;
import io.vigil.notifier.log.NotificationLog.ClaimRequest;
import io.vigil.notifier.log.NotificationLog.ClaimResult;
import io.vigil.notifier.log.NotificationLog.Claimed;
import io.vigil.schemas.AlertEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the notifications of one integration, one at a time, on its own thread: claim in the
 * notification log, send (retrying with exponential backoff and jitter for as long as it takes,
 * renewing the claim meanwhile), mark delivered, report the outcome.
 *
 * <p>One thread per integration keeps a slow or dead receiver from delaying the others, and makes
 * storm control simple: when more than {@code max_notifications_per_second} are due, the worker
 * waits for the next free slot and sends everything that queued up meanwhile as one summary.
 *
 * <p>Nothing is ever dropped: a failed delivery is retried until it succeeds or the notifier stops;
 * then the records stay uncommitted and are read again on the next start.
 */
final class IntegrationWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationWorker.class);

    private final String integration;
    private final Sender sender;
    private final NotificationLog log;
    private final DeliverySettings settings;
    private final Clock clock;
    private final String owner;
    private final BiConsumer<Delivery, Outcome> done;
    private final BlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
    private final StormLimiter storm;
    private final ExponentialBackoff backoff;

    /** A delivery whose events this replica holds. */
    private record Held(Delivery delivery, Claim claim) {}

    /**
     * @param integration the integration's id in the log, e.g. {@code ops/email[0]}
     * @param owner this replica's id in the log
     * @param done told the outcome of each delivery, from this worker's thread
     */
    IntegrationWorker(
            String integration,
            Sender sender,
            NotificationLog log,
            DeliverySettings settings,
            Clock clock,
            String owner,
            BiConsumer<Delivery, Outcome> done) {
        this.integration = integration;
        this.sender = sender;
        this.log = log;
        this.settings = settings;
        this.clock = clock;
        this.owner = owner;
        this.done = done;
        this.storm = new StormLimiter(settings.maxPerSecond());
        this.backoff = new ExponentialBackoff(settings.initialBackoff(), settings.maxBackoff());
    }

    String integration() {
        return integration;
    }

    void submit(Delivery delivery) {
        queue.add(delivery);
    }

    @Override
    public void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                List<Delivery> batch = new ArrayList<>();
                batch.add(queue.take());
                Duration wait = storm.waitBeforeNext(clock.instant());
                if (!wait.isZero()) {
                    Thread.sleep(Math.max(1, wait.toMillis()));
                    queue.drainTo(batch);
                    if (batch.size() > 1) {
                        LOG.warn(
                                "Storm control on {}: more than {} notifications per second;"
                                        + " summarising {} in one message",
                                integration,
                                settings.maxPerSecond(),
                                batch.size());
                    }
                }
                process(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info(
                "Delivery to {} stopped; {} notifications left undelivered",
                integration,
                queue.size());
    }

    private void process(List<Delivery> batch) throws InterruptedException {
        List<Held> held = new ArrayList<>();
        for (Delivery delivery : batch) {
            if (delivery.alerts().isEmpty()) {
                done.accept(delivery, Outcome.NOTHING_TO_SEND);
                continue;
            }
            Claim claim = claim(delivery);
            if (claim == null) {
                done.accept(delivery, Outcome.ALREADY_DELIVERED);
            } else {
                held.add(new Held(delivery, claim));
            }
        }
        if (held.isEmpty()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            held = renewWhereDue(held);
            if (held.isEmpty()) {
                return;
            }
            Message message = message(held);
            try {
                sender.send(message);
                storm.record(clock.instant());
                if (attempt > 1) {
                    LOG.info(
                            "Delivered notification {} to {} after {} attempts",
                            message.notificationId(),
                            integration,
                            attempt);
                }
                break;
            } catch (DeliveryException e) {
                Duration delay = backoff.delay(attempt);
                if (e.isTransient()) {
                    LOG.warn(
                            "Delivery of notification {} to {} failed (attempt {}): {}; retrying"
                                    + " in {} ms",
                            message.notificationId(),
                            integration,
                            attempt,
                            e.getMessage(),
                            delay.toMillis());
                } else {
                    LOG.error(
                            "{} rejected notification {} (attempt {}): {}; this needs a fix of"
                                    + " the receiver or its configuration. Retrying in {} ms, the"
                                    + " notification is kept until it is delivered",
                            integration,
                            message.notificationId(),
                            attempt,
                            e.getMessage(),
                            delay.toMillis());
                }
                Thread.sleep(delay.toMillis());
            }
        }
        for (Held each : held) {
            Instant now = clock.instant();
            boolean clean =
                    withStorageRetries(
                            "mark delivered", () -> log.markDelivered(each.claim(), now));
            if (!clean) {
                LOG.warn(
                        "Notification {} to {} was also delivered by another replica whose claim"
                                + " outlived its lease",
                        each.claim().notificationId(),
                        integration);
            }
            done.accept(each.delivery(), Outcome.DELIVERED);
        }
    }

    /** Claims a delivery's events, waiting out other live owners; null if all were delivered. */
    private Claim claim(Delivery delivery) throws InterruptedException {
        Map<String, String> fingerprints = new HashMap<>();
        for (AlertEvent alert : delivery.alerts()) {
            fingerprints.put(alert.getEventId(), alert.getFingerprint());
        }
        Map<String, String> events = new LinkedHashMap<>();
        for (String claimId : delivery.flush().claimIds()) {
            events.put(claimId, fingerprints.getOrDefault(claimId, ""));
        }
        String notificationId = notificationId(delivery);
        while (true) {
            Instant now = clock.instant();
            ClaimRequest request =
                    new ClaimRequest(
                            integration,
                            delivery.flush().groupKey(),
                            notificationId,
                            events,
                            owner,
                            now,
                            settings.lease());
            ClaimResult result = withStorageRetries("claim", () -> log.claim(request));
            if (result instanceof Claimed claimed) {
                return claimed.claim();
            }
            if (result instanceof AlreadyDelivered) {
                LOG.debug(
                        "Notification {} to {} was delivered before", notificationId, integration);
                return null;
            }
            Busy busy = (Busy) result;
            LOG.info(
                    "Notification {} to {} is claimed by {} until {}; waiting for it to be"
                            + " delivered or for the claim to lapse",
                    notificationId,
                    integration,
                    busy.owner(),
                    busy.until());
            Thread.sleep(Math.max(100, Duration.between(now, busy.until()).toMillis() + 100));
        }
    }

    /** Renews claims past half their lease; drops (and reports) those another owner took. */
    private List<Held> renewWhereDue(List<Held> held) throws InterruptedException {
        List<Held> kept = new ArrayList<>();
        Iterator<Held> iterator = held.iterator();
        while (iterator.hasNext()) {
            Held each = iterator.next();
            Instant now = clock.instant();
            if (Duration.between(now, each.claim().leaseUntil())
                            .compareTo(settings.lease().dividedBy(2))
                    > 0) {
                kept.add(each);
                continue;
            }
            Claim renewed =
                    withStorageRetries(
                            "renew", () -> log.renew(each.claim(), now, settings.lease()));
            if (renewed == null) {
                LOG.warn(
                        "Lost the claim of notification {} to {} to another replica; it delivers"
                                + " it",
                        each.claim().notificationId(),
                        integration);
                done.accept(each.delivery(), Outcome.TAKEN_OVER);
            } else {
                kept.add(new Held(each.delivery(), renewed));
            }
        }
        return kept;
    }

    private Message message(List<Held> held) {
        if (held.size() == 1) {
            Delivery delivery = held.get(0).delivery();
            return new Message(
                    held.get(0).claim().notificationId(),
                    delivery.flush().receiver(),
                    delivery.flush().groupKey(),
                    delivery.flush().groupLabels(),
                    delivery.alerts(),
                    1,
                    owner);
        }
        List<AlertEvent> alerts = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>();
        TreeSet<String> groups = new TreeSet<>();
        for (Held each : held) {
            alerts.addAll(each.delivery().alerts());
            ids.add(each.claim().notificationId());
            groups.add(each.delivery().flush().groupKey());
        }
        return new Message(
                hash(String.join("\n", ids)),
                held.get(0).delivery().flush().receiver(),
                String.join(" ", groups),
                Map.of(),
                alerts,
                held.size(),
                owner);
    }

    /**
     * The notification's id: a hash of integration, group and the claimed ids, identical on every
     * replica that forms the same notification.
     */
    private String notificationId(Delivery delivery) {
        return hash(
                integration
                        + "\n"
                        + delivery.flush().groupKey()
                        + "\n"
                        + String.join("\n", new TreeSet<>(delivery.flush().claimIds())));
    }

    private static String hash(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Runs a notification log call until Cassandra answers; logs each failure. */
    private <T> T withStorageRetries(String what, Supplier<T> call) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                Duration delay = backoff.delay(attempt);
                LOG.warn(
                        "Notification log {} for {} failed (attempt {}): {}; retrying in {} ms",
                        what,
                        integration,
                        attempt,
                        e.toString(),
                        delay.toMillis());
                Thread.sleep(delay.toMillis());
            }
        }
    }
}
