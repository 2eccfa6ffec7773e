package io.vigil.bench;

import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
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
 * <p>Each host reports as its agent does: one {@link MetricBatch} per step ({@link #batch}), its
 * labels (host, dc, cluster, rack) shared, every series of the host a sample of it (a metric name,
 * the series' own labels if it has any, a value). All series of a host are read at the step
 * boundary, so every sample's offset is 0.
 *
 * <pre>{@code
 * Workload workload = new Workload(new Fleet(100, 10), Duration.ofSeconds(10), 1, 0.02, maxDelay);
 * for (Workload.Delivery delivery : workload.deliveries(from, to)) {
 *     writer.send(delivery.batch());
 * }
 * }</pre>
 *
 * <p>Disorder: a fraction of batches is delivered late by up to {@code maxDelay}, as a slow agent
 * or a retry would, so that consumers see out-of-order event times. A batch is late as a whole: an
 * agent sends what it read in one collection in one request.
 */
public final class Workload {
    private final Fleet fleet;
    private final Duration step;
    private final long seed;
    private final double disorderedFraction;
    private final Duration maxDelay;

    /**
     * @param fleet who reports
     * @param step interval between two samples of a series (and two batches of a host)
     * @param seed makes values and disorder reproducible
     * @param disorderedFraction share of batches delivered late, in [0, 1]
     * @param maxDelay the most a late batch is delayed by
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

    /**
     * What one host reports at a tick: a batch of all its series, in the order of {@link
     * Fleet#seriesOf}, stamped with the tick's time.
     */
    public MetricBatch batch(Fleet.Host host, long tick) {
        List<Fleet.Series> ofHost = fleet.seriesOf(host);
        MetricBatches.Builder batch = MetricBatches.builder(host.labels(), timeOf(tick));
        for (Fleet.Series series : ofHost) {
            batch.add(series.metric().name(), series.ownLabels(), value(series, tick));
        }
        return batch.build();
    }

    /**
     * One series at a tick as a stand-alone sample, with all its labels: the value Prometheus
     * scrapes from the exposition, and what tests compute their expectations from. Equal to the
     * series' sample in {@link #batch} read with {@link MetricBatches#sample}.
     */
    public MetricSample sample(Fleet.Series series, long tick) {
        return MetricSample.newBuilder()
                .setName(series.metric().name())
                .setLabels(series.labels())
                .setValue(value(series, tick))
                .setTimestamp(timeOf(tick))
                .build();
    }

    /** The time of a tick, ms since the epoch. */
    public long timeOf(long tick) {
        return tick * step.toMillis();
    }

    /** The tick at or after an instant. */
    public long tickAtOrAfter(Instant instant) {
        return Math.floorDiv(instant.toEpochMilli() + step.toMillis() - 1, step.toMillis());
    }

    /**
     * Every batch with an event time in [from, to), in delivery order: event time, except that the
     * disordered fraction is delivered up to {@code maxDelay} later. Batches due at the same moment
     * keep the fleet's host order.
     */
    public List<Delivery> deliveries(Instant from, Instant to) {
        List<Delivery> deliveries = new ArrayList<>();
        List<Fleet.Host> hosts = fleet.hosts();
        for (long tick = tickAtOrAfter(from); timeOf(tick) < to.toEpochMilli(); tick++) {
            for (int h = 0; h < hosts.size(); h++) {
                Fleet.Host host = hosts.get(h);
                MetricBatch batch = batch(host, tick);
                long deliverAt = batch.getTimestamp() + delayOf(h, tick);
                deliveries.add(new Delivery(host, fleet.seriesOf(host), batch, deliverAt));
            }
        }
        // A stable sort: what is due at the same moment stays in the fleet's order.
        deliveries.sort(Comparator.comparingLong(Delivery::deliverAt));
        return deliveries;
    }

    private long delayOf(int hostIndex, long tick) {
        if (disorderedFraction == 0) {
            return 0;
        }
        // Another stream than the values' (the tick inverted), so that lateness and values are
        // independent.
        SplittableRandom random = randomFor(hostIndex, ~tick);
        if (random.nextDouble() >= disorderedFraction) {
            return 0;
        }
        return 1 + random.nextLong(Math.max(1, maxDelay.toMillis()));
    }

    private SplittableRandom randomFor(int index, long tick) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index * 1_000_003L + tick);
    }

    /**
     * One batch of a host and when it is delivered.
     *
     * @param host the host that reports
     * @param series the series of the batch's samples: {@code series.get(i)} is sample {@code i}'s
     * @param batch what the host sends
     * @param deliverAt when it is delivered, ms since the epoch: its time, or later if late
     */
    public record Delivery(
            Fleet.Host host, List<Fleet.Series> series, MetricBatch batch, long deliverAt) {

        /** The batch's (and every one of its samples') event time, ms since the epoch. */
        public long timestamp() {
            return batch.getTimestamp();
        }
    }
}
