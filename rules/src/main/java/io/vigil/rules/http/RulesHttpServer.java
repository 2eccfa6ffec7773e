package io.vigil.rules.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vigil.rules.ApplyResult;
import io.vigil.rules.InvalidRulesException;
import io.vigil.rules.RuleChange;
import io.vigil.rules.RuleConflictException;
import io.vigil.rules.RuleFiles;
import io.vigil.rules.RuleFormat;
import io.vigil.rules.RuleIds;
import io.vigil.rules.RuleStore;
import io.vigil.rules.RuleStoreException;
import io.vigil.rules.StoredRule;
import io.vigil.schemas.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules HTTP API, on the JDK's built-in server.
 *
 * <pre>{@code
 * try (RulesHttpServer server =
 *         RulesHttpServer.builder()
 *                 .store(store)
 *                 .address(new InetSocketAddress("127.0.0.1", 9470))
 *                 .bearerToken(System.getenv("VIGIL_RULES_TOKEN")) // null: no authentication
 *                 .build()
 *                 .start()) {
 *     ...
 * }
 * }</pre>
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>GET /api/v1/rules</td><td>every rule</td></tr>
 *   <tr><td>GET /api/v1/rules/{id}</td><td>one rule, its version as ETag; 404</td></tr>
 *   <tr><td>PUT /api/v1/rules/{id}</td><td>create or change from a YAML or JSON rule; 201 created,
 *       200 changed or unchanged; If-Match: "version" makes it conditional (409 if the store holds
 *       another; "0" = must not exist)</td></tr>
 *   <tr><td>DELETE /api/v1/rules/{id}</td><td>200; 404; If-Match as for PUT</td></tr>
 *   <tr><td>POST /api/v1/rules/apply</td><td>a whole rule file, all or nothing</td></tr>
 * </table>
 *
 * <p>Invalid rules get 400 with every error (each naming its field); with a bearer token
 * configured, a request without one gets 401 and one with another token 403; a body over the limit
 * gets 413; a store that cannot be reached 503. Answers are JSON.
 */
