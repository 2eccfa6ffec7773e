package io.vigil.bench.alerting;

import io.vigil.bench.Fleet;
import io.vigil.bench.FleetSimulator;
import io.vigil.bench.Incident;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one alert-latency run does: the background fleet both systems get, and the incidents.
 *
 * @param hosts simulated hosts
 * @param seriesPerHost series each host reports
 * @param rate background samples per second in total (sets the step)
 * @param incidents how many incidents, each on a host of its own
 * @param spacing time between two incidents' starts
 * @param lasting how long each incident host reports high CPU
 * @param warmUp background load alone before the first incident
 * @param drain how long after the last incident to wait for late alerts
 * @param parallelism the parallelism of each job (alerting and metrics-rollup)
 * @param prometheusTargets scrape targets the fleet is split into for Prometheus
 * @param profile JFR profile of the TaskManager after the incidents (zero: none)
 */
public record AlertLatencySettings(
        int hosts,
        int seriesPerHost,
        double rate,
        int incidents,
        Duration spacing,
        Duration lasting,
        Duration warmUp,
        Duration drain,
        int parallelism,
        int prometheusTargets,
        Duration profile) {

    /** The threshold rule's name on both sides; alerts are matched by it and by host. */
    public static final String ALERTNAME = "BenchCpuHigh";

    /** The threshold: the fleet's CPU ratios stay below 0.55, an incident host reports 0.97. */
    public static final double THRESHOLD = 0.9;

    public AlertLatencySettings {
        if (hosts < 1 || seriesPerHost < 1 || rate <= 0 || incidents < 1 || parallelism < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "hosts (%s), series per host (%s), rate (%s), incidents (%s) and"
                                    + " parallelism (%s) must be positive",
                            hosts, seriesPerHost, rate, incidents, parallelism));
        }
        if (incidents > hosts) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s incidents need as many hosts, the fleet has %s", incidents, hosts));
        }
        if (spacing.isNegative() || spacing.isZero() || lasting.isNegative() || lasting.isZero()) {
            throw new IllegalArgumentException(
                    String.format(
                            "spacing (%s) and lasting (%s) must be positive", spacing, lasting));
        }
    }

    public Fleet fleet() {
        return new Fleet(hosts, seriesPerHost);
    }

    /** The step that gives the rate: every series reports once per step. */
    public Duration step() {
        return FleetSimulator.stepFor(fleet(), rate);
    }

    /** The rate the step really gives (the step is a whole number of milliseconds). */
    public double effectiveRate() {
        return (double) hosts * seriesPerHost * 1000.0 / step().toMillis();
    }

    /**
     * The incidents: high CPU on hosts spread over the fleet, the first after the warm-up, then one
     * every {@code spacing}, timed from the start of the load.
     */
    public List<Incident> plan() {
        List<Incident> planned = new ArrayList<>(incidents);
        List<Fleet.Host> fleetHosts = fleet().hosts();
        for (int i = 0; i < incidents; i++) {
            // Spread over the fleet (other racks, other partitions), never the same host twice.
            Fleet.Host host = fleetHosts.get((int) ((long) i * hosts / incidents));
            planned.add(
                    new Incident(
                            Incident.Kind.CPU_HIGH,
                            host.name(),
                            warmUp.plus(spacing.multipliedBy(i)),
                            lasting));
        }
        return List.copyOf(planned);
    }

    /** From the start of the load to the end of waiting for the last incident's alerts. */
    public Duration total() {
        return warmUp.plus(spacing.multipliedBy(incidents - 1L)).plus(drain);
    }
}
