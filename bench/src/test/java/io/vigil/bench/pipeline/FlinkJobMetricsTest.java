package io.vigil.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vigil.stack.FlinkRestClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlinkJobMetricsTest {
    private static final String JOB = "a1b2c3";
    private static final String JOB_PATH = "/jobs/" + JOB;
    private static final String SAMPLES_VERTEX = JOB_PATH + "/vertices/v-samples/subtasks/metrics";
    private static final String RULES_VERTEX = JOB_PATH + "/vertices/v-rules/subtasks/metrics";
    private static final String EVALUATOR_VERTEX = JOB_PATH + "/vertices/v-eval/subtasks/metrics";
    private static final String SAMPLES_PENDING = "Source__Kafka__samples.pendingRecords";
    private static final String RULES_PENDING = "Source__Kafka__rules.pendingRecords";

    private final FakeFlink flink = new FakeFlink();

    @BeforeEach
    void alertingJobAsFlinkListsIt() {
        // The alerting job: two Kafka sources, samples and rules, and operators after them.
        flink.answer(
                JOB_PATH,
                "{\"state\":\"RUNNING\",\"vertices\":["
                        + "{\"id\":\"v-samples\",\"name\":\"Source: Kafka: samples -> Split off"
                        + " undecodable samples\"},"
                        + "{\"id\":\"v-rules\",\"name\":\"Source: Kafka: rules -> Split off"
                        + " undecodable rules\"},"
                        + "{\"id\":\"v-eval\",\"name\":\"Evaluate rules\"}]}");
        flink.answer(RULES_VERTEX, "[{\"id\":\"" + RULES_PENDING + "\"}]");
        flink.answer(
                RULES_VERTEX + "?get=" + RULES_PENDING + "&agg=sum",
                "[{\"id\":\"" + RULES_PENDING + "\",\"sum\":7.0}]");
        flink.answer(EVALUATOR_VERTEX, "[{\"id\":\"busyTimeMsPerSecond\"}]");
        flink.answer(
                SAMPLES_VERTEX + "?get=" + SAMPLES_PENDING + "&agg=sum",
                "[{\"id\":\"" + SAMPLES_PENDING + "\",\"sum\":1234.0}]");
    }

    @AfterEach
    void stop() {
        flink.close();
    }

    @Test
    void readsTheSamplesSourcesLagNotTheRulesSources() {
        flink.answer(SAMPLES_VERTEX, "[{\"id\":\"" + SAMPLES_PENDING + "\"}]");

        FlinkJobMetrics.SourceLag lag = new FlinkJobMetrics(flink.client(), JOB).sourceLag();

        assertThat(lag).isEqualTo(new FlinkJobMetrics.SourceLag("RUNNING", 1234));
    }

    @Test
    void readsTheLagWithTwoRequestsOnceItHasFoundTheMetric() {
        flink.answer(SAMPLES_VERTEX, "[{\"id\":\"" + SAMPLES_PENDING + "\"}]");
        FlinkJobMetrics metrics = new FlinkJobMetrics(flink.client(), JOB);
        metrics.sourceLag();
        int first = flink.requests();

        metrics.sourceLag();

        // The job (its state) and the one metric: the JobManager's CPU counts in the figures.
        assertThat(flink.requests() - first).isEqualTo(2);
    }

    @Test
    void hasNoLagUntilTheSourceRegistersItsMetric() {
        flink.answer(SAMPLES_VERTEX, "[{\"id\":\"numRecordsOut\"}]");
        FlinkJobMetrics metrics = new FlinkJobMetrics(flink.client(), JOB);

        assertThat(metrics.sourceLag().pending()).isEqualTo(FlinkJobMetrics.SourceLag.UNKNOWN);

        flink.answer(SAMPLES_VERTEX, "[{\"id\":\"" + SAMPLES_PENDING + "\"}]");
        assertThat(metrics.sourceLag().pending()).isEqualTo(1234);
    }

    /** A Flink REST server that answers canned JSON by path and query, and counts requests. */
    private static final class FakeFlink implements AutoCloseable {
        private final Map<String, String> answers = new ConcurrentHashMap<>();
        private final AtomicInteger requests = new AtomicInteger();
        private final HttpServer server;

        FakeFlink() {
            try {
                server =
                        HttpServer.create(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException("no port for the fake Flink", e);
            }
            server.createContext(
                    "/",
                    exchange -> {
                        requests.incrementAndGet();
                        String body = answers.get(exchange.getRequestURI().toString());
                        byte[] bytes =
                                (body == null ? "{\"errors\":[\"not found\"]}" : body)
                                        .getBytes(StandardCharsets.UTF_8);
                        exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(bytes);
                        }
                    });
            server.start();
        }

        void answer(String pathAndQuery, String json) {
            answers.put(pathAndQuery, json);
        }

        int requests() {
            return requests.get();
        }

        FlinkRestClient client() {
            return FlinkRestClient.create(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
