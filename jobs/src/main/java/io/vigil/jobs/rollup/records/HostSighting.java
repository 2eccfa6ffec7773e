package io.vigil.jobs.rollup.records;

import io.vigil.schemas.Labels;
import java.util.Map;
import org.apache.flink.util.Collector;

/**
 * A host seen in one series' rollup: the host's name and place from the series' labels, and when.
 * Small on purpose: it is what crosses the network to the host-keyed inventory, once per series and
 * window instead of a whole rollup with its sketch.
 *
 * @param host the {@link Labels#HOST} label
 * @param dc the {@link Labels#DC} label, or {@link GroupRollup#UNPLACED}
 * @param cluster the {@link Labels#CLUSTER} label, or {@link GroupRollup#UNPLACED}
 * @param rack the {@link Labels#RACK} label, or {@link GroupRollup#UNPLACED}
 * @param windowStart start of the rollup's window, ms since the epoch
 * @param lastSample event time of the window's latest sample, ms since the epoch
 */
public record HostSighting(
        String host, String dc, String cluster, String rack, long windowStart, long lastSample) {

    /**
     * Where a rollup's host was, if its series names a host; series without a host label (a
     * service's, a probe's) are about no host. Missing place labels read as {@link
     * GroupRollup#UNPLACED}, as in the group aggregates.
     */
    public static void of(Rollup rollup, Collector<HostSighting> out) {
        Map<String, String> labels = rollup.labels;
        String host = labels.get(Labels.HOST);
        if (host == null || host.isEmpty()) {
            return;
        }
        out.collect(
                new HostSighting(
                        host,
                        GroupRollup.placement(labels, Labels.DC),
                        GroupRollup.placement(labels, Labels.CLUSTER),
                        GroupRollup.placement(labels, Labels.RACK),
                        rollup.windowStart,
                        rollup.lastTimestamp));
    }

    /** Whether this sighting puts the host where {@code row} has it. */
    public boolean isAt(HostRow row) {
        return dc.equals(row.dc()) && cluster.equals(row.cluster()) && rack.equals(row.rack());
    }
}
