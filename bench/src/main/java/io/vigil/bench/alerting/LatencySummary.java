package io.vigil.bench.alerting;

import io.vigil.bench.measure.Percentiles;
import java.util.Collection;
import java.util.OptionalDouble;

/** p50, p90, p99 and max of latencies in milliseconds, as the report prints them. */
public final class LatencySummary {
    private final Percentiles percentiles;

    public LatencySummary(Collection<Long> latenciesMillis) {
        this.percentiles = new Percentiles(latenciesMillis);
    }

    public int count() {
        return percentiles.count();
    }

    /** Nearest-rank percentile in ms; empty without latencies. */
    public OptionalDouble at(double percent) {
        return percentiles.at(percent);
    }

    /** {@code 412 / 530 / 890 / 1 204 ms} (p50 / p90 / p99 / max), or {@code none}. */
    public String percentilesText() {
        if (count() == 0) {
            return "none";
        }
        return String.format(
                "%s / %s / %s / %s ms",
                ms(percentiles.at(50)),
                ms(percentiles.at(90)),
                ms(percentiles.at(99)),
                ms(percentiles.max()));
    }

    /** Whether the p99 is at most {@code limitMillis}; false without latencies. */
    public boolean p99AtMost(long limitMillis) {
        return count() > 0 && percentiles.at(99).getAsDouble() <= limitMillis;
    }

    private static String ms(OptionalDouble value) {
        return String.format("%,.0f", value.getAsDouble()).replace(',', ' ');
    }
}
