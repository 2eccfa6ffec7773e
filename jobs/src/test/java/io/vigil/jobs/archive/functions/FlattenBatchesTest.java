package io.vigil.jobs.archive.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

/** A batch becomes the samples the archive wrote before batches, one record each. */
class FlattenBatchesTest {
    /** 2026-11-25T10:00:00Z. */
    private static final long T0 = 1_795_600_800_000L;

    private static List<MetricSample> flatten(MetricBatch batch) {
        List<MetricSample> out = new ArrayList<>();
        new FlattenBatches().flatMap(batch, new ListCollector<>(out));
        return out;
    }

    @Test
    void eachSampleCarriesAllItsLabelsAndItsOwnTime() {
        Map<String, String> host = Map.of("host", "web-1", "dc", "fra1");
        MetricBatch batch =
                MetricBatches.builder(host, T0)
                        .add("node_load1", 0.42)
                        .add("node_cpu_seconds_total", Map.of("cpu", "0", "mode", "idle"), 12.5)
                        .add("probe_up", Map.of(), 1.0, T0 + 250)
                        .build();

        assertThat(flatten(batch))
                .containsExactly(
                        new MetricSample("node_load1", host, 0.42, T0),
                        new MetricSample(
                                "node_cpu_seconds_total",
                                Map.of("host", "web-1", "dc", "fra1", "cpu", "0", "mode", "idle"),
                                12.5,
                                T0),
                        new MetricSample("probe_up", host, 1.0, T0 + 250));
    }

    @Test
    void aLegacySampleComesBackAsItWas() {
        MetricSample legacy = new MetricSample("cpu", Map.of("host", "web-1"), 95.0, T0);
        assertThat(flatten(MetricBatches.of(legacy))).containsExactly(legacy);
    }

    @Test
    void anEmptyBatchArchivesNothing() {
        assertThat(flatten(MetricBatches.builder(Map.of("host", "web-1"), T0).build())).isEmpty();
    }
}
