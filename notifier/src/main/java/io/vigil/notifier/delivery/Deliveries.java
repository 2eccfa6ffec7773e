package io.vigil.notifier.delivery;

import io.vigil.notifier.config.IntegrationConfig;
import io.vigil.notifier.config.NotifierConfig;
import io.vigil.notifier.config.ReceiverConfig;
import io.vigil.notifier.dispatch.Flush;
import io.vigil.notifier.log.NotificationLog;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each flush to the workers of its receiver's integrations and reports a flush as completed
 * once every one of them is done with it.
 *
 * <pre>{@code
 * try (Deliveries deliveries = Deliveries.start(config, log, clock, owner)) {
 *     deliveries.submit(flush);
 *     ...
 *     for (long id : deliveries.drainCompleted()) { dispatcher.completed(id, clock.instant()); }
 * }
 * }</pre>
 */
public final class Deliveries implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);

    private final Map<String, List<IntegrationWorker>> workersByReceiver;
    private final Map<String, ReceiverConfig> receivers;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<Long, AtomicInteger> pending = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Long> completed = new ConcurrentLinkedQueue<>();
    private final Map<String, Boolean> sendResolved = new HashMap<>();

    private Deliveries(
            NotifierConfig config,
            Map<String, Sender> senders,
            NotificationLog log,
            Clock clock,
            String owner) {
        this.receivers = config.receivers();
        this.workersByReceiver = new LinkedHashMap<>();
        for (ReceiverConfig receiver : config.receivers().values()) {
            List<IntegrationWorker> workers = new ArrayList<>();
            for (Map.Entry<String, IntegrationConfig> entry : integrations(receiver).entrySet()) {
                String id = entry.getKey();
                sendResolved.put(id, entry.getValue().sendResolved());
                workers.add(
                        new IntegrationWorker(
                                id,
                                senders.get(id),
                                log,
                                config.delivery(),
                                clock,
                                owner,
                                this::done));
            }
            workersByReceiver.put(receiver.name(), workers);
        }
    }

    /**
     * Starts one delivery thread per integration of every receiver, with the real senders (SMTP,
     * HTTP).
     */
    public static Deliveries start(
            NotifierConfig config, NotificationLog log, Clock clock, String owner) {
        return start(config, realSenders(config), log, clock, owner);
    }

    /**
     * Starts the delivery threads with the given senders, by integration id ({@code
     * receiver/type[index]}); for tests that replace a receiver.
     */
    public static Deliveries start(
            NotifierConfig config,
            Map<String, Sender> senders,
            NotificationLog log,
            Clock clock,
            String owner) {
        Deliveries deliveries = new Deliveries(config, senders, log, clock, owner);
        deliveries.workersByReceiver.values().stream()
                .flatMap(List::stream)
                .forEach(
                        worker -> {
                            Thread thread = new Thread(worker, "deliver-" + worker.integration());
                            thread.setDaemon(true);
                            deliveries.threads.add(thread);
                            thread.start();
                        });
        return deliveries;
    }

    /** The senders of every integration of the configuration, by integration id. */
    public static Map<String, Sender> realSenders(NotifierConfig config) {
        HttpClient http = JsonPoster.client(config.delivery().requestTimeout());
        JsonPoster poster = new JsonPoster(http, config.delivery().requestTimeout());
        Map<String, Sender> senders = new HashMap<>();
        for (ReceiverConfig receiver : config.receivers().values()) {
            for (Map.Entry<String, IntegrationConfig> entry : integrations(receiver).entrySet()) {
                IntegrationConfig integration = entry.getValue();
                senders.put(entry.getKey(), sender(integration, config, poster));
            }
        }
        return senders;
    }

    private static Sender sender(
            IntegrationConfig integration, NotifierConfig config, JsonPoster poster) {
        String externalUrl = config.delivery().externalUrl();
        if (integration instanceof IntegrationConfig.Email email) {
            return new EmailSender(email, config.delivery().requestTimeout());
        }
        if (integration instanceof IntegrationConfig.Slack slack) {
            return HttpSenders.slack(slack, poster);
        }
        if (integration instanceof IntegrationConfig.Webhook webhook) {
            return HttpSenders.webhook(webhook, poster, externalUrl);
        }
        return HttpSenders.alertmanager(
                (IntegrationConfig.Alertmanager) integration, poster, externalUrl);
    }

    /**
     * A receiver's integrations by id, {@code receiver/type[index]} with the index counted per
     * type, e.g. {@code ops/email[0]}: the notification log's key, so it must stay stable when
     * integrations of other types are added.
     */
    public static Map<String, IntegrationConfig> integrations(ReceiverConfig receiver) {
        Map<String, IntegrationConfig> byId = new LinkedHashMap<>();
        Map<String, Integer> perType = new HashMap<>();
        for (IntegrationConfig integration : receiver.integrations()) {
            int index = perType.merge(integration.type(), 1, Integer::sum) - 1;
            byId.put(
                    String.format("%s/%s[%s]", receiver.name(), integration.type(), index),
                    integration);
        }
        return byId;
    }

    /** Queues a flush for every integration of its receiver. */
    public void submit(Flush flush) {
        List<IntegrationWorker> workers =
                workersByReceiver.getOrDefault(flush.receiver(), List.of());
        if (workers.isEmpty()) {
            LOG.info(
                    "Receiver {} has no integrations; notification of group {} dropped on purpose",
                    flush.receiver(),
                    flush.groupKey());
            completed.add(flush.id());
            return;
        }
        pending.put(flush.id(), new AtomicInteger(workers.size()));
        for (IntegrationWorker worker : workers) {
            List<AlertEvent> alerts =
                    sendResolved.get(worker.integration())
                            ? flush.alerts()
                            : flush.alerts().stream()
                                    .filter(alert -> alert.getState() == AlertState.FIRING)
                                    .toList();
            worker.submit(new Delivery(flush, alerts));
        }
    }

    /** Ids of the flushes every integration is done with since the last call. */
    public List<Long> drainCompleted() {
        List<Long> ids = new ArrayList<>();
        for (Long id = completed.poll(); id != null; id = completed.poll()) {
            ids.add(id);
        }
        return ids;
    }

    /** Receivers' names, for checks. */
    public Map<String, ReceiverConfig> receivers() {
        return receivers;
    }

    private void done(Delivery delivery, Outcome outcome) {
        long id = delivery.flush().id();
        AtomicInteger left = pending.get(id);
        if (left != null && left.decrementAndGet() == 0) {
            pending.remove(id);
            completed.add(id);
        }
    }

    /** Stops every delivery thread; what is undelivered stays uncommitted in Kafka. */
    @Override
    public void close() throws InterruptedException {
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            thread.join(5_000);
        }
    }
}
