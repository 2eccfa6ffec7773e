package io.vigil.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.connectors.kafka.KafkaSettings;
import io.vigil.notifier.inhibit.Inhibitor;
import io.vigil.notifier.silence.SilenceApi;
import io.vigil.notifier.silence.SilenceRegistry;
import io.vigil.notifier.silence.SilenceStore;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Silences end to end on the local stack: created through the API, stored in Cassandra, shared
 * through the compacted topic with a replica that reads it (another registry, as in another
 * process), and expired again; a bad one is refused with 400 and reaches no one.
 */
@ExtendWith(SharedStackExtension.class)
class SilencesITCase {

    private static final Duration DEADLINE = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String team = "team-" + UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aSilenceFromTheApiReachesEveryReplicaAndExpires(LocalStack stack) throws Exception {
        StackFixtures.prepare(stack);
        KafkaSettings kafka = StackFixtures.kafka(stack);
        Clock clock = Clock.systemUTC();
        try (CqlSession session = StackFixtures.session(stack);
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                kafka.toProperties(),
                                new ByteArraySerializer(),
                                new ByteArraySerializer())) {
            SilenceRegistry replica = new SilenceRegistry();
            try (SilenceApi api =
                            SilenceApi.start(
                                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                    new SilenceStore(session, producer),
                                    clock);
                    StateFollower follower =
                            new StateFollower(
                                    kafka,
                                    replica,
                                    new Inhibitor(List.of()),
                                    Duration.ZERO,
                                    clock)) {
                Thread thread = new Thread(follower, "follow-silences");
                thread.start();
                assertThat(follower.awaitCaughtUp(DEADLINE)).isTrue();

                HttpResponse<String> bad =
                        post(
                                api,
                                "{\"matchers\": [{\"name\": \"team\", \"value\": \"(\","
                                        + " \"isRegex\": true}], \"endsAt\": \""
                                        + Instant.now().plusSeconds(3600)
                                        + "\", \"createdBy\": \"alice\"}");
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(bad.body()).contains("invalid regular expression for label 'team'");

                HttpResponse<String> created =
                        post(
                                api,
                                "{\"matchers\": [{\"name\": \"team\", \"value\": \""
                                        + team
                                        + "\"}], \"endsAt\": \""
                                        + Instant.now().plusSeconds(3600)
                                        + "\", \"createdBy\": \"alice\", \"comment\":"
                                        + " \"maintenance\"}");
                assertThat(created.statusCode()).isEqualTo(200);
                String id = JSON.readTree(created.body()).get("silenceID").asText();

                Row row =
                        session.execute(
                                        "SELECT matchers, created_by FROM vigil.silences WHERE id ="
                                                + " ?",
                                        id)
                                .one();
                assertThat(row.getList("matchers", String.class))
                        .containsExactly("team=\"" + team + "\"");
                assertThat(row.getString("created_by")).isEqualTo("alice");
                Map<String, String> labels = Map.of("team", team, "alertname", "Down");
                await(() -> replica.silencedBy(labels, Instant.now()).isPresent());
                assertThat(replica.silencedBy(Map.of("team", "other"), Instant.now())).isEmpty();

                HttpResponse<String> expired =
                        http.send(
                                HttpRequest.newBuilder(uri(api, "/api/v2/silence/" + id))
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(expired.statusCode()).isEqualTo(200);
                await(() -> replica.silencedBy(labels, Instant.now()).isEmpty());
                assertThat(
                                session.execute(
                                                "SELECT ends_at FROM vigil.silences WHERE id = ?",
                                                id)
                                        .one()
                                        .getInstant("ends_at"))
                        .isBeforeOrEqualTo(Instant.now());
            }
        }
    }

    private HttpResponse<String> post(SilenceApi api, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(api, "/api/v2/silences"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(SilenceApi api, String path) {
        return URI.create(String.format("http://127.0.0.1:%s%s", api.address().getPort(), path));
    }

    private static void await(java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
