package io.vigil.jobs.rollup.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.LongRange;

/**
 * A {@link SeriesBuffer} reads back what was appended, whatever the arrival order: sorted by time,
 * one sample per timestamp with the value that arrived last, and what {@link
 * SeriesBuffer#drainEndingBy} returns is gone.
 *
 * <p>Examples and properties are both jqwik's ({@code @Example} is its {@code @Test}), so that one
 * engine runs the class.
 */
class SeriesBufferTest {
    private static final long T0 = 1_764_064_800_000L; // 2025-11-25T10:00:00Z, a 2-minute boundary
    private static final long TEN_SECONDS = 10_000;
    private static final long TWO_MINUTES = 120_000;
    private static final long TWO_MINUTES_LATER = T0 + TWO_MINUTES;
    private static final long FOUR_MINUTES_LATER = T0 + 2 * TWO_MINUTES;

    /** The span of time the generated samples fall in: three chunk intervals. */
    private static final long SPAN = 3 * TWO_MINUTES;

    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");

    /** One sample as it arrives. */
    record Arrival(long timestamp, double value) {}

    @Provide
    Arbitrary<List<Arrival>> arrivals() {
        // Narrow ranges of timestamps force duplicates; the widest crosses interval boundaries.
        Arbitrary<Long> spans = Arbitraries.of(10L, 300L, TWO_MINUTES, SPAN);
        Arbitrary<Double> values =
                Arbitraries.oneOf(
                        Arbitraries.of(0.0, -0.0, 1.5, Double.NaN, Double.NEGATIVE_INFINITY),
                        Arbitraries.longs().map(Double::longBitsToDouble),
                        Arbitraries.integers().between(0, 100).map(i -> i / 10.0));
        return spans.flatMap(
                        span ->
                                Combinators.combine(
                                                // Around a boundary as often as within one.
                                                Arbitraries.longs()
                                                        .between(0, span - 1)
                                                        .map(t -> T0 + SPAN - span + t),
                                                values)
                                        .as(Arrival::new)
                                        .list()
                                        .ofMaxSize(300)
                                        .withSizeDistribution(RandomDistribution.uniform()))
                .withoutEdgeCases();
    }

    private static SeriesBuffer buffer(List<Arrival> arrivals) {
        SeriesBuffer buffer = new SeriesBuffer("cpu", WEB_1);
        for (Arrival arrival : arrivals) {
            buffer.add(arrival.timestamp(), arrival.value());
        }
        return buffer;
    }

    /** The model: each timestamp once, to the raw bits of the value that arrived last for it. */
    private static TreeMap<Long, Long> lastValueBits(List<Arrival> arrivals) {
        TreeMap<Long, Long> truth = new TreeMap<>();
        for (Arrival arrival : arrivals) {
            truth.put(arrival.timestamp(), Double.doubleToRawLongBits(arrival.value()));
        }
        return truth;
    }

    /** An interval as the model: timestamp to raw bits of the value, in its order. */
    private static TreeMap<Long, Long> asModel(SeriesBuffer.Interval interval) {
        TreeMap<Long, Long> model = new TreeMap<>();
        for (int i = 0; i < interval.size(); i++) {
            model.put(interval.timestamps()[i], Double.doubleToRawLongBits(interval.values()[i]));
        }
        return model;
    }

    private static void assertSortedAndUnique(SeriesBuffer.Interval interval) {
        assertThat(interval.timestamps()).isSorted().doesNotHaveDuplicates();
        assertThat(interval.values()).hasSameSizeAs(interval.timestamps());
    }

    @Property
    void betweenGivesTheRangeSortedWithTheLastValuePerTimestampAndKeepsIt(
            @ForAll("arrivals") List<Arrival> arrivals,
            @ForAll @LongRange(min = -10, max = SPAN + 10) long from,
            @ForAll @LongRange(min = 0, max = SPAN + 20) long length) {
        SeriesBuffer buffer = buffer(arrivals);
        long start = T0 + from;
        long end = start + length;

        SeriesBuffer.Interval interval = buffer.between(start, end);

        SortedMap<Long, Long> expected = lastValueBits(arrivals).subMap(start, end);
        if (expected.isEmpty()) {
            assertThat(interval).isNull();
        } else {
            assertSortedAndUnique(interval);
            assertThat(asModel(interval)).containsExactlyEntriesOf(expected);
        }
        // Reading does not consume: every arrival is still buffered, and reads the same.
        assertThat(buffer.size).isEqualTo(arrivals.size());
        assertThat(buffer.between(start, end)).isEqualTo(interval);
    }

