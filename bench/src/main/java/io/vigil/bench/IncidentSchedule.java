package io.vigil.bench;

import io.vigil.schemas.MetricSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * The sample as the host shows it at the sample's time: unchanged, changed by an incident going
     * on, or none (the host is down). A changed or missing sample marks its incident as served at
     * {@code nowMillis} the first time.
     */
    public Optional<MetricSample> apply(MetricSample sample, Fleet.Host host, long nowMillis) {
        Duration elapsed = Duration.ofMillis(sample.getTimestamp() - startMillis);
        MetricSample shown = sample;
        for (Incident incident : byHost.getOrDefault(host.name(), List.of())) {
            Optional<MetricSample> applied = incident.apply(shown, host, elapsed);
            if (applied.isEmpty() || applied.get() != shown) {
                firstServed.putIfAbsent(incident, nowMillis);
            }
            if (applied.isEmpty()) {
                return applied;
            }
            shown = applied.get();
        }
        return Optional.of(shown);
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
