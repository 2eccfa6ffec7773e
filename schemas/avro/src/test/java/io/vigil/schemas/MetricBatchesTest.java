package io.vigil.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * A sample in a batch is the same series, with the same id, as the stand-alone sample it stands
 * for: the jobs key state and rows by these ids, and legacy per-sample records of the same series
 * must land in the same place.
 */
class MetricBatchesTest {
    private static final long T0 = 1_764_000_000_000L;

    @Property(tries = 300)
    void aBatchedSampleHasTheSeriesIdOfItsStandAloneSample(
            @ForAll("labels") Map<String, String> shared,
            @ForAll("labels") Map<String, String> own,
            @ForAll("names") String name,
            @ForAll long offset) {
        own.keySet().removeAll(shared.keySet()); // a label in both is refused by validation
        MetricBatch batch =
                MetricBatches.builder(shared, T0)
                        .add("up", 1.0)
                        .add(name, own, 0.5, T0 + (offset % 1_000_000))
                        .build();

        long[] ids = MetricBatches.seriesIds(batch);

        for (int i = 0; i < ids.length; i++) {
            MetricSample alone = MetricBatches.sample(batch, i);
            assertThat(ids[i]).isEqualTo(SeriesIds.of(alone));
            assertThat(alone.getTimestamp()).isEqualTo(MetricBatches.timestamp(batch, i));
        }
        assertThat(MetricBatches.sample(batch, 1).getLabels())
                .containsAllEntriesOf(shared)
                .containsAllEntriesOf(own)
                .hasSize(shared.size() + own.size());
    }

    @Test
    void aLegacySampleIsABatchOfOneOfTheSameSeriesAndTime() {
        MetricSample sample =
                new MetricSample("node_load1", Map.of(Labels.HOST, "web-1", "dc", "fra1"), 0.3, T0);

        MetricBatch batch = MetricBatches.of(sample);

        assertThat(batch.getSamples()).hasSize(1);
        assertThat(MetricBatches.sample(batch, 0)).isEqualTo(sample);
        assertThat(MetricBatches.seriesIds(batch)).containsExactly(SeriesIds.of(sample));
    }

    /** The origin is the host: every batch of a host has one key, whatever else it carries. */
    @Test
    void theOriginIsTheHostWhenThereIsOne() {
        MetricBatch agent =
                MetricBatches.builder(Map.of(Labels.HOST, "web-1", "dc", "fra1"), T0).build();
        MetricBatch scrape =
                MetricBatches.builder(Map.of(Labels.HOST, "web-1", "job", "node"), T0).build();
        MetricBatch probe = MetricBatches.builder(Map.of("target", "dns-1"), T0).build();

        assertThat(MetricBatches.originId(agent)).isEqualTo(MetricBatches.originId(scrape));
        assertThat(MetricBatches.originId(probe)).isNotEqualTo(MetricBatches.originId(agent));
    }

    @Provide
    Arbitrary<Map<String, String>> labels() {
        return Arbitraries.maps(
                        Arbitraries.strings().withCharRange('a', 'e').ofMinLength(1).ofMaxLength(3),
                        Arbitraries.strings().ofMaxLength(6))
                .ofMaxSize(5)
                .map(HashMap::new);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
    }
}
