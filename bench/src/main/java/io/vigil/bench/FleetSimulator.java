package io.vigil.bench;

import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Plays a {@link Workload} in real time: at every step boundary each series of the fleet reports
 * one sample stamped with that boundary, as a fleet of agents scraping on a common interval does.
 */
public final class FleetSimulator {
    private final Workload workload;
    private final SampleWriter writer;
    private final Clock clock;
    private final Duration step;
    private volatile long sent;

    /**
     * @param workload what to send
     * @param step interval between two samples of a series (the workload's step)
     * @param writer where to send it
     * @param clock wall clock
     */
    public FleetSimulator(Workload workload, Duration step, SampleWriter writer, Clock clock) {
        this.workload = workload;
        this.step = step;
        this.writer = writer;
        this.clock = clock;
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
        long end = clock.millis() + duration.toMillis();
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
            for (Fleet.Series series : workload.fleet().series()) {
                writer.send(workload.sample(series, tick));
            }
            sent += workload.fleet().series().size();
            tick++;
        }
        writer.flush();
    }
}
