package io.vigil.bench;

import io.vigil.schemas.MetricSample;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Plays a {@link Workload} in real time: at every step boundary each series of the fleet reports
 * one sample stamped with that boundary, as a fleet of agents scraping on a common interval does.
 */
public final class FleetSimulator {
    /**
     * Follows chosen samples into Kafka, for benchmarks that time them through the pipeline: learns
     * when the broker acknowledged each of them.
     */
    public interface Tracer {
        /** Follows no sample. */
        Tracer NONE =
                new Tracer() {
                    @Override
                    public boolean follows(Fleet.Series series, long tick) {
                        return false;
                    }

                    @Override
                    public void acknowledged(Fleet.Series series, long tick, long wallMillis) {}
                };

        /** Whether to follow this sample; asked for every sample sent, so it must be cheap. */
        boolean follows(Fleet.Series series, long tick);

        /**
         * Whether to follow this sample, as sent (incidents applied); by default {@link
         * #follows(Fleet.Series, long)}.
         */
        default boolean follows(Fleet.Series series, long tick, MetricSample sent) {
            return follows(series, tick);
        }

        /**
         * Kafka acknowledged a followed sample at {@code wallMillis} (ms since the epoch). Called
         * on the producer's I/O thread.
         */
        void acknowledged(Fleet.Series series, long tick, long wallMillis);
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
     * @param tracer follows chosen samples until Kafka acknowledges them
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
            for (Fleet.Series series : workload.fleet().series()) {
                MetricSample sample = workload.sample(series, tick);
                for (Incident incident : incidents) {
                    sample = incident.apply(sample, series.host(), elapsed).orElse(null);
                    if (sample == null) {
                        break;
                    }
                }
                if (sample == null) {
                    continue;
                }
                sentThisTick++;
                if (tracer.follows(series, tick, sample)) {
                    long followedTick = tick;
                    writer.send(sample, at -> tracer.acknowledged(series, followedTick, at));
                } else {
                    writer.send(sample);
                }
            }
            sent += sentThisTick;
            tick++;
        }
        writer.flush();
    }
}
