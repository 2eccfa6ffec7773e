package io.vigil.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves a simulated fleet's series in the Prometheus text exposition format, so that Prometheus
 * can scrape exactly the series and values that the fleet simulator sends to Kafka: the same {@link
 * Workload}, evaluated at the tick of the moment of the scrape.
 *
 * <pre>{@code
 * try (ExpositionServer server =
 *         new ExpositionServer(workload, step, 200, Clock.systemUTC(), loopback(0))) {
 *     server.targetPaths(); // "/metrics/shard-0000", ... one scrape target each
 * }
 * }</pre>
 *
 * <p>The fleet's hosts are split into {@code targets} consecutive shards, one path each, as a few
 * hundred exporters that each front many hosts (one exporter per host would mean 10 000 targets for
 * a 10 000-host fleet, which only changes Prometheus's per-target overhead). Every series keeps its
 * own labels (host, dc, cluster, rack, device), the same labels a Vigil sample has (there, host,
 * dc, cluster and rack come once per batch of the host); Prometheus adds {@code job} and {@code
 * instance}. Responses are not compressed, which spares this server the gzip work a real exporter
 * does and costs Prometheus nothing to decode.
 */
public final class ExpositionServer implements AutoCloseable {
    /** The Prometheus text format, version 0.0.4. */
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Workload workload;
    private final long stepMillis;
    private final Clock clock;
    private final List<Shard> shards;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong samplesServed = new AtomicLong();
    private final AtomicLong bytesServed = new AtomicLong();
    private final IncidentSchedule incidents;

    /**
     * Starts serving.
     *
     * @param workload the series and their values
     * @param step the workload's step: a scrape serves the values of the current step
     * @param targets how many scrape targets to split the hosts into (at most one per host)
     * @param clock wall clock, for the current tick
     * @param address where to listen, e.g. 127.0.0.1 and port 0 for a free one
     * @throws IOException if the address cannot be bound
     */
    public ExpositionServer(
            Workload workload, Duration step, int targets, Clock clock, InetSocketAddress address)
            throws IOException {
        this(workload, step, targets, clock, address, IncidentSchedule.NONE);
    }

    /**
     * Starts serving, with incidents: the hosts they concern show changed values or none.
     *
     * @param incidents what goes wrong when, timed on {@code clock}
     */
    public ExpositionServer(
            Workload workload,
            Duration step,
            int targets,
            Clock clock,
            InetSocketAddress address,
            IncidentSchedule incidents)
            throws IOException {
        List<Fleet.Host> hosts = workload.fleet().hosts();
        if (targets < 1 || targets > hosts.size()) {
            throw new IllegalArgumentException(
                    String.format(
                            "targets must be between 1 and the %s hosts, was %s",
                            hosts.size(), targets));
        }
        this.workload = workload;
        this.incidents = incidents;
        this.stepMillis = step.toMillis();
        this.clock = clock;
        this.shards = shards(workload.fleet(), targets);
        this.executor =
                Executors.newFixedThreadPool(
                        2,
                        runnable -> {
                            Thread thread = new Thread(runnable, "exposition-server");
                            thread.setDaemon(true);
                            return thread;
                        });
        this.server = HttpServer.create(address, 256);
        server.setExecutor(executor);
        for (Shard shard : shards) {
            server.createContext(shard.path(), exchange -> serve(shard, exchange));
        }
        server.start();
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** One path per scrape target, e.g. {@code /metrics/shard-0007}. */
    public List<String> targetPaths() {
        return shards.stream().map(Shard::path).toList();
    }

    /** Samples served so far, over all scrapes. */
    public long samplesServed() {
        return samplesServed.get();
    }

    /** Bytes of response bodies served so far (uncompressed text). */
    public long bytesServed() {
        return bytesServed.get();
    }

    /** Splits the hosts into consecutive shards, each with its series grouped by metric. */
    private static List<Shard> shards(Fleet fleet, int targets) {
        int hostCount = fleet.hosts().size();
        int seriesPerHost = fleet.series().size() / hostCount;
        List<Shard> shards = new ArrayList<>(targets);
        for (int t = 0; t < targets; t++) {
            int firstHost = (int) ((long) t * hostCount / targets);
            int endHost = (int) ((long) (t + 1) * hostCount / targets);
            // The text format wants all lines of a metric family together, under one TYPE line.
            Map<String, List<Fleet.Series>> byMetric = new LinkedHashMap<>();
            for (Fleet.Series series :
                    fleet.series().subList(firstHost * seriesPerHost, endHost * seriesPerHost)) {
                byMetric.computeIfAbsent(series.metric().name(), name -> new ArrayList<>())
                        .add(series);
            }
            List<Family> families = new ArrayList<>();
            byMetric.forEach(
                    (name, members) ->
                            families.add(
                                    new Family(
                                            String.format(
                                                            "# TYPE %s %s\n",
                                                            name,
                                                            members.get(0).metric().kind()
                                                                            == Fleet.Kind.COUNTER
                                                                    ? "counter"
                                                                    : "gauge")
                                                    .getBytes(StandardCharsets.UTF_8),
                                            members,
                                            members.stream()
                                                    .map(ExpositionServer::seriesPrefix)
                                                    .toList())));
            shards.add(
                    new Shard(
                            String.format("/metrics/shard-%04d", t),
                            families,
                            (endHost - firstHost) * seriesPerHost));
        }
        return List.copyOf(shards);
    }

    /** {@code name{label="value",...} }, built once per series. */
    private static byte[] seriesPrefix(Fleet.Series series) {
        StringBuilder line = new StringBuilder(series.metric().name()).append('{');
        String separator = "";
        for (Map.Entry<String, String> label : series.labels().entrySet()) {
            line.append(separator)
                    .append(label.getKey())
                    .append("=\"")
                    .append(escape(label.getValue()))
                    .append('"');
            separator = ",";
        }
        return line.append("} ").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private void serve(Shard shard, HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(shard.path())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = render(shard, Math.floorDiv(clock.millis(), stepMillis));
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            // Counted before the body goes out: a scraper that has read the response must find it
            // counted (counting after the write raced with the reader, and a test saw 0).
            samplesServed.addAndGet(shard.seriesCount());
            bytesServed.addAndGet(body.length);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The shard's exposition at a tick. */
    byte[] render(Shard shard, long tick) {
        // About 110 bytes per line; growing the buffer once or twice is cheaper than guessing big.
        ByteArrayOutputStream out = new ByteArrayOutputStream(shard.seriesCount() * 112);
        for (Family family : shard.families()) {
            out.writeBytes(family.typeLine());
            for (int i = 0; i < family.members().size(); i++) {
                Fleet.Series series = family.members().get(i);
                double value = workload.value(series, tick);
                if (incidents.concerns(series.host())) {
                    OptionalDouble shown =
                            incidents.apply(series, value, workload.timeOf(tick), clock.millis());
                    if (shown.isEmpty()) {
                        continue;
                    }
                    value = shown.getAsDouble();
                }
                out.writeBytes(family.prefixes().get(i));
                out.writeBytes(Double.toString(value).getBytes(StandardCharsets.US_ASCII));
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    /** The shard at a path, for tests. */
    Shard shard(int index) {
        return shards.get(index);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** One scrape target: a run of consecutive hosts. */
    record Shard(String path, List<Family> families, int seriesCount) {}

    /** One metric family of a shard: its TYPE line and its series with their line prefixes. */
    record Family(byte[] typeLine, List<Fleet.Series> members, List<byte[]> prefixes) {}
}
