package io.vigil.rules.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.rules.KafkaRulePublisher;
import io.vigil.rules.RuleStore;
import io.vigil.rules.RulesOnStack;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The rules HTTP API on the real store of the local stack: every status code where it belongs. */
@ExtendWith(SharedStackExtension.class)
class RulesHttpServerITCase {
    private static final String TOKEN = "s3cret-token";
    private static final int MAX_BODY = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CqlSession session;
    private static KafkaRulePublisher publisher;
    private static RulesHttpServer server;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        RulesOnStack.prepare(stack);
        session = RulesOnStack.session(stack);
        publisher = new KafkaRulePublisher(RulesOnStack.kafka(stack));
        server =
                RulesHttpServer.builder()
                        .store(new RuleStore(session, publisher, Clock.systemUTC()))
                        .bearerToken(TOKEN)
                        .maxBodyBytes(MAX_BODY)
                        .build()
                        .start();
    }

    @AfterAll
    static void stop() {
        server.close();
        publisher.close();
        session.close();
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(
                        URI.create(
                                String.format(
                                        "http://127.0.0.1:%d%s%s",
                                        server.address().getPort(), RulesHttpServer.PREFIX, path)))
                .timeout(Duration.ofMinutes(1))
                .header("Authorization", "Bearer " + TOKEN);
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(String id, String body, String ifMatch)
            throws Exception {
        HttpRequest.Builder builder =
                request("/" + id).PUT(HttpRequest.BodyPublishers.ofString(body));
        if (ifMatch != null) {
            builder.header("If-Match", ifMatch);
        }
        return send(builder.build());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void aRuleIsCreatedChangedConditionallyReadAndDeleted() throws Exception {
        String id = "http-" + Long.toString(System.nanoTime(), 36);
        String cpu =
                "{\"alert\": \"CpuHigh\", \"metric\": \"node_cpu_usage_ratio\", \"above\": 0.9,"
                        + " \"for\": \"5m\"}";

        HttpResponse<String> created = put(id, cpu, "0");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(json(created).get("change").asText()).isEqualTo("created");

        HttpResponse<String> same = put(id, cpu, null);
        assertThat(same.statusCode()).isEqualTo(200);
        assertThat(json(same).get("change").asText()).isEqualTo("unchanged");
        assertThat(json(same).get("version").asLong()).isEqualTo(1);

        String yaml = "alert: CpuHigh\nmetric: node_cpu_usage_ratio\nabove: 0.95\nfor: 10m\n";
        HttpResponse<String> changed = put(id, yaml, "\"1\"");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        assertThat(changed.headers().firstValue("ETag")).contains("\"2\"");

        HttpResponse<String> stale = put(id, cpu, "\"1\"");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(json(stale).get("actual_version").asLong()).isEqualTo(2);
        assertThat(json(stale).get("error").asText())
                .contains("expected version 1, but the store has version 2");

        HttpResponse<String> read = send(request("/" + id).GET().build());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("ETag")).contains("\"2\"");
        JsonNode rule = json(read);
        assertThat(rule.get("id").asText()).isEqualTo(id);
        assertThat(rule.get("above").asDouble()).isEqualTo(0.95);
        assertThat(rule.get("for").asText()).isEqualTo("10m");

        HttpResponse<String> list = send(request("").GET().build());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).get("rules").findValuesAsText("id")).contains(id);

        assertThat(
                        send(request("/" + id).DELETE().header("If-Match", "\"1\"").build())
                                .statusCode())
                .isEqualTo(409);
        HttpResponse<String> deleted = send(request("/" + id).DELETE().build());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(deleted).get("version").asLong()).isEqualTo(3);
        assertThat(send(request("/" + id).GET().build()).statusCode()).isEqualTo(404);
        assertThat(send(request("/" + id).DELETE().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void invalidRulesAreRefusedWithTheField() throws Exception {
        HttpResponse<String> response =
                put(
                        "http-bad",
                        "alert: CpuHigh\nmetric: m\nabove: 1\nfor: 5x\nseverity: LOUD",
                        null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("errors"))
                .extracting(JsonNode::asText)
                .containsExactly(
                        "PUT /api/v1/rules/http-bad, rule \"CpuHigh\": for: \"5x\" is not a"
                                + " duration (use 30s, 5m, 1h)",
                        "PUT /api/v1/rules/http-bad, rule \"CpuHigh\": severity: \"LOUD\" must be a"
                                + " lower-case word (like critical, warning, info)");
        assertThat(put("a%2Fb", "alert: A\nmetric: m\nabove: 1", null).statusCode()).isEqualTo(400);
        assertThat(put("http-bad", "[1, 2]", null).statusCode()).isEqualTo(400);
        assertThat(put("http-bad", "alert: A\nmetric: m\nabove: 1", "three").statusCode())
                .isEqualTo(400);
    }

    @Test
    void applyTakesAWholeFileAllOrNothing() throws Exception {
        String group = "http-apply-" + Long.toString(System.nanoTime(), 36);
        String file =
                "groups:\n  - name: "
                        + group
                        + "\n"
                        + "    rules:\n"
                        + "      - alert: CpuHigh\n"
                        + "        metric: node_cpu_usage_ratio\n"
                        + "        above: 0.9\n"
                        + "      - alert: HostDown\n"
                        + "        kind: absence\n"
                        + "        metric: up\n"
                        + "        for: 1m\n";
        HttpResponse<String> applied =
                send(request("/apply").POST(HttpRequest.BodyPublishers.ofString(file)).build());
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        assertThat(json(applied).get("rules").findValuesAsText("change"))
                .containsExactly("created", "created");

        String broken = file.replace("for: 1m", "for: 1x");
        HttpResponse<String> refused =
                send(
                        request("/apply")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                broken.replace("0.9", "0.8")))
                                .build());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).get("error").asText())
                .isEqualTo(
                        "POST /api/v1/rules/apply: group \""
                                + group
                                + "\", rule \"HostDown\": for: \"1x\""
                                + " is not a duration (use 30s, 5m, 1h)");
        // Nothing of the refused file was written: the valid CpuHigh change did not happen either.
        HttpResponse<String> cpu = send(request("/" + group + ".CpuHigh").GET().build());
        assertThat(json(cpu).get("above").asDouble()).isEqualTo(0.9);
    }

    @Test
    void authenticationBodyLimitAndMethods() throws Exception {
        HttpRequest anonymous = HttpRequest.newBuilder(request("").build().uri()).GET().build();
        HttpResponse<String> unauthorized = send(anonymous);
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertThat(unauthorized.headers().firstValue("WWW-Authenticate"))
                .contains("Bearer realm=\"vigil\"");
        HttpRequest wrongToken =
                HttpRequest.newBuilder(request("").build().uri())
                        .header("Authorization", "Bearer guess")
                        .GET()
                        .build();
        assertThat(send(wrongToken).statusCode()).isEqualTo(403);

        String huge = "# " + "x".repeat(MAX_BODY) + "\ngroups: []\n";
        assertThat(
                        send(request("/apply")
                                        .POST(HttpRequest.BodyPublishers.ofString(huge))
                                        .build())
                                .statusCode())
                .isEqualTo(413);
        assertThat(
                        send(request("").POST(HttpRequest.BodyPublishers.ofString("{}")).build())
                                .statusCode())
                .isEqualTo(405);
        assertThat(
                        send(request("/x")
                                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{}"))
                                        .build())
                                .statusCode())
                .isEqualTo(405);
        assertThat(send(request("/a/b").GET().build()).statusCode()).isEqualTo(404);
    }
}
