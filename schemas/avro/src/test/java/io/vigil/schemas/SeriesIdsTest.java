package io.vigil.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
        // Computed by the first release, which encoded every string and sorted through a TreeMap.
        assertThat(SeriesIds.of("cpu", Map.of("host", "web-1")))
                .isEqualTo(9_151_460_629_081_301_060L);
        assertThat(
                        SeriesIds.of(
                                "node_cpu_usage_ratio",
                                Map.of(
                                        "host", "host-000001",
                                        "dc", "dc1",
                                        "cluster", "dc1-c1",
                                        "rack", "dc1-c1-r1")))
                .isEqualTo(-8_478_267_937_694_961_083L);
        assertThat(
                        SeriesIds.of(
                                "température",
                                Map.of("salle", "Zürich-1", "emoji", "\uD83D\uDD25x", "z", "")))
                .isEqualTo(2_698_447_553_335_729_951L);
    }

    /** The canonical form spelled out: name and sorted labels as UTF-8, each ended by a 0. */
    private static long reference(String metric, Map<String, String> labels) {
        StringBuilder canonical = new StringBuilder(metric).append('\0');
        new TreeMap<>(labels)
                .forEach((k, v) -> canonical.append(k).append('\0').append(v).append('\0'));
        long hash = 0xcbf29ce484222325L;
        for (byte b : canonical.toString().getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
        hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
        return hash ^ (hash >>> 31);
    }

    @Property
    void equalsTheCanonicalFormsHash(@ForAll String metric, @ForAll Map<String, String> labels) {
        assertThat(SeriesIds.of(metric, labels)).isEqualTo(reference(metric, labels));
        assertThat(SeriesIds.of(metric, new TreeMap<>(labels)))
                .isEqualTo(reference(metric, labels));
    }

    @Property
    void oneLabelWithoutAMapIsTheSameId(
            @ForAll String metric, @ForAll String name, @ForAll String value) {
        assertThat(SeriesIds.of(metric, name, value))
                .isEqualTo(SeriesIds.of(metric, Map.of(name, value)))
                .isEqualTo(reference(metric, Map.of(name, value)));
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
