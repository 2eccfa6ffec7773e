package io.vigil.notifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real HTTP endpoint for tests (the JDK's server on loopback) that records every JSON body it
 * accepted with 200. It can refuse the next requests with 503, or hold requests that satisfy a
 * condition until released, to play an unreachable or stuck receiver.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One accepted request. */
    public record Request(String path, String idempotencyKey, String sender, JsonNode body) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Request> accepted = new ArrayList<>();
    private final AtomicInteger refuseNext = new AtomicInteger();
    private volatile Predicate<Request> hold = request -> false;
    private volatile CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    public URI url(String path) {
        return URI.create(
                String.format("http://127.0.0.1:%s%s", server.getAddress().getPort(), path));
    }

    /** Answers the next {@code count} requests with 503 and forgets them. */
    public void refuseNext(int count) {
        refuseNext.set(count);
    }

    /**
     * Holds every request matching {@code condition} (a first one and the sender's retries) without
     * answering until {@link #release()}; they are then answered 503 and not recorded, as requests
     * whose sender died.
     */
    public void hold(Predicate<Request> condition) {
        held = new CountDownLatch(1);
        hold = condition;
    }

    /** Waits until a request is held. */
    public boolean awaitHeld(java.time.Duration timeout) throws InterruptedException {
        return held.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public void release() {
        release.countDown();
    }

    public synchronized List<Request> accepted() {
        return List.copyOf(accepted);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Request request =
                    new Request(
                            exchange.getRequestURI().getPath(),
                            exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                            exchange.getRequestHeaders().getFirst("X-Vigil-Notifier"),
                            JSON.readTree(exchange.getRequestBody()));
            if (refuseNext.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            if (release.getCount() > 0 && hold.test(request)) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            synchronized (this) {
                accepted.add(request);
            }
            exchange.sendResponseHeaders(200, -1);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
