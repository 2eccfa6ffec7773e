package io.vigil.bench;

import io.vigil.schemas.BatchSample;
import io.vigil.schemas.MetricBatch;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Trouble injected into a simulated fleet, so that alerting has something real to find: one host,
 * from some time after the simulator starts, for some time.
 *
 * <pre>{@code
 * Incident cpu = Incident.parse("cpu-high:host-000003:PT1M:PT10M");   // kind:host:after:lasting
 * }</pre>
 *
 * <p>Kinds: {@code cpu-high} reports the host's {@code node_cpu_usage_ratio} as {@value #HIGH_CPU}
 * (above the default rule's 0.9); {@code host-down} sends none of the host's samples, as a host
 * that lost power would: its batches stop.
 *
 * <p>Writers apply an incident to each batch a host sends ({@link #apply(MetricBatch, Fleet.Host,
 * Duration)}); the exposition, which serves series one by one, to each series' value ({@link
 * #apply(Fleet.Series, double, Duration)}). Both decide alike.
 *
 * @param kind what goes wrong
 * @param host the host it happens to
 * @param after when it starts, counted from the simulator's start
 * @param lasting how long it lasts
 */
public record Incident(Kind kind, String host, Duration after, Duration lasting) {
    /** The CPU ratio a host with {@link Kind#CPU_HIGH} reports. */
    public static final double HIGH_CPU = 0.97;

    /** The metric a {@link Kind#CPU_HIGH} incident changes. */
    public static final String CPU_METRIC = "node_cpu_usage_ratio";

    /** What goes wrong. */
    public enum Kind {
        CPU_HIGH,
        HOST_DOWN
    }

    public Incident {
        if (after.isNegative() || lasting.isNegative() || lasting.isZero()) {
            throw new IllegalArgumentException(
                    String.format(
                            "incident on %s: 'after' must not be negative and 'lasting' must be"
                                    + " positive, were %s and %s",
                            host, after, lasting));
        }
    }

    /**
     * Reads {@code kind:host:after:lasting}, e.g. {@code host-down:host-000007:PT2M:PT5M}.
     *
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static Incident parse(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(
                    String.format(
                            "incident '%s' is not kind:host:after:lasting, e.g."
                                    + " cpu-high:host-000003:PT1M:PT10M",
                            spec));
        }
        Kind kind;
        try {
            kind = Kind.valueOf(parts[0].toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    String.format(
                            "incident '%s': unknown kind '%s' (cpu-high or host-down)",
                            spec, parts[0]));
        }
        if (parts[1].isBlank()) {
            throw new IllegalArgumentException(
                    String.format("incident '%s': the host is missing", spec));
        }
        return new Incident(
                kind,
                parts[1],
                duration(spec, "after", parts[2]),
                duration(spec, "lasting", parts[3]));
    }

    private static Duration duration(String spec, String what, String text) {
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    String.format(
                            "incident '%s': %s '%s' is not an ISO-8601 duration such as PT5M",
                            spec, what, text));
        }
    }

    /** Whether the incident is going on {@code elapsed} after the simulator started. */
    public boolean activeAt(Duration elapsed) {
        return elapsed.compareTo(after) >= 0 && elapsed.compareTo(after.plus(lasting)) < 0;
    }

    /**
     * The batch as the troubled host would send it {@code elapsed} after the start: unchanged (the
     * same object) if the incident is not about this host or not going on, with changed values, or
     * none at all (the host is down).
     */
    public Optional<MetricBatch> apply(MetricBatch batch, Fleet.Host sender, Duration elapsed) {
        if (!concerns(sender, elapsed)) {
            return Optional.of(batch);
        }
        return switch (kind) {
            case HOST_DOWN -> Optional.empty();
            case CPU_HIGH -> Optional.of(withHighCpu(batch));
        };
    }

    /**
     * The value a series of the host shows {@code elapsed} after the start: its own, a changed one,
     * or none (the host is down).
     */
    public OptionalDouble apply(Fleet.Series series, double value, Duration elapsed) {
        if (!affects(series, elapsed)) {
            return OptionalDouble.of(value);
        }
        return switch (kind) {
            case HOST_DOWN -> OptionalDouble.empty();
            case CPU_HIGH -> OptionalDouble.of(HIGH_CPU);
        };
    }

    /**
     * Whether the incident changes or removes the series' value {@code elapsed} after the start: it
     * is going on, on the series' host, and it is a host-down or the series is the CPU.
     */
    public boolean affects(Fleet.Series series, Duration elapsed) {
        if (!concerns(series.host(), elapsed)) {
            return false;
        }
        return switch (kind) {
            case HOST_DOWN -> true;
            case CPU_HIGH -> series.metric().name().equals(CPU_METRIC);
        };
    }

    private boolean concerns(Fleet.Host sender, Duration elapsed) {
        return sender.name().equals(host) && activeAt(elapsed);
    }

    /** The batch with every CPU sample at {@link #HIGH_CPU}; the same batch if it has none. */
    private static MetricBatch withHighCpu(MetricBatch batch) {
        List<BatchSample> samples = batch.getSamples();
        List<BatchSample> changed = null;
        for (int i = 0; i < samples.size(); i++) {
            BatchSample sample = samples.get(i);
            if (!sample.getName().equals(CPU_METRIC)) {
                continue;
            }
            if (changed == null) {
                // Copied on the first change only: the batches of a host without a CPU series
                // (a fleet of fewer series per host) go out as they are.
                changed = new ArrayList<>(samples);
            }
            changed.set(i, BatchSample.newBuilder(sample).setValue(HIGH_CPU).build());
        }
        return changed == null
                ? batch
                : new MetricBatch(batch.getLabels(), batch.getTimestamp(), changed);
    }
}
