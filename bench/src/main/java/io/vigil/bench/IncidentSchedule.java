package io.vigil.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Incident}s timed from a fixed start, for the {@link ExpositionServer}: which value a
 * series shows at a tick, and when each incident's changed value was first served. The fleet
 * simulator times its incidents from its own start instead ({@link FleetSimulator#withIncidents}).
 *
 * <pre>{@code
 * IncidentSchedule schedule = new IncidentSchedule(incidents, startMillis);
 * new ExpositionServer(workload, step, targets, clock, address, schedule);
 * }</pre>
 */
public final class IncidentSchedule {
    /** No incidents: every series shows the workload's values. */
    public static final IncidentSchedule NONE = new IncidentSchedule(List.of(), 0);

    private final long startMillis;
    private final Map<String, List<Incident>> byHost;
    private final Map<Incident, Long> firstServed = new ConcurrentHashMap<>();

    /**
     * @param incidents the incidents, each timed by its {@code after} from {@code startMillis}
     * @param startMillis the schedule's start, ms since the epoch
     */
    public IncidentSchedule(List<Incident> incidents, long startMillis) {
        this.startMillis = startMillis;
        Map<String, List<Incident>> hosts = new HashMap<>();
        for (Incident incident : incidents) {
            hosts.computeIfAbsent(incident.host(), h -> new ArrayList<>()).add(incident);
        }
        hosts.replaceAll((host, list) -> List.copyOf(list));
        this.byHost = Map.copyOf(hosts);
    }

    /** Whether any incident concerns the host; asked per series and scrape, so it is a lookup. */
    public boolean concerns(Fleet.Host host) {
        return byHost.containsKey(host.name());
    }

    /**
     * The value a series shows at {@code sampleTime}: its own, changed by an incident going on, or
     * none (the host is down). A changed or missing value marks its incident as served at {@code
     * nowMillis} the first time.
     *
     * @param value the workload's value of the series at that time
     * @param sampleTime the time of the value (the tick's), ms since the epoch
     */
    public OptionalDouble apply(
            Fleet.Series series, double value, long sampleTime, long nowMillis) {
        Duration elapsed = Duration.ofMillis(sampleTime - startMillis);
        double shown = value;
        for (Incident incident : byHost.getOrDefault(series.host().name(), List.of())) {
            if (!incident.affects(series, elapsed)) {
                continue;
            }
            firstServed.putIfAbsent(incident, nowMillis);
            OptionalDouble applied = incident.apply(series, shown, elapsed);
            if (applied.isEmpty()) {
                return applied;
            }
            shown = applied.getAsDouble();
        }
        return OptionalDouble.of(shown);
    }

    /** When the incident's value was first served, ms since the epoch; empty if not yet. */
    public Optional<Long> firstServed(Incident incident) {
        return Optional.ofNullable(firstServed.get(incident));
    }

    /**
     * The first moment the incident is visible: the first step boundary at or after its start,
     * since a server shows the values of the current step.
     */
    public long visibleFrom(Incident incident, Duration step) {
        long begins = startMillis + incident.after().toMillis();
        return Math.floorDiv(begins + step.toMillis() - 1, step.toMillis()) * step.toMillis();
    }
}
