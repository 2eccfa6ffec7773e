package io.vigil.bench;

import io.vigil.schemas.Labels;
import io.vigil.schemas.SeriesIds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated fleet: hosts placed in data centres, clusters and racks, each reporting the same set
 * of series. Pure and deterministic: the same sizes give the same hosts and series.
 *
 * <p>Placement: 40 hosts per rack, 10 racks per cluster, 4 clusters per data centre (a small fleet
 * fills the first racks of the first data centre, as a real one grows).
 */
public final class Fleet {
    static final int HOSTS_PER_RACK = 40;
    static final int RACKS_PER_CLUSTER = 10;
    static final int CLUSTERS_PER_DC = 4;

    /**
     * The metrics every host reports, in order; beyond these, series repeat per device. The
     * resolution is what the real exporter reports: the kernel prints load averages with two
     * decimals, /proc/meminfo counts memory in kB, hwmon temperatures in millidegrees, IPMI power
     * in whole watts, counters of bytes and processes are integers, disk time is counted in
     * milliseconds; ratios computed by an agent have full double precision (resolution 0). Values
     * therefore carry no more digits than a scrape of the real exporter would, which matters for
     * what compression achieves.
     */
    private static final List<Metric> METRICS =
            List.of(
                    new Metric("node_cpu_usage_ratio", Kind.GAUGE, 0.35, 0.25, 0),
                    new Metric("node_memory_used_bytes", Kind.GAUGE, 24e9, 6e9, 1024),
                    new Metric("node_load1", Kind.GAUGE, 2.0, 1.5, 0.01),
                    new Metric("node_filesystem_used_ratio", Kind.FILL, 0.55, 0.02, 0),
                    new Metric("node_network_receive_bytes_total", Kind.COUNTER, 0, 1.2e6, 1),
                    new Metric("node_network_transmit_bytes_total", Kind.COUNTER, 0, 0.9e6, 1),
                    new Metric("node_disk_io_time_seconds_total", Kind.COUNTER, 0, 0.2, 0.001),
                    new Metric("node_processes_running", Kind.GAUGE, 180, 20, 1),
                    new Metric("node_power_watts", Kind.GAUGE, 310, 40, 1),
                    new Metric("node_temperature_celsius", Kind.GAUGE, 55, 8, 0.001));

    /** How a metric behaves over time. */
    public enum Kind {
        /** Moves around a level. */
        GAUGE,
        /** Only grows (by about {@code spread} per second). */
        COUNTER,
        /**
         * A disk: fills by {@code spread} above its level over a few hours (logs, caches), then a
         * cleanup takes it back. Smooth: what is used changes by files, not by noise.
         */
        FILL
    }

    /**
     * A metric name and the shape of its values.
     *
     * @param resolution the step values come in: a power of ten below 1 (that many decimals, as
     *     printed), a whole number of units from 1 up, or 0 for full double precision
     */
    public record Metric(String name, Kind kind, double level, double spread, double resolution) {

        /** {@code value} as the exporter would report it, at this metric's resolution. */
        public double quantise(double value) {
            if (resolution == 0) {
                return value;
            }
            if (resolution >= 1) {
                return Math.round(value / resolution) * resolution;
            }
            // Dividing the rounded integer by an exact power of ten gives the double that the
            // decimal text parses to (e.g. 2.37), not 237 * 0.01 = 2.3700000000000001.
            double scale = Math.rint(1 / resolution);
            return Math.round(value * scale) / scale;
        }
    }

    /** One host and its place in the fleet. */
    public record Host(String name, String dc, String cluster, String rack) {

        /**
         * The labels every series of the host carries: host, dc, cluster and rack. What the host's
         * batches share.
         */
        public Map<String, String> labels() {
            return Map.of(
                    Labels.HOST, name, Labels.DC, dc, Labels.CLUSTER, cluster, Labels.RACK, rack);
        }
    }

    /**
     * One series: a host's metric, with its labels and id.
     *
     * @param labels all its labels: the host's and its own
     * @param ownLabels the labels beyond the host's (a {@code device}), usually none: what a sample
     *     of the series carries in a batch of its host
     */
    public record Series(
            int index,
            Host host,
            Metric metric,
            Map<String, String> labels,
            long id,
            Map<String, String> ownLabels) {}

    private final List<Host> hosts;
    private final List<Series> series;
    private final Map<Host, List<Series>> seriesByHost;

    /**
     * @param hostCount number of hosts
     * @param seriesPerHost series each host reports
     */
    public Fleet(int hostCount, int seriesPerHost) {
        if (hostCount < 1 || seriesPerHost < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "a fleet needs hosts (%s) and series per host (%s) >= 1",
                            hostCount, seriesPerHost));
        }
        List<Host> builtHosts = new ArrayList<>(hostCount);
        List<Series> builtSeries = new ArrayList<>(hostCount * seriesPerHost);
        Map<Host, List<Series>> byHost = new HashMap<>();
        for (int h = 0; h < hostCount; h++) {
            Host host = hostAt(h);
            builtHosts.add(host);
            List<Series> ofHost = new ArrayList<>(seriesPerHost);
            for (int s = 0; s < seriesPerHost; s++) {
                Metric metric = METRICS.get(s % METRICS.size());
                Map<String, String> own =
                        s >= METRICS.size()
                                ? Map.of("device", "dev" + (s / METRICS.size()))
                                : Map.of();
                Map<String, String> labels = new TreeMap<>(host.labels());
                labels.putAll(own);
                Map<String, String> frozen = Collections.unmodifiableMap(labels);
                Series built =
                        new Series(
                                builtSeries.size(),
                                host,
                                metric,
                                frozen,
                                SeriesIds.of(metric.name(), frozen),
                                own);
                builtSeries.add(built);
                ofHost.add(built);
            }
            byHost.put(host, List.copyOf(ofHost));
        }
        this.hosts = List.copyOf(builtHosts);
        this.series = List.copyOf(builtSeries);
        this.seriesByHost = Map.copyOf(byHost);
    }

    private static Host hostAt(int index) {
        int rack = index / HOSTS_PER_RACK;
        int cluster = rack / RACKS_PER_CLUSTER;
        int dc = cluster / CLUSTERS_PER_DC;
        String dcName = "dc" + (dc + 1);
        String clusterName = dcName + "-c" + (cluster % CLUSTERS_PER_DC + 1);
        String rackName = clusterName + "-r" + (rack % RACKS_PER_CLUSTER + 1);
        return new Host(String.format("host-%06d", index), dcName, clusterName, rackName);
    }

    public List<Host> hosts() {
        return hosts;
    }

    public List<Series> series() {
        return series;
    }

    /**
     * The series of one host, in the fleet's order: what the host's agent reports at every step.
     *
     * @throws IllegalArgumentException if the host is not of this fleet
     */
    public List<Series> seriesOf(Host host) {
        List<Series> ofHost = seriesByHost.get(host);
        if (ofHost == null) {
            throw new IllegalArgumentException("not a host of this fleet: " + host);
        }
        return ofHost;
    }
}