    @Property
    void drainEndingByGivesEachClosedIntervalSortedAndRemovesIt(
            @ForAll("arrivals") List<Arrival> arrivals,
            @ForAll @LongRange(min = -10, max = SPAN + 10) long until) {
        SeriesBuffer buffer = buffer(arrivals);
        long end = T0 + until;

        SortedMap<Long, SeriesBuffer.Interval> drained = buffer.drainEndingBy(end, TWO_MINUTES);

        TreeMap<Long, Long> truth = lastValueBits(arrivals);
        TreeMap<Long, TreeMap<Long, Long>> expected = new TreeMap<>();
        TreeMap<Long, Long> left = new TreeMap<>();
        for (Map.Entry<Long, Long> sample : truth.entrySet()) {
            long intervalStart = Math.floorDiv(sample.getKey(), TWO_MINUTES) * TWO_MINUTES;
            if (intervalStart + TWO_MINUTES <= end) {
                expected.computeIfAbsent(intervalStart, s -> new TreeMap<>())
                        .put(sample.getKey(), sample.getValue());
            } else {
                left.put(sample.getKey(), sample.getValue());
            }
        }
        assertThat(drained.keySet()).containsExactlyElementsOf(expected.keySet());
        drained.forEach(
                (intervalStart, interval) -> {
                    assertSortedAndUnique(interval);
                    assertThat(asModel(interval))
                            .containsExactlyEntriesOf(expected.get(intervalStart));
                });

        // What was drained is gone; the rest stays, every arrival of it.
        long stillOpen =
                arrivals.stream()
                        .filter(
                                a ->
                                        Math.floorDiv(a.timestamp(), TWO_MINUTES) * TWO_MINUTES
                                                        + TWO_MINUTES
                                                > end)
                        .count();
        assertThat(buffer.size).isEqualTo(stillOpen);
        assertThat(buffer.drainEndingBy(end, TWO_MINUTES)).isEmpty();
        SeriesBuffer.Interval rest = buffer.between(Long.MIN_VALUE, Long.MAX_VALUE);
        if (left.isEmpty()) {
            assertThat(rest).isNull();
        } else {
            assertThat(asModel(rest)).containsExactlyEntriesOf(left);
        }
    }

    @Example
    void betweenReadsNothingOutsideItsRange() {
        SeriesBuffer buffer = new SeriesBuffer("cpu", WEB_1);
        buffer.add(T0 + TEN_SECONDS, 1);

        assertThat(buffer.between(T0, T0 + TEN_SECONDS)).as("the end is exclusive").isNull();
        assertThat(buffer.between(T0 + TEN_SECONDS, T0 + 2 * TEN_SECONDS).timestamps())
                .as("the start inclusive")
                .containsExactly(T0 + TEN_SECONDS);
    }

    @Example
    void theLaterArrivalWinsAmongEqualTimestamps() {
        SeriesBuffer buffer = new SeriesBuffer("cpu", WEB_1);
        buffer.add(T0 + 2 * TEN_SECONDS, 5);
        buffer.add(T0 + TEN_SECONDS, 1);
        buffer.add(T0 + 2 * TEN_SECONDS, 7); // a corrected resend
        buffer.add(T0 + TEN_SECONDS, 1); // a collector's retry

        SeriesBuffer.Interval interval = buffer.between(T0, TWO_MINUTES_LATER);

        assertThat(interval.timestamps()).containsExactly(T0 + TEN_SECONDS, T0 + 2 * TEN_SECONDS);
        assertThat(interval.values()).containsExactly(1.0, 7.0);
    }

    @Example
    void drainsWholeIntervalsEndingByTheGivenEndOnly() {
        SeriesBuffer buffer = new SeriesBuffer("cpu", WEB_1);
        buffer.add(TWO_MINUTES_LATER, 3); // the first millisecond of the second interval
        buffer.add(TWO_MINUTES_LATER - 1, 2); // the last of the first
        buffer.add(T0, 1);
        buffer.add(FOUR_MINUTES_LATER, 4);

        // The second interval ends one millisecond too late.
        SortedMap<Long, SeriesBuffer.Interval> first =
                buffer.drainEndingBy(FOUR_MINUTES_LATER - 1, TWO_MINUTES);
        assertThat(first.keySet()).containsExactly(T0);
        assertThat(first.get(T0).timestamps()).containsExactly(T0, TWO_MINUTES_LATER - 1);
        assertThat(buffer.size).isEqualTo(2);

        SortedMap<Long, SeriesBuffer.Interval> second =
                buffer.drainEndingBy(FOUR_MINUTES_LATER, TWO_MINUTES);
        assertThat(second.keySet()).containsExactly(TWO_MINUTES_LATER);
        assertThat(second.get(TWO_MINUTES_LATER).values()).containsExactly(3.0);
        assertThat(buffer.between(T0, T0 + 3 * TWO_MINUTES).timestamps())
                .containsExactly(FOUR_MINUTES_LATER);
    }

    @Example
    void aSeriesThatHadABurstGivesItsCapacityBack() {
        SeriesBuffer buffer = new SeriesBuffer("cpu", WEB_1);
        for (int i = 0; i < 1_000; i++) {
            buffer.add(T0 + i * 100L, i);
        }

        buffer.drainEndingBy(TWO_MINUTES_LATER, TWO_MINUTES);

        // The arrays sit in keyed state: a burst must not stay in every checkpoint.
        assertThat(buffer.size).isZero();
        assertThat(buffer.timestamps).isEmpty();
        assertThat(buffer.values).isEmpty();
        buffer.add(TWO_MINUTES_LATER, 1);
        assertThat(buffer.between(TWO_MINUTES_LATER, FOUR_MINUTES_LATER).values())
                .containsExactly(1.0);
    }

    @Example
    void isEmptyOnlyWithNeitherSamplesNorACounterBaseline() {
        SeriesBuffer buffer = new SeriesBuffer("requests_total", WEB_1);
        assertThat(buffer.isEmpty()).isTrue();

        buffer.add(T0, 1);
        assertThat(buffer.isEmpty()).isFalse();

        buffer.counterTimestamp = T0;
        buffer.drainEndingBy(TWO_MINUTES_LATER, TWO_MINUTES);
        assertThat(buffer.isEmpty()).as("the baseline of the next window").isFalse();

        buffer.counterTimestamp = SeriesBuffer.NO_BASELINE;
        assertThat(buffer.isEmpty()).isTrue();
    }
}
