package io.vigil.notifier.silence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vigil.schemas.Matcher;
import io.vigil.schemas.Silence;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silence part of Alertmanager's HTTP API, so that {@code amtool} habits and scripts carry
 * over:
 *
 * <ul>
 *   <li>{@code POST /api/v2/silences} with {@code {"matchers": [{"name", "value", "isRegex",
 *       "isEqual"}], "startsAt", "endsAt", "createdBy", "comment"}} (an {@code id} updates that
 *       silence) answers {@code {"silenceID": "..."}};
 *   <li>{@code GET /api/v2/silences} lists them, {@code GET /api/v2/silence/<id>} shows one;
 *   <li>{@code DELETE /api/v2/silence/<id>} (or {@code /api/v2/silences/<id>}) expires one.
 * </ul>
 *
 * <p>A bad request gets 400 with {@code {"error": "..."}} naming the field and the problem, e.g.
 * {@code matchers[0]: invalid regular expression for label 'instance': db-[ (Unclosed character
 * class near index 3)}; a storage failure gets 503, so the caller knows to retry.
 */
public final class SilenceApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SilenceApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/api/v2/";
    private static final Set<String> FIELDS =
            Set.of("id", "matchers", "startsAt", "endsAt", "createdBy", "comment");

    private final HttpServer server;
    private final SilenceStorage storage;
    private final Clock clock;

    private SilenceApi(HttpServer server, SilenceStorage storage, Clock clock) {
        this.server = server;
        this.storage = storage;
        this.clock = clock;
    }

    /** Starts serving on {@code address} (port 0 picks a free one). */
    public static SilenceApi start(InetSocketAddress address, SilenceStorage storage, Clock clock)
            throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        SilenceApi api = new SilenceApi(server, storage, clock);
        server.createContext(PREFIX, api::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        LOG.info("Silence API listening on {}", server.getAddress());
        return api;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            String id = idIn(path);
            try {
                if (path.equals(PREFIX + "silences") && method.equals("POST")) {
                    String created = post(read(exchange.getRequestBody()));
                    respond(exchange, 200, Map.of("silenceID", created));
                } else if (path.equals(PREFIX + "silences") && method.equals("GET")) {
                    List<Object> all = new ArrayList<>();
                    storage.list().forEach(silence -> all.add(render(silence)));
                    respond(exchange, 200, all);
                } else if (id != null && method.equals("GET")) {
                    Optional<Silence> silence = storage.get(id);
                    respond(
                            exchange,
                            silence.isPresent() ? 200 : 404,
                            silence.isPresent()
                                    ? render(silence.get())
                                    : error(String.format("no silence with id %s", id)));
                } else if (id != null && method.equals("DELETE")) {
                    Optional<Silence> expired = storage.expire(id, clock.instant());
                    respond(
                            exchange,
                            expired.isPresent() ? 200 : 404,
                            expired.isPresent()
                                    ? render(expired.get())
                                    : error(String.format("no silence with id %s", id)));
                } else {
                    respond(
                            exchange,
                            404,
                            error(String.format("no such endpoint: %s %s", method, path)));
                }
            } catch (InvalidSilenceException e) {
                respond(exchange, 400, error(e.getMessage()));
            } catch (RuntimeException e) {
                LOG.error("Silence API {} {} failed", method, path, e);
                respond(
                        exchange,
                        503,
                        error(String.format("silence storage failed, retry: %s", e.getMessage())));
            }
        }
    }

    /** Validates and stores a posted silence; returns its id. */
    String post(String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidSilenceException("the body is not JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new InvalidSilenceException("the body must be a JSON object");
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidSilenceException(
                        String.format("unknown field '%s' (allowed: %s)", name, FIELDS));
            }
        }
        Instant now = clock.instant();
        String id = text(json, "id", null);
        long version = 1;
        if (id != null) {
            Optional<Silence> existing = storage.get(id);
            if (existing.isEmpty()) {
                throw new InvalidSilenceException(
                        String.format("id: no silence with id %s to update", id));
            }
            version = existing.get().getVersion() + 1;
        }
        Silence silence =
                Silence.newBuilder()
                        .setId(id != null ? id : UUID.randomUUID().toString())
                        .setVersion(version)
                        .setMatchers(matchers(json.get("matchers")))
                        .setStartsAt(time(json, "startsAt", now))
                        .setEndsAt(time(json, "endsAt", null))
                        .setCreatedBy(text(json, "createdBy", ""))
                        .setComment(text(json, "comment", ""))
                        .build();
        Silences.validate(silence, now);
        storage.save(silence, now);
        LOG.info(
                "Silence {} by {} until {}: {}",
                silence.getId(),
                silence.getCreatedBy(),
                Instant.ofEpochMilli(silence.getEndsAt()),
                Silences.matchers(silence));
        return silence.getId();
    }

    private static List<Matcher> matchers(JsonNode node) {
        if (node == null || !node.isArray()) {
            throw new InvalidSilenceException("matchers: required, a list of matchers");
        }
        List<Matcher> matchers = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode matcher = node.get(i);
            String at = String.format("matchers[%s]", i);
            if (!matcher.isObject() || !matcher.path("name").isTextual()) {
                throw new InvalidSilenceException(at + ": needs a \"name\" and a \"value\"");
            }
            if (!matcher.path("value").isTextual()) {
                throw new InvalidSilenceException(at + ": \"value\" must be a string");
            }
            matchers.add(
                    Matcher.newBuilder()
                            .setName(matcher.get("name").asText())
                            .setValue(matcher.get("value").asText())
                            .setIsRegex(matcher.path("isRegex").asBoolean(false))
                            .setIsEqual(matcher.path("isEqual").asBoolean(true))
                            .build());
        }
        return matchers;
    }

    private static long time(JsonNode json, String field, Instant fallback) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            if (fallback == null) {
                throw new InvalidSilenceException(
                        field + ": required, an RFC 3339 time such as 2026-11-25T18:00:00Z");
            }
            return fallback.toEpochMilli();
        }
        try {
            return OffsetDateTime.parse(node.asText()).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidSilenceException(
                    String.format(
                            "%s: '%s' is not an RFC 3339 time such as 2026-11-25T18:00:00Z",
                            field, node.asText()));
        }
    }

    private static String text(JsonNode json, String field, String fallback) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? fallback : node.asText();
    }

    private Map<String, Object> render(Silence silence) {
        long now = clock.millis();
        String state =
                silence.getEndsAt() <= now
                        ? "expired"
                        : silence.getStartsAt() > now ? "pending" : "active";
        List<Map<String, Object>> matchers = new ArrayList<>();
        for (Matcher matcher : silence.getMatchers()) {
            Map<String, Object> rendered = new LinkedHashMap<>();
            rendered.put("name", matcher.getName());
            rendered.put("value", matcher.getValue());
            rendered.put("isRegex", matcher.getIsRegex());
            rendered.put("isEqual", matcher.getIsEqual());
            matchers.add(rendered);
        }
        Map<String, Object> rendered = new LinkedHashMap<>();
        rendered.put("id", silence.getId());
        rendered.put("status", Map.of("state", state));
        rendered.put("matchers", matchers);
        rendered.put("startsAt", Instant.ofEpochMilli(silence.getStartsAt()).toString());
        rendered.put("endsAt", Instant.ofEpochMilli(silence.getEndsAt()).toString());
        rendered.put("createdBy", silence.getCreatedBy());
        rendered.put("comment", silence.getComment());
        return rendered;
    }

    private static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    /** The id in {@code /api/v2/silence/<id>} or {@code /api/v2/silences/<id>}, else null. */
    private static String idIn(String path) {
        for (String collection : List.of("silence/", "silences/")) {
            String prefix = PREFIX + collection;
            if (path.startsWith(prefix) && path.length() > prefix.length()) {
                return path.substring(prefix.length());
            }
        }
        return null;
    }

    private static String read(InputStream body) throws IOException {
        return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(1);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdown();
    }
}
