package io.vigil.bench;

import io.vigil.schemas.MetricSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The samples a {@link Fleet} reports: every series once per {@code step}, with values that are a
 * pure function of (seed, series, time), so any part of a workload can be regenerated exactly.
 *
 * <p>Disorder: a fraction of samples is delivered late by up to {@code maxDelay}, as a slow agent
 * or a retry would, so that consumers see out-of-order event times.
 */
public final class Workload {
    private final Fleet fleet;
    private final Duration step;
    private final long seed;
    private final double disorderedFraction;
    private final Duration maxDelay;

    /**
     * @param fleet who reports
     * @param step interval between two samples of a series
     * @param seed makes values and disorder reproducible
     * @param disorderedFraction share of samples delivered late, in [0, 1]
     * @param maxDelay the most a late sample is delayed by
     */
    public Workload(
            Fleet fleet, Duration step, long seed, double disorderedFraction, Duration maxDelay) {
        if (step.isNegative() || step.isZero()) {
            throw new IllegalArgumentException("step must be positive, was " + step);
        }
        if (disorderedFraction < 0 || disorderedFraction > 1) {
            throw new IllegalArgumentException(
                    "disorderedFraction must be in [0, 1], was " + disorderedFraction);
        }
        this.fleet = fleet;
        this.step = step;
        this.seed = seed;
        this.disorderedFraction = disorderedFraction;
        this.maxDelay = maxDelay;
    }

    public Fleet fleet() {
        return fleet;
    }

    /** The value of a series at a tick (the n-th step since the epoch). */
    public double value(Fleet.Series series, long tick) {
        Fleet.Metric metric = series.metric();
        SplittableRandom random = randomFor(series.index(), tick);
        double seconds = tick * (step.toMillis() / 1000.0);
        if (metric.kind() == Fleet.Kind.COUNTER) {
            // Monotonic: the rate wobbles by series, the total only grows.
            double rate = metric.spread() * (0.5 + (series.index() % 7) / 7.0);
            return metric.quantise(Math.floor(rate * seconds + random.nextDouble() * rate));
        }
        if (metric.kind() == Fleet.Kind.FILL) {
            // A sawtooth of 4 to 10 hours per series, at a phase of its own.
            double period = 3600.0 * (4 + series.index() % 7);
            double filled = ((seconds + series.index() * 977.0) % period) / period;
            return metric.quantise(
                    metric.level()
                            + metric.spread() * filled
                            + 0.0005 * (random.nextDouble() - 0.5));
        }
        double phase = (series.index() % 60) / 60.0 * 2 * Math.PI;
        double wave = Math.sin(2 * Math.PI * seconds / 3600.0 + phase);
        return metric.quantise(
                metric.level()
                        + metric.spread() * (0.6 * wave + 0.4 * (random.nextDouble() - 0.5)));
    }

    /** A sample of a series at a tick. */
    public MetricSample sample(Fleet.Series series, long tick) {
        return MetricSample.newBuilder()
                .setName(series.metric().name())
                .setLabels(series.labels())
                .setValue(value(series, tick))
                .setTimestamp(tick * step.toMillis())
                .build();
    }

    /** The tick at or after an instant. */
    public long tickAtOrAfter(Instant instant) {
        return Math.floorDiv(instant.toEpochMilli() + step.toMillis() - 1, step.toMillis());
    }

    /**
     * Every sample with an event time in [from, to), in delivery order: event time, except that the
     * disordered fraction is delivered up to {@code maxDelay} later.
     */
    public List<Delivery> deliveries(Instant from, Instant to) {
        List<Delivery> deliveries = new ArrayList<>();
        for (long tick = tickAtOrAfter(from); tick * step.toMillis() < to.toEpochMilli(); tick++) {
            for (Fleet.Series series : fleet.series()) {
                MetricSample sample = sample(series, tick);
                long deliverAt = sample.getTimestamp() + delayOf(series.index(), tick);
                deliveries.add(new Delivery(series, sample, deliverAt));
            }
        }
        deliveries.sort(Comparator.comparingLong(Delivery::deliverAt));
        return deliveries;
    }

    private long delayOf(int seriesIndex, long tick) {
        if (disorderedFraction == 0) {
            return 0;
        }
        SplittableRandom random = randomFor(seriesIndex, ~tick);
        if (random.nextDouble() >= disorderedFraction) {
            return 0;
        }
        return 1 + random.nextLong(Math.max(1, maxDelay.toMillis()));
    }

    private SplittableRandom randomFor(int seriesIndex, long tick) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + seriesIndex * 1_000_003L + tick);
    }

    /** A sample of a series and when it is delivered, ms since the epoch. */
    public record Delivery(Fleet.Series series, MetricSample sample, long deliverAt) {}
}
