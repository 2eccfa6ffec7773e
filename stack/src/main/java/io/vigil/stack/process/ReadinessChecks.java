package io.vigil.stack.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** The implementations behind the factories of {@link ReadinessCheck}. */
final class ReadinessChecks {

    /** Short, because a check runs every 200 ms and a refused connection answers at once anyway. */
    private static final int CONNECT_TIMEOUT_MILLIS = 500;

    private ReadinessChecks() {}

    /** Opens a TCP connection to a loopback port and closes it again. */
    static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(Loopback.socketAddress(port), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static final class TcpPort implements ReadinessCheck {
        private final int port;

        TcpPort(int port) {
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException(String.format("Invalid port %s", port));
            }
            this.port = port;
        }

        @Override
        public boolean isReady() {
            return acceptsConnections(port);
        }

        @Override
        public String description() {
            return String.format("TCP %s:%s", Loopback.HOST, port);
        }
    }

    /**
     * Scans a growing file for a text. It remembers how far it has read, so that a long log is not
     * read again on every poll; the tail of the previous read is kept so that a text split across
     * two reads is still found.
     */
    static final class LogLine implements ReadinessCheck {
        private final Path file;
        private final String text;
        private long position;
        private String carry = "";

        /**
         * Once seen, a line stays written: without this latch, a check that found its line while a
         * later check of {@link AllOf} still failed (Cassandra logs that it starts listening a
         * moment before its port accepts) would never find it again, and the start timed out.
         */
        private boolean found;

        LogLine(Path file, String text) {
            this.file = Objects.requireNonNull(file, "file");
            this.text = Objects.requireNonNull(text, "text");
            if (text.isEmpty() || !StandardCharsets.US_ASCII.newEncoder().canEncode(text)) {
                throw new IllegalArgumentException(
                        String.format("The text to wait for must be non-empty ASCII: '%s'", text));
            }
        }

        @Override
        public synchronized boolean isReady() throws IOException {
            if (found) {
                return true;
            }
            if (!Files.exists(file)) {
                return false;
            }
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length < position) {
                    // Truncated or replaced: start over.
                    position = 0;
                    carry = "";
                }
                if (length == position) {
                    return false;
                }
                byte[] bytes = new byte[(int) Math.min(length - position, 1 << 20)];
                in.seek(position);
                in.readFully(bytes);
                position += bytes.length;
                // ISO-8859-1 maps every byte to one char, so an ASCII text matches byte for byte
                // even where the log holds multi-byte UTF-8.
                String chunk = carry + new String(bytes, StandardCharsets.ISO_8859_1);
                if (chunk.contains(text)) {
                    found = true;
                    return true;
                }
                carry = chunk.substring(Math.max(0, chunk.length() - text.length()));
                return false;
            }
        }

        @Override
        public String description() {
            return String.format("'%s' in %s", text, file);
        }
    }

    static final class HttpOk implements ReadinessCheck {
        private final HttpClient http;
        private final URI uri;

        HttpOk(HttpClient http, URI uri) {
            this.http = http;
            this.uri = uri;
        }

        static HttpOk create(URI uri) {
            return new HttpOk(
                    HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MILLIS))
                            .build(),
                    Objects.requireNonNull(uri, "uri"));
        }

        @Override
        public boolean isReady() throws IOException, InterruptedException {
            HttpRequest request =
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        }

        @Override
        public String description() {
            return "HTTP 200 from GET " + uri;
        }
    }

    static final class AllOf implements ReadinessCheck {
        private final List<ReadinessCheck> checks;

        AllOf(List<ReadinessCheck> checks) {
            if (checks.isEmpty()) {
                throw new IllegalArgumentException("allOf needs at least one check");
            }
            this.checks = checks;
        }

        @Override
        public boolean isReady() throws Exception {
            for (ReadinessCheck check : checks) {
                if (!check.isReady()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String description() {
            return checks.stream()
                    .map(ReadinessCheck::description)
                    .collect(Collectors.joining(" and "));
        }
    }
}
