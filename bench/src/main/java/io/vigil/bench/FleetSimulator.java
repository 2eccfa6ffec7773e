package io.vigil.bench;

import io.vigil.schemas.MetricBatch;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Plays a {@link Workload} in real time: at every step boundary each host of the fleet sends one
 * batch of all its series stamped with that boundary, as a fleet of agents collecting on a common
 * interval does.
 */
public final class FleetSimulator {
    /**
     * Follows chosen batches into Kafka, for benchmarks that time them through the pipeline: learns
     * when the broker acknowledged each of them. A sample is followed through the batch it is in.
     */
    public interface Tracer {
        /** Follows no batch. */
        Tracer NONE =
                new Tracer() {
                    @Override
                    public boolean follows(Fleet.Host host, long tick, MetricBatch sent) {
                        return false;
                    }

                    @Override
                    public void acknowledged(
                            Fleet.Host host, long tick, MetricBatch sent, long wallMillis) {}
                };

        /**
         * Whether to follow this batch of a host, as sent (incidents applied); asked for every
         * batch sent, so it must be cheap.
         */
        boolean follows(Fleet.Host host, long tick, MetricBatch sent);

        /**
         * Kafka acknowledged a followed batch at {@code wallMillis} (ms since the epoch). Called on
         * the producer's I/O thread.
         */
        void acknowledged(Fleet.Host host, long tick, MetricBatch sent, long wallMillis);
    }

    private final Workload workload;
    private final SampleWriter writer;
    private final Clock clock;
    private final Duration step;
    private final Tracer tracer;
    private final List<Incident> incidents;
    private volatile long sent;

    /**
     * @param workload what to send
     * @param step interval between two samples of a series (the workload's step)
     * @param writer where to send it
     * @param clock wall clock
     */
    public FleetSimulator(Workload workload, Duration step, SampleWriter writer, Clock clock) {
        this(workload, step, writer, clock, Tracer.NONE);
    }

    /**
     * @param workload what to send
     * @param step interval between two samples of a series (the workload's step)
     * @param writer where to send it
     * @param clock wall clock
     * @param tracer follows chosen batches until Kafka acknowledges them
     */
    public FleetSimulator(
            Workload workload, Duration step, SampleWriter writer, Clock clock, Tracer tracer) {
        this(workload, step, writer, clock, tracer, List.of());
    }

    private FleetSimulator(
            Workload workload,
            Duration step,
            SampleWriter writer,
            Clock clock,
            Tracer tracer,
            List<Incident> incidents) {
        this.workload = workload;
        this.step = step;
        this.writer = writer;
        this.clock = clock;
        this.tracer = tracer;
        this.incidents = List.copyOf(incidents);
    }

    /** The same simulator with trouble injected ({@link Incident}), timed from {@link #run}. */
    public FleetSimulator withIncidents(List<Incident> injected) {
        return new FleetSimulator(workload, step, writer, clock, tracer, injected);
    }

    /** The step that makes a fleet report {@code samplesPerSecond} in total. */
    public static Duration stepFor(Fleet fleet, double samplesPerSecond) {
        if (samplesPerSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive, was " + samplesPerSecond);
        }
        long millis = Math.round(fleet.series().size() * 1000.0 / samplesPerSecond);
        return Duration.ofMillis(Math.max(1, millis));
    }

    /** Samples handed to the writer so far. */
    public long sent() {
        return sent;
    }

    /**
     * Sends until {@code stop} answers true or {@code duration} has passed.
     *
     * @throws InterruptedException if the thread is interrupted while waiting for the next step
     */
    public void run(Duration duration, BooleanSupplier stop) throws InterruptedException {
        long started = clock.millis();
        long end = started + duration.toMillis();
        long tick = workload.tickAtOrAfter(clock.instant());
        while (!stop.getAsBoolean()) {
            long due = tick * step.toMillis();
            if (due >= end) {
                break;
            }
            long wait = due - clock.millis();
            if (wait > 0) {
                Thread.sleep(Math.min(wait, 200));
                continue;
            }
            Duration elapsed = Duration.ofMillis(due - started);
            long sentThisTick = 0;
            for (Fleet.Host host : workload.fleet().hosts()) {
                MetricBatch batch = workload.batch(host, tick);
                for (Incident incident : incidents) {
                    batch = incident.apply(batch, host, elapsed).orElse(null);
                    if (batch == null) {
                        break;
                    }
                }
                if (batch == null) {
                    continue;
                }
                sentThisTick += batch.getSamples().size();
                if (tracer.follows(host, tick, batch)) {
                    long followedTick = tick;
                    MetricBatch followed = batch;
                    writer.send(batch, at -> tracer.acknowledged(host, followedTick, followed, at));
                } else {
                    writer.send(batch);
                }
            }
            sent += sentThisTick;
            tick++;
        }
        writer.flush();
    }
}
