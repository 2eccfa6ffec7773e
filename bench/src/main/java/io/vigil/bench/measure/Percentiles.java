package io.vigil.bench.measure;

import java.util.Arrays;
import java.util.Collection;
import java.util.OptionalDouble;

/** Nearest-rank percentiles of a set of measurements. */
public final class Percentiles {
    private final double[] sorted;

    public Percentiles(Collection<? extends Number> values) {
        this.sorted = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
    }

    public int count() {
        return sorted.length;
    }

    /**
     * The smallest value that at least {@code percent} % of the values are at or below (the
     * nearest-rank definition: with 100 values, p99 is the 99th smallest).
     *
     * @return empty if there are no values
     */
    public OptionalDouble at(double percent) {
        if (sorted.length == 0) {
            return OptionalDouble.empty();
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return OptionalDouble.of(sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))]);
    }

    public OptionalDouble max() {
        return sorted.length == 0
                ? OptionalDouble.empty()
                : OptionalDouble.of(sorted[sorted.length - 1]);
    }

    @Override
    public String toString() {
        return Arrays.toString(sorted);
    }
}
