package io.vigil.connectors.chunks;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators for the property tests: series of 0 to 500 samples whose values cover every bit
 * pattern a double can have and whose timestamps are non-decreasing but otherwise anything, from a
 * steady scrape to gaps spanning the whole range of {@code long}; and series of decimals, as
 * exporters print them, which the encoder may write in the decimal format.
 *
 * <p>Edge cases are mixed in explicitly, at every level, instead of relying on jqwik's: jqwik
 * derives well over a thousand edge cases from a flatMap over arrays, which slowed the properties
 * down and logged a warning for each.
 */
final class SeriesArbitraries {

    static final int MAX_SIZE = 500;

    /** Doubles that codecs tend to get wrong, as raw bits so that no NaN payload is lost. */
    private static final List<Long> EDGE_VALUE_BITS =
            List.of(
                    Double.doubleToRawLongBits(Double.NaN),
                    0x7ff0_0000_0000_0001L, // signalling NaN, smallest payload
                    0xfff8_0000_0000_0000L, // quiet NaN with the sign bit set
                    0x7fff_ffff_ffff_ffffL, // NaN with every payload bit set
                    Double.doubleToRawLongBits(Double.POSITIVE_INFINITY),
                    Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY),
                    Double.doubleToRawLongBits(0.0),
                    Double.doubleToRawLongBits(-0.0),
                    Double.doubleToRawLongBits(Double.MIN_VALUE),
                    Double.doubleToRawLongBits(-Double.MIN_VALUE),
                    0x000f_ffff_ffff_ffffL, // largest subnormal
                    Double.doubleToRawLongBits(Double.MIN_NORMAL),
                    Double.doubleToRawLongBits(Double.MAX_VALUE),
                    Double.doubleToRawLongBits(-Double.MAX_VALUE),
                    Double.doubleToRawLongBits(1.0),
                    Double.doubleToRawLongBits(-1.0));

    private SeriesArbitraries() {}

    /** Any series: any doubles, or decimals, so that both formats get written. */
    static Arbitrary<Series> series() {
        return Arbitraries.frequencyOf(
                        Tuple.of(3, series(SeriesArbitraries::values)),
                        Tuple.of(2, series(SeriesArbitraries::decimals)))
                .withoutEdgeCases();
    }

    /**
     * Series whose values all parse from decimal text with the same number of fraction digits k (0
     * to {@link ChunkFormat#MAX_SCALE}), as integers m below 2^53 times 10^-k.
     */
    static Arbitrary<Series> decimalSeries() {
        return series(SeriesArbitraries::decimals).withoutEdgeCases();
    }

    /** The double that the text of {@code unscaled} * 10^-{@code scale} parses to. */
    static double parseDecimal(long unscaled, int scale) {
        return Double.parseDouble(BigDecimal.valueOf(unscaled, scale).toString());
    }

    private static Arbitrary<Series> series(IntFunction<Arbitrary<double[]>> values) {
        Arbitrary<Integer> sizes =
                Arbitraries.frequencyOf(
                        Tuple.of(1, Arbitraries.of(0, 1, 2, MAX_SIZE)),
                        Tuple.of(9, Arbitraries.integers().between(0, MAX_SIZE)));
        return sizes.flatMap(
                size -> Combinators.combine(timestamps(size), values.apply(size)).as(Series::new));
    }

    /**
     * Decimals at one scale: random walks with steps from single units to millions, which the
     * decimal format compresses well, and unrelated integers from the whole range, which it does
     * not, so that the encoder has a real choice to make.
     */
    private static Arbitrary<double[]> decimals(int size) {
        Arbitrary<Integer> scales = Arbitraries.integers().between(0, ChunkFormat.MAX_SCALE);
        Arbitrary<long[]> unscaled =
                Arbitraries.oneOf(
                        randomWalks(size),
                        Arbitraries.longs()
                                .between(-ChunkFormat.MAX_UNSCALED, ChunkFormat.MAX_UNSCALED)
                                .array(long[].class)
                                .ofSize(size));
        return Combinators.combine(unscaled, scales)
                .as(
                        (integers, scale) -> {
                            double[] values = new double[size];
                            for (int i = 0; i < size; i++) {
                                values[i] = parseDecimal(integers[i], scale);
                            }
                            return values;
                        });
    }

    /** Walks from anywhere in range, with unchanged values and steps up to a given size. */
    private static Arbitrary<long[]> randomWalks(int size) {
        Arbitrary<Long> starts =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                1,
                                Arbitraries.of(
                                        0L, ChunkFormat.MAX_UNSCALED, -ChunkFormat.MAX_UNSCALED)),
                        Tuple.of(
                                4,
                                Arbitraries.longs()
                                        .between(
                                                -ChunkFormat.MAX_UNSCALED,
                                                ChunkFormat.MAX_UNSCALED)),
                        Tuple.of(4, Arbitraries.longs().between(-100_000, 100_000)));
        Arbitrary<Long> maxSteps = Arbitraries.of(0L, 1L, 10L, 100L, 5_000L, 1_000_000L, 1L << 40);
        Arbitrary<Long> multiples = Arbitraries.of(1L, 1L, 5L, 4096L);
        return Combinators.combine(starts, maxSteps, multiples, Arbitraries.randoms())
                .as(
                        (start, maxStep, multiple, random) -> {
                            long[] walk = new long[size];
                            long current = start;
                            for (int i = 0; i < size; i++) {
                                long step =
                                        maxStep == 0
                                                ? 0
                                                : multiple * (random.nextLong() % (maxStep + 1));
                                long next = current + step;
                                // Turn back at the ends of the range instead of leaving it.
                                current =
                                        Math.abs(next) <= ChunkFormat.MAX_UNSCALED
                                                ? next
                                                : current - step;
                                walk[i] = current;
                            }
                            return walk;
                        });
    }

    private static Arbitrary<long[]> timestamps(int size) {
        return Arbitraries.oneOf(steppedTimestamps(size), sortedTimestamps(size));
    }

    private static Arbitrary<double[]> values(int size) {
        Arbitrary<Double> value =
                Arbitraries.frequencyOf(
                        // Every bit pattern: NaN payloads, subnormals, infinities, both zeros.
                        Tuple.of(4, Arbitraries.longs().map(Double::longBitsToDouble)),
                        Tuple.of(2, Arbitraries.of(EDGE_VALUE_BITS).map(Double::longBitsToDouble)),
                        // Few distinct values, so that repeats exercise the '0' path.
                        Tuple.of(3, Arbitraries.integers().between(0, 3).map(i -> (double) i)),
                        // Metric-like values, so that windows get reused ('10').
                        Tuple.of(3, Arbitraries.doubles().between(0, 100).ofScale(2)));
        return value.array(double[].class).ofSize(size);
    }

    /**
     * From any start, steps that are scrape intervals, small or zero (duplicates), or huge. A step
     * that would pass {@link Long#MAX_VALUE} stops there instead, so series that reach the end of
     * time repeat it.
     */
    private static Arbitrary<long[]> steppedTimestamps(int size) {
        if (size == 0) {
            return Arbitraries.just(new long[0]);
        }
        Arbitrary<Long> steps =
                Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.just(0L)),
                        Tuple.of(5, Arbitraries.longs().between(9_900, 10_100)),
                        Tuple.of(3, Arbitraries.longs().between(0, 1_000)),
                        Tuple.of(2, Arbitraries.longs().between(0, Long.MAX_VALUE)),
                        Tuple.of(1, Arbitraries.just(Long.MAX_VALUE)));
        return Combinators.combine(anyTimestamp(), steps.array(long[].class).ofSize(size - 1))
                .as(
                        (start, gaps) -> {
                            long[] timestamps = new long[size];
                            timestamps[0] = start;
                            for (int i = 1; i < size; i++) {
                                long previous = timestamps[i - 1];
                                timestamps[i] =
                                        gaps[i - 1] > Long.MAX_VALUE - previous
                                                ? Long.MAX_VALUE
                                                : previous + gaps[i - 1];
                            }
                            return timestamps;
                        });
    }

    /** Sorted arbitrary longs: gaps up to the full unsigned 64-bit range of a delta. */
    private static Arbitrary<long[]> sortedTimestamps(int size) {
        return anyTimestamp()
                .array(long[].class)
                .ofSize(size)
                .map(
                        timestamps -> {
                            long[] sorted = timestamps.clone();
                            Arrays.sort(sorted);
                            return sorted;
                        });
    }

    private static Arbitrary<Long> anyTimestamp() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE)),
                Tuple.of(9, Arbitraries.longs()));
    }
}
