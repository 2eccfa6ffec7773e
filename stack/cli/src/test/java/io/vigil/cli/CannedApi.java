package io.vigil.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP server on loopback that answers every request with one status and body, to play an API
 * that refuses (401 from an authenticating proxy, 503) or is not the silence API at all.
 */
final class CannedApi implements AutoCloseable {
    private final HttpServer server;

    CannedApi(int status, String contentType, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext(
                "/",
                exchange -> {
                    try (exchange) {
                        exchange.getRequestBody().readAllBytes();
                        exchange.getResponseHeaders().set("Content-Type", contentType);
                        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                        if (bytes.length > 0) {
                            exchange.getResponseBody().write(bytes);
                        }
                    }
                });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
