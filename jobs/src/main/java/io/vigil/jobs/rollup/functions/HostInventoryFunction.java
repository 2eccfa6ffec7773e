package io.vigil.jobs.rollup.functions;

import static org.apache.flink.util.Preconditions.checkArgument;

import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.HostRow;
import io.vigil.jobs.rollup.records.HostSighting;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps the host inventory ({@code hosts}, {@code hosts_by_place}) from the host labels of the
 * series' rollups, keyed by host: emits a host's row when it first appears, when its place (data
 * centre, cluster, rack) changes, and otherwise at most once per write interval of event time, so
 * that a million hosts cost a million writes per interval rather than one per sample. A move also
 * emits the row the host left to {@link Descriptors#VACATED_PLACES}, to be deleted from {@code
 * hosts_by_place}, and is counted in {@code movedHosts}.
 *
 * <p>Around a move, rollups of the old and the new place arrive interleaved (a host's series come
 * from several Kafka partitions and subtasks). A sighting of another place counts as a move only if
 * its latest sample is newer than the host's last written one; an older one is a straggler from
 * before the move and is ignored, so the host does not bounce back.
 *
 * <p>The state is the last row written, the same as the rows in Cassandra. One event-time timer per
 * host clears it when the host has been silent for the retention, the TTL of its rows: by then both
 * have expired, and a host that comes back later is new. Versions ({@link HostRow#version()}) come
 * from event time and grow strictly per host, so writes replayed after a failure carry the same
 * versions as before.
 */
public final class HostInventoryFunction
        extends KeyedProcessFunction<String, HostSighting, HostRow> {
    private static final long serialVersionUID = 1L;

    private final long writeIntervalMillis;
    private final long retentionMillis;

    private transient ValueState<HostRow> written;
    private transient Counter movedHosts;

    /**
     * @param writeInterval how often a host that stays in place is written again (event time)
     * @param retention how long a silent host is kept: its rows' TTL
     */
    public HostInventoryFunction(Duration writeInterval, Duration retention) {
        checkArgument(
                !writeInterval.isNegative(),
                "the write interval must be >= 0, was %s",
                writeInterval);
        checkArgument(
                retention.compareTo(writeInterval) > 0,
                "the retention (%s) must be longer than the write interval (%s), or hosts that"
                        + " still report would expire",
                retention,
                writeInterval);
        this.writeIntervalMillis = writeInterval.toMillis();
        this.retentionMillis = retention.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        written = getRuntimeContext().getState(Descriptors.HOST);
        movedHosts = getRuntimeContext().getMetricGroup().counter("movedHosts");
    }

    @Override
    public void processElement(HostSighting sighting, Context ctx, Collector<HostRow> out)
            throws Exception {
        HostRow last = written.value();
        if (last == null) {
            long version = sighting.lastSample() * 1000;
            write(placed(sighting, sighting.windowStart(), sighting.windowStart(), version), out);
            ctx.timerService().registerEventTimeTimer(sighting.lastSample() + retentionMillis);
            return;
        }
        long firstSeen = Math.min(last.firstSeen(), sighting.windowStart());
        if (!sighting.isAt(last)) {
            if (sighting.lastSample() <= last.lastSeen()) {
                return;
            }
            HostRow moved =
                    placed(
                            sighting,
                            firstSeen,
                            sighting.windowStart(),
                            nextVersion(last, sighting));
            // The row left behind goes with the move's version: newer than every write of it.
            ctx.output(
                    Descriptors.VACATED_PLACES,
                    new HostRow(
                            last.host(),
                            last.dc(),
                            last.cluster(),
                            last.rack(),
                            last.firstSeen(),
                            last.placedSince(),
                            last.lastSeen(),
                            moved.version()));
            movedHosts.inc();
            write(moved, out);
            return;
        }
        boolean due = sighting.lastSample() >= last.lastSeen() + writeIntervalMillis;
        // A host's very first windows may arrive out of order; first_seen is corrected at once.
        if (!due && firstSeen == last.firstSeen()) {
            return;
        }
        write(
                new HostRow(
                        last.host(),
                        last.dc(),
                        last.cluster(),
                        last.rack(),
                        firstSeen,
                        last.placedSince(),
                        Math.max(last.lastSeen(), sighting.lastSample()),
                        nextVersion(last, sighting)),
                out);
    }

    /** Clears a host that stayed silent for the retention, or waits for its newer expiry. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<HostRow> out)
            throws Exception {
        HostRow last = written.value();
        if (last == null) {
            return;
        }
        long expiry = last.lastSeen() + retentionMillis;
        if (expiry > timestamp) {
            // One timer per host: moved on only when it fires, not at every write.
            ctx.timerService().registerEventTimeTimer(expiry);
            return;
        }
        written.clear();
    }

    private void write(HostRow row, Collector<HostRow> out) throws Exception {
        written.update(row);
        out.collect(row);
    }

    private static HostRow placed(
            HostSighting sighting, long firstSeen, long placedSince, long version) {
        return new HostRow(
                sighting.host(),
                sighting.dc(),
                sighting.cluster(),
                sighting.rack(),
                firstSeen,
                placedSince,
                sighting.lastSample(),
                version);
    }

    /** Event time in microseconds, but always past the host's previous version. */
    private static long nextVersion(HostRow last, HostSighting sighting) {
        return Math.max(sighting.lastSample() * 1000, last.version() + 1);
    }
}
