package io.vigil.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Topics;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two notifier replicas (separate JVMs, one consumer group) on the real Kafka and Cassandra of the
 * local stack deliver to a real SMTP server (GreenMail) and a real HTTP webhook receiver; one of
 * them is killed with SIGKILL while it delivers. Every notification still arrives exactly once at
 * each receiver: the survivor takes the dead replica's partitions over from its last committed
 * offset, skips what the notification log says was delivered, and takes over the claim the dead
 * replica held once its lease ran out.
 *
 * <p>Where the kill lands: while the dead replica's webhook delivery is in flight (the test's
 * receiver holds that request and never accepts it) and after its email deliveries went quiet. A
 * kill right between a receiver's acceptance and the log's "delivered" mark would duplicate that
 * one notification; no protocol can avoid that without the receiver's help, which is why
 * notifications carry deterministic Message-IDs and {@code Idempotency-Key}s (see
 * docs/design-decisions.md). This test checks everything else: lost claims, uncommitted offsets,
 * takeover, and that nothing is lost or repeated.
 */
@ExtendWith(SharedStackExtension.class)
class NotifierFailoverITCase {

    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final int WAVE = 40;
    private static final int LATE = 20;
    private static final Pattern ALERT_LABEL = Pattern.compile("alert=\"([^\"]+)\"");

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @TempDir Path config;

