package io.vigil.bench.alerting;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmark's webhook receiver: an HTTP server on loopback that takes Alertmanager webhook
 * payloads (from Alertmanager or Vigil's notifier), stamps each request with its arrival time and
 * reports every firing alert of the benchmark's rule to {@link IncidentLatencies} under {@link
 * #STAGE}. Resolved alerts and other rules' alerts are counted, not measured.
 */
public final class AlertWebhookReceiver implements AutoCloseable {
    /** The stage name of a firing alert received by the webhook. */
    public static final String STAGE = "webhook";

    private final HttpServer server;
    private final ExecutorService executor;
    private final String alertname;
    private final IncidentLatencies latencies;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger resolved = new AtomicInteger();
    private final AtomicInteger otherAlerts = new AtomicInteger();
    private final AtomicInteger malformed = new AtomicInteger();

    /**
     * Starts listening on a free loopback port.
     *
     * @param alertname the {@code alertname} label of the benchmark's rule
     */
    public AlertWebhookReceiver(String alertname, IncidentLatencies latencies) throws IOException {
        this.alertname = alertname;
        this.latencies = latencies;
        this.executor =
                Executors.newFixedThreadPool(
                        2,
                        runnable -> {
                            Thread thread = new Thread(runnable, "bench-webhook");
                            thread.setDaemon(true);
                            return thread;
                        });
        this.server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Where senders post, e.g. {@code http://127.0.0.1:41234/alerts}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/alerts");
    }

    private void handle(HttpExchange exchange) throws IOException {
        // Stamped before reading the body: the request has arrived.
        long receivedAt = System.currentTimeMillis();
        try (exchange) {
            requests.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            try {
                for (WebhookAlerts.Alert alert : WebhookAlerts.parse(body)) {
                    if (!alertname.equals(alert.labels().get("alertname"))) {
                        otherAlerts.incrementAndGet();
                    } else if (alert.firing()) {
                        latencies.seen(STAGE, alert.labels().get("host"), receivedAt);
                    } else {
                        resolved.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                malformed.incrementAndGet();
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            exchange.sendResponseHeaders(200, -1);
        }
    }

    /** Requests received, and what they held besides firing alerts of the benchmark's rule. */
    public Counts counts() {
        return new Counts(requests.get(), resolved.get(), otherAlerts.get(), malformed.get());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * @param requests webhook requests received
     * @param resolved resolved alerts of the benchmark's rule in them
     * @param otherAlerts alerts of other rules in them
     * @param malformed requests that were no webhook payload (answered 400)
     */
    public record Counts(int requests, int resolved, int otherAlerts, int malformed) {}

    /**
     * A routing configuration, read alike by the notifier (Vigil side) and by Alertmanager, that
     * sends every alert to this receiver as a group of its own: the first notification at once
     * ({@code group_wait: 0s}, the lowest the notifier takes), resolutions after a second. One text
     * for both sides, so that both route the same way.
     */
    public String routeEverythingHere() {
        return String.format(
                "route:%n"
                        + "  receiver: bench%n"
                        + "  group_by: ['...']%n"
                        + "  group_wait: 0s%n"
                        + "  group_interval: 1s%n"
                        + "  repeat_interval: 4h%n"
                        + "receivers:%n"
                        + "  - name: bench%n"
                        + "    webhook_configs:%n"
                        + "      - url: '%s'%n"
                        + "        send_resolved: true%n",
                url());
    }
}
