package io.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vigil.stack.process.Loopback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The webhook receiver of {@code vigil up}'s default notifier configuration: it accepts
 * Alertmanager's webhook payload (what the notifier's {@code webhook_configs} send), appends each
 * notification to a file in readable form and tells the console, so that alerts of the local stack
 * are seen without any mail server or chat service.
 *
 * <pre>{@code
 * try (NotificationInbox inbox =
 *         NotificationInbox.start(dataDir.resolve("notifications.log"), Console::say, clock)) {
 *     URI webhook = inbox.url(); // the receiver's url in the notifier configuration
 *     ...
 * }
 * }</pre>
 *
 * <p>A request that is not such a payload gets 400, so a misconfigured sender sees its mistake in
 * the notifier's log, where it retries.
 */
final class NotificationInbox implements AutoCloseable {

    /** The path the notifier posts to. */
    static final String PATH = "/notifications";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Path file;
    private final Consumer<String> console;
    private final Clock clock;
    private final AtomicLong received = new AtomicLong();

    private NotificationInbox(
            HttpServer server,
            ExecutorService executor,
            Path file,
            Consumer<String> console,
            Clock clock) {
        this.server = server;
        this.executor = executor;
        this.file = file;
        this.console = console;
        this.clock = clock;
    }

    /**
     * Serves on a free loopback port.
     *
     * @param file where notifications are appended (created with its folder if missing)
     * @param console gets one line per notification
     */
    static NotificationInbox start(Path file, Consumer<String> console, Clock clock)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        HttpServer server = HttpServer.create(new InetSocketAddress(Loopback.address(), 0), 0);
        // One thread: notifications are few (grouped), and appends to the file stay in order.
        ExecutorService executor =
                Executors.newSingleThreadExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "vigil-notification-inbox");
                            thread.setDaemon(true);
                            return thread;
                        });
        server.setExecutor(executor);
        NotificationInbox inbox = new NotificationInbox(server, executor, file, console, clock);
        server.createContext(PATH, inbox::handle);
        server.start();
        return inbox;
    }

    /** Where the notifier posts: {@code http://127.0.0.1:<port>/notifications}. */
    URI url() {
        return URI.create(
                String.format(
                        "http://%s:%d%s", Loopback.HOST, server.getAddress().getPort(), PATH));
    }

    /** The file notifications are appended to. */
    Path file() {
        return file;
    }

    /** Notifications accepted since the start. */
    long received() {
        return received.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            List<String> lines;
            try {
                lines = render(JSON.readTree(exchange.getRequestBody()), clock);
            } catch (IOException | IllegalArgumentException e) {
                byte[] answer =
                        ("not an Alertmanager webhook payload: " + e.getMessage())
                                .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(400, answer.length);
                exchange.getResponseBody().write(answer);
                return;
            }
            try {
                Files.write(
                        file,
                        lines,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                // 503: the notifier keeps the notification and retries.
                console.accept(String.format("cannot append to %s: %s", file, e));
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            received.incrementAndGet();
            console.accept(String.format("notification %s", lines.get(0)));
            exchange.sendResponseHeaders(200, -1);
        }
    }

    /**
     * A notification in readable form: a headline with the time it arrived, its status, number of
     * alerts and group labels, as in the notifier's mail subjects ({@code [FIRING:2]
     * {alertname="host.CpuHigh"}}), then one indented line per alert with its labels, its start and
     * its summary.
     *
     * @throws IllegalArgumentException if the payload lacks the webhook's fields
     */
    static List<String> render(JsonNode payload, Clock clock) {
        if (payload == null
                || !payload.path("status").isTextual()
                || !payload.path("alerts").isArray()) {
            throw new IllegalArgumentException("needs \"status\" and \"alerts\"");
        }
        List<String> lines = new ArrayList<>();
        JsonNode alerts = payload.get("alerts");
        int total = alerts.size() + payload.path("truncatedAlerts").asInt(0);
        lines.add(
                String.format(
                        "%s [%s:%d] %s to %s",
                        clock.instant().truncatedTo(ChronoUnit.SECONDS),
                        payload.get("status").asText().toUpperCase(java.util.Locale.ROOT),
                        total,
                        labels(payload.path("groupLabels")),
                        payload.path("receiver").asText("?")));
        for (JsonNode alert : alerts) {
            String summary = alert.path("annotations").path("summary").asText("");
            lines.add(
                    String.format(
                            "    %-8s %s since %s%s",
                            alert.path("status").asText("?"),
                            labels(alert.path("labels")),
                            alert.path("startsAt").asText("?"),
                            summary.isEmpty() ? "" : ": " + summary));
        }
        return lines;
    }

    /** Labels as {@code {name="value", ...}}, in the order given (the notifier sorts them). */
    private static String labels(JsonNode labels) {
        List<String> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            parts.add(label.getKey() + "=\"" + label.getValue().asText() + "\"");
        }
        return "{" + String.join(", ", parts) + "}";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
