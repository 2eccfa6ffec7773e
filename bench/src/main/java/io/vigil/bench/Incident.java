package io.vigil.bench;

import io.vigil.schemas.MetricSample;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

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
 * that lost power would.
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
     * The sample as the troubled host would send it {@code elapsed} after the start: unchanged if
     * the incident is not about this sample or not going on, changed, or none at all.
     */
    public Optional<MetricSample> apply(MetricSample sample, Fleet.Host sender, Duration elapsed) {
        if (!sender.name().equals(host) || !activeAt(elapsed)) {
            return Optional.of(sample);
        }
        return switch (kind) {
            case HOST_DOWN -> Optional.empty();
            case CPU_HIGH ->
                    Optional.of(
                            sample.getName().equals(CPU_METRIC)
                                    ? MetricSample.newBuilder(sample).setValue(HIGH_CPU).build()
                                    : sample);
        };
    }
}