public final class RulesHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RulesHttpServer.class);

    /** The API's root path. */
    public static final String PREFIX = "/api/v1/rules";

    /** Rule files are small; a megabyte holds thousands of rules. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

    private static final String APPLY = "apply";
    private static final Pattern IF_MATCH = Pattern.compile("\\s*(?:W/)?\"?(\\d{1,18})\"?\\s*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RuleStore store;
    private final byte[] token;
    private final int maxBodyBytes;
    private final HttpServer server;
    private final ExecutorService executor;

    private RulesHttpServer(Builder builder) throws IOException {
        this.store = builder.store;
        this.token =
                builder.bearerToken == null
                        ? null
                        : builder.bearerToken.getBytes(StandardCharsets.UTF_8);
        this.maxBodyBytes = builder.maxBodyBytes;
        this.server = HttpServer.create(builder.address, 0);
        this.executor =
                Executors.newFixedThreadPool(
                        builder.threads,
                        runnable -> {
                            Thread thread = new Thread(runnable, "vigil-rules-http");
                            thread.setDaemon(true);
                            return thread;
                        });
        server.setExecutor(executor);
        server.createContext(PREFIX, this::handle);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts serving; returns this. */
    public RulesHttpServer start() {
        server.start();
        LOG.info(
                "Rules API listening on http://{}:{}{}",
                address().getHostString(),
                address().getPort(),
                PREFIX);
        return this;
    }

    /** Where the server listens (with the port it got, if asked for port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Response response;
            try {
                response = route(exchange);
            } catch (HttpError e) {
                response = Response.error(e.status, e.getMessage());
            } catch (InvalidRulesException e) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("error", e.getMessage());
                body.put("errors", e.errors());
                response = new Response(400, body, null);
            } catch (RuleConflictException e) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("error", e.getMessage());
                body.put("expected_version", e.expectedVersion());
                body.put("actual_version", e.actualVersion());
                response = new Response(409, body, null);
            } catch (RuleStoreException e) {
                LOG.warn(
                        "Rule store failed on {} {}",
                        exchange.getRequestMethod(),
                        exchange.getRequestURI(),
                        e);
                response = Response.error(503, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error(
                        "Failed on {} {}",
                        exchange.getRequestMethod(),
                        exchange.getRequestURI(),
                        e);
                response = Response.error(500, "internal error: " + e);
            }
            send(exchange, response);
        }
    }

    private Response route(HttpExchange exchange) throws IOException, InvalidRulesException {
        authenticate(exchange);
        String method = exchange.getRequestMethod();
        String rest = exchange.getRequestURI().getRawPath().substring(PREFIX.length());
        if (rest.isEmpty() || rest.equals("/")) {
            requireMethod(method, "GET");
            return list();
        }
        if (!rest.startsWith("/") || rest.indexOf('/', 1) >= 0) {
            throw new HttpError(
                    404, String.format("no such resource: %s", exchange.getRequestURI().getPath()));
        }
        String id = URLDecoder.decode(rest.substring(1), StandardCharsets.UTF_8);
        if (id.equals(APPLY) && method.equals("POST")) {
            return apply(exchange);
        }
        if (!RuleIds.isValid(id)) {
            throw new HttpError(
                    400,
                    String.format(
                            "id: \"%s\" is not a rule id (letters, digits, '.', '_', '-')", id));
        }
        return switch (method) {
            case "GET" -> get(id);
            case "PUT" -> put(exchange, id);
            case "DELETE" -> delete(exchange, id);
            default ->
                    throw new HttpError(
                            405,
                            String.format(
                                    "%s is not allowed on a rule (GET, PUT, DELETE)", method));
        };
    }

    private Response list() {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (StoredRule rule : store.list()) {
            rules.add(describe(rule.rule()));
        }
        return new Response(200, Map.of("rules", rules), null);
    }

    private Response get(String id) {
        StoredRule rule = store.get(id).orElseThrow(() -> notFound(id));
        return new Response(200, describe(rule.rule()), rule.version());
    }

    private Response put(HttpExchange exchange, String id)
            throws IOException, InvalidRulesException {
        OptionalLong expected = expectedVersion(exchange);
        String body = body(exchange);
        Rule rule = RuleFiles.parseRule(String.format("PUT %s/%s", PREFIX, id), id, body);
        RuleChange change = store.put(rule, expected, "api");
        return new Response(
                change.outcome() == RuleChange.Outcome.CREATED ? 201 : 200,
                describe(change),
                change.version());
    }

    private Response delete(HttpExchange exchange, String id) {
        OptionalLong expected = expectedVersion(exchange);
        RuleChange change = store.delete(id, expected, "api").orElseThrow(() -> notFound(id));
        return new Response(200, describe(change), change.version());
    }

    private Response apply(HttpExchange exchange) throws IOException, InvalidRulesException {
        String source = String.format("POST %s/%s", PREFIX, APPLY);
        List<Rule> rules = RuleFiles.parse(source, body(exchange));
        ApplyResult result = store.apply(rules, "api");
        List<Map<String, Object>> changes = new ArrayList<>();
        result.changes().forEach(change -> changes.add(describe(change)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("rules", changes);
        body.put("republished", result.republished());
        return new Response(200, body, null);
    }

    private static Map<String, Object> describe(Rule rule) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", rule.getVersion());
        fields.put("updated_at", Instant.ofEpochMilli(rule.getUpdatedAt()).toString());
        fields.putAll(RuleFormat.toFields(rule));
        return fields;
    }

    private static Map<String, Object> describe(RuleChange change) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", change.id());
        fields.put("version", change.version());
        fields.put("change", change.outcome().name().toLowerCase(java.util.Locale.ROOT));
        return fields;
    }

    private void authenticate(HttpExchange exchange) {
        if (token == null) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"vigil\"");
            throw new HttpError(401, "a bearer token is required (Authorization: Bearer <token>)");
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        // Constant time, so the answer's timing does not tell how much of a guess was right.
        if (!MessageDigest.isEqual(given, token)) {
            throw new HttpError(403, "the bearer token is not valid for this API");
        }
    }

    private static OptionalLong expectedVersion(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("If-Match");
        if (header == null) {
            return OptionalLong.empty();
        }
        Matcher matcher = IF_MATCH.matcher(header);
        if (!matcher.matches()) {
            throw new HttpError(
                    400, String.format("If-Match: %s is not a rule version (like \"3\")", header));
        }
        return OptionalLong.of(Long.parseLong(matcher.group(1)));
    }

    private String body(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && parseLength(length) > maxBodyBytes) {
            throw tooLarge();
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(maxBodyBytes + 1);
            if (bytes.length > maxBodyBytes) {
                throw tooLarge();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static long parseLength(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, String.format("Content-Length: %s is not a number", length));
        }
    }

    private HttpError tooLarge() {
        return new HttpError(413, String.format("the body is larger than %d bytes", maxBodyBytes));
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new HttpError(405, String.format("%s is not allowed here (%s)", method, allowed));
        }
    }

    private static HttpError notFound(String id) {
        return new HttpError(404, String.format("no rule %s", id));
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (response.version() != null) {
            exchange.getResponseHeaders().set("ETag", "\"" + response.version() + "\"");
        }
        exchange.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An answer: status, JSON body, and the rule version for the ETag if there is one. */
    private record Response(int status, Object body, Long version) {
        static Response error(int status, String message) {
            return new Response(status, Map.of("error", message), null);
        }
    }

    /** A request the API refuses, with the status and message to answer. */
    private static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** Configures a {@link RulesHttpServer}; the store is required. */
    public static final class Builder {
        private RuleStore store;
        private InetSocketAddress address = new InetSocketAddress("127.0.0.1", 0);
        private String bearerToken;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int threads = 4;

        private Builder() {}

        public Builder store(RuleStore store) {
            this.store = store;
            return this;
        }

        /** Where to listen; by default a free port on loopback. */
        public Builder address(InetSocketAddress address) {
            this.address = address;
            return this;
        }

        /** The token every request must carry; null or blank for none. */
        public Builder bearerToken(String bearerToken) {
            this.bearerToken =
                    bearerToken == null || bearerToken.isBlank() ? null : bearerToken.trim();
            return this;
        }

        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public RulesHttpServer build() throws IOException {
            Objects.requireNonNull(store, "store must be set");
            Objects.requireNonNull(address, "address must be set");
            if (maxBodyBytes < 1 || threads < 1) {
                throw new IllegalStateException(
                        String.format(
                                "maxBodyBytes (%s) and threads (%s) must be positive",
                                maxBodyBytes, threads));
            }
            return new RulesHttpServer(this);
        }
    }
}
