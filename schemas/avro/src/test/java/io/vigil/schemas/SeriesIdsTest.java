package io.vigil.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SeriesIdsTest {

    @Test
    void isIndependentOfLabelOrder() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");

        assertThat(SeriesIds.of("m", ab)).isEqualTo(SeriesIds.of("m", ba));
    }

    /**
     * The id is persisted in Cassandra and Kafka: it must never change between releases. The
     * expected value was computed by an independent implementation of FNV-1a + SplitMix64.
     */
    @Test
    void isStableAcrossReleases() {
        assertThat(SeriesIds.of("up", Map.of())).isEqualTo(-5_381_546_414_279_412_274L);
        assertThat(SeriesIds.of("cpu", Map.of("host", "web-1")))
                .isEqualTo(SeriesIds.of("cpu", Map.of("host", "web-1")));
    }

    @Test
    void separatesLabelBoundaries() {
        assertThat(SeriesIds.of("m", Map.of("ab", "c")))
                .isNotEqualTo(SeriesIds.of("m", Map.of("a", "bc")));
        assertThat(SeriesIds.of("m", Map.of("a", "b"))).isNotEqualTo(SeriesIds.of("ma", Map.of()));
    }

    @Test
    void hasNoCollisionsOnARealisticFleet() {
        Set<Long> ids = new HashSet<>();
        int series = 0;
        for (int host = 0; host < 2_000; host++) {
            for (int metric = 0; metric < 50; metric++) {
                ids.add(SeriesIds.of("metric_" + metric, Map.of("host", "host-" + host)));
                series++;
            }
        }
        assertThat(ids).hasSize(series);
    }

    @Property
    void differentValuesGiveDifferentIds(@ForAll String a, @ForAll String b) {
        if (!a.equals(b)) {
            assertThat(SeriesIds.of("m", Map.of("k", a)))
                    .isNotEqualTo(SeriesIds.of("m", Map.of("k", b)));
        }
    }
}
