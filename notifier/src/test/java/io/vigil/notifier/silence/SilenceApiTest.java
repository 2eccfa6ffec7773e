package io.vigil.notifier.silence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The silence API over real HTTP: Alertmanager's request and response shapes, silences that take
 * effect at once, and 400 answers that say what to fix.
 */
class SilenceApiTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SilenceRegistry registry = new SilenceRegistry();
    private final SilenceApi api;
    private final HttpClient http = HttpClient.newHttpClient();

    SilenceApiTest() throws Exception {
        api =
                SilenceApi.start(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        new InMemorySilenceStorage(registry),
                        Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void createsListsAndExpiresASilence() throws Exception {
        HttpResponse<String> created =
                request(
                        "POST",
                        "/api/v2/silences",
                        """
                        {"matchers": [{"name": "instance", "value": "db-.*", "isRegex": true},
                                      {"name": "alertname", "value": "DiskFull"}],
                         "startsAt": "2026-11-25T11:00:00Z", "endsAt": "2026-11-25T14:00:00+01:00",
                         "createdBy": "alice", "comment": "disk swap"}
                        """);
        assertThat(created.statusCode()).isEqualTo(200);
        String id = JSON.readTree(created.body()).get("silenceID").asText();

        Map<String, String> db1 = Map.of("alertname", "DiskFull", "instance", "db-1");
        assertThat(registry.silencedBy(db1, NOW)).contains(id);
        assertThat(registry.silencedBy(Map.of("alertname", "DiskFull", "instance", "web-1"), NOW))
                .isEmpty();

        JsonNode listed = JSON.readTree(request("GET", "/api/v2/silences", null).body());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("status").get("state").asText()).isEqualTo("active");
        assertThat(listed.get(0).get("endsAt").asText()).isEqualTo("2026-11-25T13:00:00Z");
        assertThat(listed.get(0).get("matchers").get(0).get("isRegex").asBoolean()).isTrue();

        assertThat(request("DELETE", "/api/v2/silence/" + id, null).statusCode()).isEqualTo(200);
        assertThat(registry.silencedBy(db1, NOW)).isEmpty();
        assertThat(
                        JSON.readTree(request("GET", "/api/v2/silence/" + id, null).body())
                                .get("status")
                                .get("state")
                                .asText())
                .isEqualTo("expired");
        assertThat(request("DELETE", "/api/v2/silences/nope", null).statusCode()).isEqualTo(404);
    }

    @Test
    void badSilencesGet400WithTheReason() throws Exception {
        assertBadRequest(
                "{\"matchers\": [{\"name\": \"instance\", \"value\": \"db-[\", \"isRegex\": true}],"
                        + " \"endsAt\": \"2026-11-25T13:00:00Z\", \"createdBy\": \"alice\"}",
                "matchers[0]: invalid regular expression for label 'instance': db-[ (Unclosed"
                        + " character class");
        assertBadRequest(
                "{\"matchers\": [{\"name\": \"team\", \"value\": \".*\", \"isRegex\": true}],"
                        + " \"endsAt\": \"2026-11-25T13:00:00Z\", \"createdBy\": \"alice\"}",
                "every matcher matches the empty string");
        assertBadRequest(
                "{\"matchers\": [], \"endsAt\": \"2026-11-25T13:00:00Z\", \"createdBy\": \"a\"}",
                "a silence needs at least one matcher");
        assertBadRequest(
                "{\"matchers\": [{\"name\": \"team\", \"value\": \"db\"}],"
                        + " \"endsAt\": \"2026-11-25T11:00:00Z\", \"createdBy\": \"alice\"}",
                "endsAt (2026-11-25T11:00:00Z) must be after startsAt (2026-11-25T12:00:00Z)");
        assertBadRequest(
                "{\"matchers\": [{\"name\": \"team\", \"value\": \"db\"}],"
                        + " \"endsAt\": \"tomorrow\", \"createdBy\": \"alice\"}",
                "endsAt: 'tomorrow' is not an RFC 3339 time");
        assertBadRequest(
                "{\"matchers\": [{\"name\": \"team\", \"value\": \"db\"}],"
                        + " \"endsAt\": \"2026-11-25T13:00:00Z\"}",
                "createdBy is required");
        assertBadRequest(
                "{\"matchers\": [{\"name\": \"bad-name\", \"value\": \"db\"}],"
                        + " \"endsAt\": \"2026-11-25T13:00:00Z\", \"createdBy\": \"alice\"}",
                "matchers[0]: invalid label name 'bad-name'");
        assertBadRequest("{\"matcher\": []}", "unknown field 'matcher'");
        assertBadRequest("not json", "the body is not JSON");
        assertThat(registry.size()).isZero();
    }

    private void assertBadRequest(String body, String message) throws Exception {
        HttpResponse<String> response = request("POST", "/api/v2/silences", body);
        assertThat(response.statusCode()).as(body).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains(message);
    }

    private HttpResponse<String> request(String method, String path, String body) throws Exception {
        URI uri = URI.create(String.format("http://127.0.0.1:%s%s", api.address().getPort(), path));
        HttpRequest.BodyPublisher publisher =
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body);
        return http.send(
                HttpRequest.newBuilder(uri).method(method, publisher).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
