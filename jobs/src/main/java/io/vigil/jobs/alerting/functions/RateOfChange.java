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
 *
 * <p>There is no rate until the samples cover the whole window: a rate over the first seconds of a
 * 30-minute window is the noise of two samples, not a trend, and a rule on it would go pending and
 * resolve on every wobble (a fleet of new series did just that). A series that was silent for
 * longer than the window starts over.
 */
public final class RateOfChange {
    /**
     * Samples kept per window, spread over it; only if samples come closer than the spacing allows
     * (never, by construction) would the oldest go and shorten the window.
     */
    static final int MAX_SAMPLES = 512;

    private RateOfChange() {}

    /**
     * Adds a sample (in time order; older ones are the caller's to skip) and returns the rate in
     * units per second over the window ending at it, or NaN while the samples since the series
     * (re)started do not cover the window yet.
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
        int kept = times.length - keepFrom;
        if (kept == 0) {
            state.rateSince = timestamp;
        } else if (state.rateSince == RuleState.NONE) {
            state.rateSince = times[keepFrom];
        }
        // The samples kept are spread over the window, at least window / MAX_SAMPLES apart (the
        // newest excepted, which the next sample replaces while it is closer than that to the one
        // before it): so a 30-minute window at a 1 s scrape still spans 30 minutes, in 512 samples.
        long spacing = windowMs / MAX_SAMPLES;
        boolean replaceNewest =
                kept >= 2 && times[times.length - 1] - times[times.length - 2] < spacing;
        int size = replaceNewest ? kept : kept + 1;
        int dropOldest = Math.max(0, size - MAX_SAMPLES);
        keepFrom += dropOldest;
        size -= dropOldest;
        long[] newTimes = Arrays.copyOfRange(times, keepFrom, keepFrom + size);
        double[] newValues = Arrays.copyOfRange(state.rateValues, keepFrom, keepFrom + size);
        newTimes[size - 1] = timestamp;
        newValues[size - 1] = adjusted;
        state.rateTimes = newTimes;
        state.rateValues = newValues;
        kept = size - 1;

        if (kept == 0 || timestamp - state.rateSince < windowMs) {
            return Double.NaN;
        }
        return (adjusted - newValues[0]) / ((timestamp - newTimes[0]) / 1000.0);
    }
}
