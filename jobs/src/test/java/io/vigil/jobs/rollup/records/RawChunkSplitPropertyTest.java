package io.vigil.jobs.rollup.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.connectors.chunks.Chunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

/**
 * Whatever samples of an interval arrive at a series' buffer, in whatever order and with whatever
 * duplicates, the chunks written when the interval closes hold each timestamp once, in time order,
 * with the value that arrived last for it; they are full except the last, their row keys follow the
 * documented rule, and they depend on nothing but those samples.
 */
class RawChunkSplitPropertyTest {
    private static final long T0 = 1_764_064_800_000L; // 2025-11-25T10:00:00Z, a 2-minute boundary
    private static final long TWO_MINUTES = 120_000;
    private static final int MAX_SAMPLES = 120;
    private static final long SERIES = 42;
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");

    /** One sample as it arrives. */
    record Arrival(long timestamp, double value) {}

    @Provide
    Arbitrary<List<Arrival>> arrivals() {
        // Narrow ranges of timestamps force duplicates; the whole interval forces gaps.
        Arbitrary<Long> spans = Arbitraries.of(10L, 300L, TWO_MINUTES);
        Arbitrary<Double> values =
                Arbitraries.oneOf(
                        Arbitraries.of(0.0, -0.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY),
                        Arbitraries.longs().map(Double::longBitsToDouble),
                        Arbitraries.integers().between(0, 100).map(i -> i / 10.0));
        return spans.flatMap(
                        span ->
                                Combinators.combine(
                                                Arbitraries.longs().between(T0, T0 + span - 1),
                                                values)
                                        .as(Arrival::new)
                                        .list()
                                        .ofMaxSize(400)
                                        // Uniform, not jqwik's bias to short lists: over a
                                        // third of the lists then need more than one chunk.
                                        .withSizeDistribution(RandomDistribution.uniform()))
                .withoutEdgeCases();
    }

    /** The chunks of the interval at T0, as the rollup writes them when the interval closes. */
    private static List<RawChunk> chunks(List<Arrival> arrivals) {
        SeriesBuffer buffer = new SeriesBuffer("cpu", WEB_1);
        for (Arrival arrival : arrivals) {
            buffer.add(arrival.timestamp(), arrival.value());
        }
        SeriesBuffer.Interval interval =
                buffer.drainEndingBy(T0 + TWO_MINUTES, TWO_MINUTES).get(T0);
        if (interval == null) {
            return List.of();
        }
        return RawChunk.split(SERIES, buffer.metric, buffer.labels, interval, T0, MAX_SAMPLES);
    }

    /** Each timestamp once, to the raw bits of the value that arrived last for it. */
    private static TreeMap<Long, Long> lastValueBits(List<Arrival> arrivals) {
        TreeMap<Long, Long> truth = new TreeMap<>();
        for (Arrival arrival : arrivals) {
            truth.put(arrival.timestamp(), Double.doubleToRawLongBits(arrival.value()));
        }
        return truth;
    }

    @Property
    void chunksHoldEveryTimestampOnceWithTheLastValue(@ForAll("arrivals") List<Arrival> arrivals) {
        List<RawChunk> chunks = chunks(arrivals);

        List<Long> timestamps = new ArrayList<>();
        List<Long> valueBits = new ArrayList<>();
        for (RawChunk chunk : chunks) {
            Chunk decoded = Chunk.decode(chunk.data);
            for (int i = 0; i < decoded.size(); i++) {
                timestamps.add(decoded.timestamp(i));
                valueBits.add(Double.doubleToRawLongBits(decoded.value(i)));
            }
        }
        TreeMap<Long, Long> truth = lastValueBits(arrivals);
        assertThat(timestamps).containsExactlyElementsOf(truth.keySet());
        assertThat(valueBits).containsExactlyElementsOf(truth.values());
    }

    @Property
    void chunksAreFullExceptTheLastAndKeyedByTheDocumentedRule(
            @ForAll("arrivals") List<Arrival> arrivals) {
        List<RawChunk> chunks = chunks(arrivals);

        int distinct = lastValueBits(arrivals).size();
        assertThat(chunks).hasSize((distinct + MAX_SAMPLES - 1) / MAX_SAMPLES);
        for (int c = 0; c < chunks.size(); c++) {
            RawChunk chunk = chunks.get(c);
            Chunk decoded = Chunk.decode(chunk.data);
            int expectedCount = c < chunks.size() - 1 ? MAX_SAMPLES : distinct - c * MAX_SAMPLES;
            assertThat(chunk.count).isEqualTo(expectedCount).isEqualTo(decoded.size());
            assertThat(chunk.chunkStart).isEqualTo(c == 0 ? T0 : decoded.timestamp(0));
            assertThat(chunk.chunkEnd).isEqualTo(decoded.timestamp(decoded.size() - 1));
            assertThat(chunk.chunkEnd).isLessThan(T0 + TWO_MINUTES);
            if (c > 0) {
                assertThat(chunk.chunkStart).isGreaterThan(chunks.get(c - 1).chunkEnd);
            }
            assertThat(chunk.seriesId).isEqualTo(SERIES);
            assertThat(chunk.labels).isEqualTo(WEB_1);
            double[] numbers =
                    Arrays.stream(decoded.values()).filter(v -> !Double.isNaN(v)).toArray();
            double min = Arrays.stream(numbers).reduce(Math::min).orElse(Double.NaN);
            double max = Arrays.stream(numbers).reduce(Math::max).orElse(Double.NaN);
            assertThat(Double.compare(chunk.min, min)).isZero();
            assertThat(Double.compare(chunk.max, max)).isZero();
        }
    }

    @Property
    void chunksDependOnlyOnTheLastValuePerTimestamp(
            @ForAll("arrivals") List<Arrival> arrivals, @ForAll long shuffleSeed) {
        List<Arrival> deduplicated = new ArrayList<>();
        lastValueBits(arrivals)
                .forEach(
                        (ts, bits) ->
                                deduplicated.add(new Arrival(ts, Double.longBitsToDouble(bits))));
        Collections.shuffle(deduplicated, new Random(shuffleSeed));

        assertThat(chunks(deduplicated)).isEqualTo(chunks(arrivals));
    }
}
