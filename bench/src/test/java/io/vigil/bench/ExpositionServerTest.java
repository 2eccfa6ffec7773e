package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpositionServerTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration STEP = Duration.ofSeconds(1);

    @Test
    void servesEachShardsSeriesWithTheWorkloadsValuesAtTheCurrentTick() throws Exception {
        Workload workload = new Workload(new Fleet(4, 12), STEP, 1, 0, Duration.ZERO);
        try (ExpositionServer server =
                new ExpositionServer(
                        workload,
                        STEP,
                        2,
                        Clock.fixed(T0, ZoneOffset.UTC),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertThat(server.targetPaths())
                    .containsExactly("/metrics/shard-0000", "/metrics/shard-0001");

            HttpResponse<String> response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + server.port()
                                                                    + "/metrics/shard-0001"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());

            List<String> samples =
                    response.body().lines().filter(line -> !line.startsWith("#")).toList();
            // Hosts 2 and 3, 12 series each (the metrics beyond the tenth repeat per device).
            assertThat(samples).hasSize(24);
            Fleet.Series series = workload.fleet().series().get(24);
            long tick = T0.toEpochMilli() / STEP.toMillis();
            assertThat(samples)
                    .contains(
                            "node_cpu_usage_ratio{cluster=\"dc1-c1\",dc=\"dc1\",host=\"host-000002\",rack=\"dc1-c1-r1\"}"
                                + " "
                                    + workload.value(series, tick));
            assertThat(response.body().lines().filter(line -> line.startsWith("# TYPE")))
                    .contains(
                            "# TYPE node_cpu_usage_ratio gauge",
                            "# TYPE node_network_receive_bytes_total counter")
                    .doesNotHaveDuplicates();
            assertThat(server.samplesServed()).isEqualTo(24);
        }
    }

    @Test
    void servesAnIncidentHostsChangedValueAndLeavesOutADownHost() throws Exception {
        Workload workload = new Workload(new Fleet(4, 10), STEP, 1, 0, Duration.ZERO);
        IncidentSchedule incidents =
                new IncidentSchedule(
                        List.of(
                                new Incident(
                                        Incident.Kind.CPU_HIGH,
                                        "host-000001",
                                        Duration.ZERO,
                                        Duration.ofMinutes(1)),
                                new Incident(
                                        Incident.Kind.HOST_DOWN,
                                        "host-000002",
                                        Duration.ZERO,
                                        Duration.ofMinutes(1))),
                        T0.toEpochMilli());
        try (ExpositionServer server =
                new ExpositionServer(
                        workload,
                        STEP,
                        1,
                        Clock.fixed(T0, ZoneOffset.UTC),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        incidents)) {
            String body =
                    new String(
                            server.render(server.shard(0), T0.toEpochMilli() / STEP.toMillis()),
                            java.nio.charset.StandardCharsets.UTF_8);

            assertThat(body)
                    .contains(
                            "node_cpu_usage_ratio{cluster=\"dc1-c1\",dc=\"dc1\",host=\"host-000001\",rack=\"dc1-c1-r1\"}"
                                + " 0.97")
                    .doesNotContain("host-000002");
            assertThat(body.lines().filter(line -> !line.startsWith("#"))).hasSize(30);
        }
    }
}
