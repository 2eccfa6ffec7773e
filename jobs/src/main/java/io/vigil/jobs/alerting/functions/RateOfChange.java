package io.vigil.jobs.alerting.functions;

import io.vigil.jobs.alerting.records.RuleState;
import io.vigil.jobs.rollup.functions.Counters;
import java.util.Arrays;

/**
 * The per-second rate of a series over the last {@code window_ms} of event time, for RATE rules.
 *
 * <p>Counters (by name, see {@link Counters#isCounter}) reset to zero when their process restarts;
 * a value below its predecessor is a reset, and the predecessor is added back to every later value,
 * as Prometheus' {@code rate()} does, so a restart never shows as a huge negative rate. Gauges are
 * taken as they are, so a sudden drop is a negative rate that a rule with {@code LT} and a negative
 * threshold catches.
 */
public final class RateOfChange {
    /** Samples kept per window; beyond it the oldest go, shortening the window. */
    static final int MAX_SAMPLES = 512;

    private RateOfChange() {}

    /**
     * Adds a sample (in time order; older ones are the caller's to skip) and returns the rate in
     * units per second over the window ending at it, or NaN while the window holds fewer than two
     * samples.
     */
    public static double add(
            RuleState state, String metric, long windowMs, long timestamp, double value) {
        if (Counters.isCounter(metric) && !Double.isNaN(state.lastRaw) && value < state.lastRaw) {
            state.counterOffset += state.lastRaw;
        }
        state.lastRaw = value;
        double adjusted = value + state.counterOffset;

        int keepFrom = 0;
        long[] times = state.rateTimes;
        while (keepFrom < times.length && times[keepFrom] < timestamp - windowMs) {
            keepFrom++;
        }
        keepFrom = Math.max(keepFrom, times.length + 1 - MAX_SAMPLES);
        int kept = times.length - keepFrom;
        long[] newTimes = Arrays.copyOfRange(times, keepFrom, keepFrom + kept + 1);
        double[] newValues = Arrays.copyOfRange(state.rateValues, keepFrom, keepFrom + kept + 1);
        newTimes[kept] = timestamp;
        newValues[kept] = adjusted;
        state.rateTimes = newTimes;
        state.rateValues = newValues;

        if (kept == 0 || timestamp == newTimes[0]) {
            return Double.NaN;
        }
        return (adjusted - newValues[0]) / ((timestamp - newTimes[0]) / 1000.0);
    }
}
