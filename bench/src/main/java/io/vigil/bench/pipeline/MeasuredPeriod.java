package io.vigil.bench.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The measured period of a run: from a whole minute to a whole minute. Vigil's job does its
 * heaviest work once a minute (every series' window fires together 30 s after the minute ends), so
 * a period of whole minutes holds each kind of work equally often, and its boundaries fall in the
 * quiet half of the minute (before the burst, after the previous one has been written).
 */
public record MeasuredPeriod(Instant start, Instant end) {

    /** The first period that starts at least {@code warmUp} after {@code now}. */
    public static MeasuredPeriod after(Instant now, Duration warmUp, Duration measure) {
        Instant start = ceilToMinute(now.plus(warmUp));
        long minutes = Math.max(1, (measure.toSeconds() + 59) / 60);
        return new MeasuredPeriod(start, start.plus(Duration.ofMinutes(minutes)));
    }

    private static Instant ceilToMinute(Instant instant) {
        Instant floor = instant.truncatedTo(ChronoUnit.MINUTES);
        return floor.equals(instant) ? floor : floor.plus(Duration.ofMinutes(1));
    }

    public double seconds() {
        return Duration.between(start, end).toMillis() / 1000.0;
    }
}
