package io.vigil.bench.pipeline;

import io.vigil.bench.Fleet;
import io.vigil.bench.FleetSimulator;
import java.time.Duration;

/**
 * What one pipeline benchmark run does: the workload both systems get, and how long to warm up,
 * measure and profile.
 *
 * @param hosts simulated hosts
 * @param seriesPerHost series each host reports
 * @param rate samples per second in total (sets the step: every series once per step)
 * @param warmUp at least this long before measuring (rounded up to the next whole minute)
 * @param measure how long to measure (rounded up to whole minutes)
 * @param profile how long to record a JFR profile after the measured period (zero: none)
 * @param latencySeries series whose rollup latency is followed
 * @param prometheusTargets scrape targets the fleet is split into for Prometheus
 */
public record BenchSettings(
        int hosts,
        int seriesPerHost,
        double rate,
        Duration warmUp,
        Duration measure,
        Duration profile,
        int latencySeries,
        int prometheusTargets) {

    public BenchSettings {
        if (hosts < 1 || seriesPerHost < 1 || rate <= 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "hosts (%s), series per host (%s) and rate (%s) must be positive",
                            hosts, seriesPerHost, rate));
        }
        if (measure.isNegative() || measure.isZero() || warmUp.isNegative()) {
            throw new IllegalArgumentException(
                    String.format(
                            "the measured period (%s) must be positive, the warm-up (%s) not"
                                    + " negative",
                            measure, warmUp));
        }
    }

    public Fleet fleet() {
        return new Fleet(hosts, seriesPerHost);
    }

    /** The step that gives the rate: every series reports once per step. */
    public Duration step() {
        return FleetSimulator.stepFor(fleet(), rate);
    }

    /** The rate the step really gives (the step is a whole number of milliseconds). */
    public double effectiveRate() {
        return (double) hosts * seriesPerHost * 1000.0 / step().toMillis();
    }
}