    @Test
    void deliversEveryNotificationExactlyOnceWhenAReplicaIsKilledMidDelivery(LocalStack stack)
            throws Exception {
        StackFixtures.prepare(stack);
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try (WebhookReceiver webhook = new WebhookReceiver();
                KafkaProducer<byte[], byte[]> producer = producer(stack)) {
            Path file = writeConfig(smtp.getSmtp().getPort(), webhook);
            String group = "it-notifier-" + run;
            Path logs = Path.of("target", "notifier-it", run);
            try (NotifierReplica a = NotifierReplica.start(stack, file, group, "a", logs);
                    NotifierReplica b = NotifierReplica.start(stack, file, group, "b", logs)) {
                awaitBothReplicasOwnPartitions(stack, group);

                // Wave 1: 40 alerts fire; both replicas deliver their partitions' share. A record
                // that is no alert among them goes to the dead-letter topic and stops nothing.
                byte[] garbage = ("not an alert " + run).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(Topics.ALERTS.name(), garbage, garbage));
                send(producer, wave("f", AlertState.FIRING, WAVE));
                await(() -> webhookAlerts(webhook).size() == WAVE, "wave 1 at the webhook");
                await(() -> emailAlerts(smtp).size() == WAVE, "wave 1 by email");

                // Wave 2: they resolve. Replica a's webhook requests are held unanswered (a
                // times out and retries); a is killed while it retries, once its email
                // deliveries have gone quiet.
                webhook.hold(request -> a.owner().equals(request.sender()));
                send(producer, wave("f", AlertState.RESOLVED, WAVE));
                assertThat(webhook.awaitHeld(DEADLINE)).as("a delivers to the webhook").isTrue();
                await(() -> emailAlerts(smtp).size() == 2 * WAVE, "wave 2 by email");
                awaitQuiet(() -> emailAlerts(smtp).size());
                a.kill();
                webhook.release();

                // Wave 3: only b is left to deliver new alerts, and the webhook is down for
                // its first attempts: b retries, and still delivers each once.
                webhook.refuseNext(5);
                send(producer, wave("g", AlertState.FIRING, LATE));

                int total = 2 * WAVE + LATE;
                await(
                        () -> webhookAlerts(webhook).size() >= total,
                        "every notification at the webhook");
                await(() -> emailAlerts(smtp).size() >= total, "every notification by email");
                // Duplicates would come late (after a lease); give them time to show.
                awaitQuiet(() -> webhookAlerts(webhook).size() + emailAlerts(smtp).size());

                Map<String, Long> expected = expected();
                assertThat(counts(webhookAlerts(webhook))).isEqualTo(expected);
                assertThat(counts(emailAlerts(smtp))).isEqualTo(expected);
                assertThat(webhook.accepted())
                        .as("b took over a's partitions and delivered what a could not")
                        .anySatisfy(
                                request -> {
                                    assertThat(request.sender()).isEqualTo(b.owner());
                                    assertThat(request.body().get("status").asText())
                                            .isEqualTo("resolved");
                                });
                assertThat(deadLetterOf(stack, garbage).getReason()).startsWith("undecodable:");
                assertThat(Files.readString(b.log(), StandardCharsets.UTF_8))
                        .contains("assigned to this replica")
                        .contains("answered HTTP 503");
            }
        } finally {
            smtp.stop();
        }
    }

    /**
     * The request timeout is generous: the test shares two cores with the whole stack, and a
     * receiver that accepts a request only after the notifier gave up on it gets the retry as a
     * second copy (with the same {@code Idempotency-Key}).
     *
     * <p>Each alert of this run is its own group ({@code group_by: ['...']}), so each transition is
     * one notification; alerts of other tests go to a receiver without integrations.
     */
    private Path writeConfig(int smtpPort, WebhookReceiver webhook) throws Exception {
        Path file = config.resolve("notifier.yaml");
        Files.writeString(
                file,
                String.format(
                        """
                        global:
                          smtp_smarthost: 127.0.0.1:%s
                          smtp_from: vigil@example.org
                        notifier:
                          lease: 20s
                          request_timeout: 10s
                          retry_initial_backoff: 200ms
                          retry_max_backoff: 2s
                          max_notifications_per_second: 1000
                        route:
                          receiver: elsewhere
                          group_by: ['...']
                          group_wait: 1s
                          group_interval: 2s
                          repeat_interval: 1h
                          routes:
                            - matchers: ['run="%s"']
                              receiver: ops
                        receivers:
                          - name: elsewhere
                          - name: ops
                            email_configs: [{to: ops@example.org}]
                            webhook_configs: [{url: '%s'}]
                        """,
                        smtpPort, run, webhook.url("/alerts")));
        return file;
    }

    private List<AlertEvent> wave(String prefix, AlertState state, int count) {
        List<AlertEvent> events = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            String alert = prefix + "-" + i;
            Map<String, String> labels = Map.of("alertname", "Load", "alert", alert, "run", run);
            events.add(
                    Alerts.event(
                            run + "/" + alert,
                            state == AlertState.FIRING ? 1 : 2,
                            state,
                            labels,
                            now));
        }
        return events;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, List<AlertEvent> events) {
        for (AlertEvent event : events) {
            producer.send(
                    new ProducerRecord<>(
                            Topics.ALERTS.name(),
                            Topics.ALERTS.keyFormat().encode(event.getFingerprint()),
                            Topics.ALERTS.codec().encode(event)));
        }
        producer.flush();
    }

    /** (alert, status) of every alert in every accepted webhook request of this run. */
    private List<String> webhookAlerts(WebhookReceiver webhook) {
        List<String> alerts = new ArrayList<>();
        for (WebhookReceiver.Request request : webhook.accepted()) {
            request.body()
                    .get("alerts")
                    .forEach(
                            alert -> {
                                if (run.equals(alert.get("labels").path("run").asText())) {
                                    alerts.add(
                                            alert.get("labels").get("alert").asText()
                                                    + " "
                                                    + alert.get("status").asText());
                                }
                            });
        }
        return alerts;
    }

    /** (alert, status) of every email received, from the subject's group labels. */
    private static List<String> emailAlerts(GreenMail smtp) {
        List<String> alerts = new ArrayList<>();
        for (MimeMessage mail : smtp.getReceivedMessages()) {
            try {
                String subject = mail.getSubject();
                Matcher alert = ALERT_LABEL.matcher(subject);
                assertThat(alert.find()).as("alert label in %s", subject).isTrue();
                alerts.add(
                        alert.group(1) + (subject.startsWith("[FIRING") ? " firing" : " resolved"));
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return alerts;
    }

    private static Map<String, Long> expected() {
        Map<String, Long> expected = new TreeMap<>();
        for (int i = 0; i < WAVE; i++) {
            expected.put("f-" + i + " firing", 1L);
            expected.put("f-" + i + " resolved", 1L);
        }
        for (int i = 0; i < LATE; i++) {
            expected.put("g-" + i + " firing", 1L);
        }
        return expected;
    }

    private static Map<String, Long> counts(List<String> alerts) {
        return alerts.stream()
                .collect(
                        Collectors.groupingBy(alert -> alert, TreeMap::new, Collectors.counting()));
    }

    /** The dead letter whose raw bytes are {@code raw}, read from the start of the topic. */
    private static DeadLetter deadLetterOf(LocalStack stack, byte[] raw) throws Exception {
        Properties properties = StackFixtures.kafka(stack).toProperties();
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "it-dead-letters-" + UUID.randomUUID());
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DEAD_LETTER.name()));
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    DeadLetter letter = Topics.DEAD_LETTER.codec().decode(record.value());
                    byte[] bytes = new byte[letter.getRaw().remaining()];
                    letter.getRaw().duplicate().get(bytes);
                    if (java.util.Arrays.equals(bytes, raw)) {
                        assertThat(letter.getSourceTopic()).isEqualTo(Topics.ALERTS.name());
                        return letter;
                    }
                }
            }
        }
        throw new AssertionError("no dead letter for the record that is no alert");
    }

    private static KafkaProducer<byte[], byte[]> producer(LocalStack stack) {
        return new KafkaProducer<>(
                StackFixtures.kafka(stack).toProperties(),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /** Waits until the group has two members that each own some of the partitions. */
    private static void awaitBothReplicasOwnPartitions(LocalStack stack, String group)
            throws Exception {
        try (Admin admin = Admin.create(StackFixtures.kafka(stack).toProperties())) {
            await(
                    () -> {
                        try {
                            ConsumerGroupDescription description =
                                    admin.describeConsumerGroups(List.of(group))
                                            .describedGroups()
                                            .get(group)
                                            .get();
                            return description.members().size() == 2
                                    && description.members().stream()
                                            .allMatch(
                                                    member ->
                                                            !member.assignment()
                                                                    .topicPartitions()
                                                                    .isEmpty());
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    "both replicas in the group");
        }
    }

    private static void await(Supplier<Boolean> condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** Waits until a count has not changed for three seconds. */
    private static void awaitQuiet(Supplier<Integer> count) throws InterruptedException {
        int last = count.get();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
            Thread.sleep(200);
            int now = count.get();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
    }
}
