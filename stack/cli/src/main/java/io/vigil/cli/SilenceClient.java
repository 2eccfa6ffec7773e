package io.vigil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.notifier.routing.LabelMatcher;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of the notifier's silence API, which is Alertmanager's ({@code /api/v2/silences}):
 * creates, lists and expires silences. Every failure, from a refused connection to a 400 naming the
 * bad field, becomes a {@link SilenceApiException} whose message can be shown as it is.
 *
 * <pre>{@code
 * SilenceClient client = new SilenceClient(URI.create("http://127.0.0.1:9095"));
 * String id = client.add(List.of(LabelMatcher.parse("alertname=host.CpuHigh")), null, end, "alice", "");
 * client.expire(id);
 * }</pre>
 */
final class SilenceClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * The API stores in Cassandra and Kafka before it answers; on a busy laptop that takes time.
     */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI api;
    private final HttpClient http;

    /**
     * @param api the notifier's base URI, e.g. {@code http://127.0.0.1:9095}
     */
    SilenceClient(URI api) {
        this.api = api;
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(CONNECT_TIMEOUT)
                        .build();
    }

    URI api() {
        return api;
    }

    /**
     * Creates a silence.
     *
     * @param startsAt null for now (the notifier's clock)
     * @return its id
     */
    String add(
            List<LabelMatcher> matchers,
            Instant startsAt,
            Instant endsAt,
            String createdBy,
            String comment)
            throws SilenceApiException {
        ObjectNode body = JSON.createObjectNode();
        body.set("matchers", toJson(matchers));
        if (startsAt != null) {
            body.put("startsAt", startsAt.toString());
        }
        body.put("endsAt", endsAt.toString());
        body.put("createdBy", createdBy);
        body.put("comment", comment);
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(resolve("/api/v2/silences"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
                        "POST /api/v2/silences");
        if (!answer.path("silenceID").isTextual()) {
            throw new SilenceApiException(
                    String.format("%s answered without a silenceID: %s", api, answer));
        }
        return answer.get("silenceID").asText();
    }

    /** Every silence the notifier stores: active, pending and recently expired. */
    List<JsonNode> list() throws SilenceApiException {
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(resolve("/api/v2/silences")).GET(),
                        "GET /api/v2/silences");
        if (!answer.isArray()) {
            throw new SilenceApiException(
                    String.format("%s answered with something other than a list: %s", api, answer));
        }
        List<JsonNode> silences = new ArrayList<>();
        answer.forEach(silences::add);
        return silences;
    }

    /** Expires a silence now; returns it as the API shows it. */
    JsonNode expire(String id) throws SilenceApiException {
        String path = "/api/v2/silence/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
        return send(HttpRequest.newBuilder(resolve(path)).DELETE(), "DELETE " + path);
    }

    /** Alertmanager's JSON form of matchers: {@code name}, {@code value}, {@code isRegex}, ... */
    static ArrayNode toJson(List<LabelMatcher> matchers) {
        ArrayNode array = JSON.createArrayNode();
        for (LabelMatcher matcher : matchers) {
            array.addObject()
                    .put("name", matcher.name())
                    .put("value", matcher.value())
                    .put("isRegex", matcher.type().isRegex())
                    .put("isEqual", !matcher.type().isNegative());
        }
        return array;
    }

    private URI resolve(String path) {
        String base = api.toString();
        return URI.create(
                (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private JsonNode send(HttpRequest.Builder request, String what) throws SilenceApiException {
        HttpResponse<String> response;
        try {
            response =
                    http.send(
                            request.timeout(REQUEST_TIMEOUT).build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new SilenceApiException(
                    String.format(
                            "cannot reach the notifier's API at %s (%s); is it running? ./vigil"
                                    + " status shows the local one",
                            api, e.getMessage() == null ? "connection refused" : e.getMessage()));
        } catch (HttpTimeoutException e) {
            throw new SilenceApiException(
                    String.format("%s did not answer %s within %s", api, what, REQUEST_TIMEOUT));
        } catch (IOException e) {
            throw new SilenceApiException(String.format("%s to %s failed: %s", what, api, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SilenceApiException(String.format("interrupted during %s", what));
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            throw new SilenceApiException(
                    String.format(
                            "%s refused %s with %d%s: %s",
                            api,
                            what,
                            response.statusCode(),
                            hint(response.statusCode()),
                            body != null && body.path("error").isTextual()
                                    ? body.get("error").asText()
                                    : abbreviate(response.body())));
        }
        if (body == null) {
            throw new SilenceApiException(
                    String.format(
                            "%s answered %s with something other than JSON: %s",
                            api, what, abbreviate(response.body())));
        }
        return body;
    }

    /** What a status means for the user, where the API's own message may not say it. */
    private static String hint(int status) {
        return switch (status) {
            case 400 -> " (bad request)";
            case 401 -> " (unauthorized: the API wants credentials)";
            case 403 -> " (forbidden)";
            case 404 -> " (not found)";
            case 503 -> " (unavailable, try again)";
            default -> "";
        };
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String abbreviate(String text) {
        String line = text == null ? "" : text.strip().replaceAll("\\s+", " ");
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    /** A failed call of the silence API, with a message fit for the user. */
    static final class SilenceApiException extends Exception {
        SilenceApiException(String message) {
            super(message);
        }
    }
}
