package io.vigil.jobs.alerting.functions;

import io.vigil.jobs.alerting.records.RuleState;

/**
 * An exponentially weighted mean and variance (West's incremental form), the baseline of ANOMALY
 * and SPIKE rules. With smoothing factor alpha, a value counts about 1/alpha observations long.
 */
public final class Baseline {
    private Baseline() {}

    /**
     * The z-score of a value against the baseline before it, then adds the value to the baseline.
     * NaN until the baseline has {@code minSamples} values. A baseline without variance (a constant
     * series) scores its own value 0 and any other value infinite.
     */
    public static double scoreAndAdd(RuleState state, double alpha, int minSamples, double value) {
        double score = Double.NaN;
        if (state.baselineSamples >= minSamples) {
            double deviation = value - state.mean;
            score =
                    state.variance > 0
                            ? deviation / Math.sqrt(state.variance)
                            : deviation == 0
                                    ? 0
                                    : Math.copySign(Double.POSITIVE_INFINITY, deviation);
        }
        add(state, alpha, value);
        return score;
    }

    /** Adds a value to the baseline; the first value is the mean. */
    public static void add(RuleState state, double alpha, double value) {
        if (state.baselineSamples == 0) {
            state.mean = value;
            state.variance = 0;
        } else {
            double deviation = value - state.mean;
            double increment = alpha * deviation;
            state.mean += increment;
            state.variance = (1 - alpha) * (state.variance + deviation * increment);
        }
        state.baselineSamples++;
    }
}
