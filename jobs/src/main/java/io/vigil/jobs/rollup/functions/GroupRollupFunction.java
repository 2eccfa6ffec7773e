package io.vigil.jobs.rollup.functions;

import io.vigil.jobs.rollup.Descriptors;
import io.vigil.jobs.rollup.records.GroupRollup;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One step up the fleet hierarchy: merges the aggregates of the level below (series into racks,
 * racks into clusters, clusters into data centres, data centres into the global aggregate) per
 * metric and window, and emits the merged aggregate when the watermark passes the window's end.
 *
 * <p>This is the design's "secondary nodes push aggregates to primary and global nodes", done by
 * Flink. Each level reads the one below, never the raw series, so no key is hot: the global
 * aggregate of a metric merges one record per data centre, not one per host. Every input of a
 * window arrives before the watermark that closes it (each level emits on that watermark before
 * passing it on), so the whole hierarchy closes within one watermark step.
 *
 * <p>Merging is exact where it can be: counts, series, totals (sums of the series' means) and rates
 * add up; min and max combine; sketches merge, so quantiles keep their 1 % error.
 */
public final class GroupRollupFunction
        extends KeyedProcessFunction<String, GroupRollup, GroupRollup> {
    private static final long serialVersionUID = 1L;

    /** The levels above series, from the bottom. */
    public enum Level {
        RACK,
        CLUSTER,
        DC,
        GLOBAL;

        /** The name analysts query ({@code group_rollups.level}). */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * The group of this level that an aggregate of the level below belongs to, named by its
         * path ({@code dc/cluster/rack}), so racks or clusters of the same name in different places
         * stay apart.
         */
        String groupOf(GroupRollup child) {
            return switch (this) {
                case RACK -> child.dc + '/' + child.cluster + '/' + child.rack;
                case CLUSTER -> child.dc + '/' + child.cluster;
                case DC -> child.dc;
                case GLOBAL -> "global";
            };
        }

        /** The key of the aggregate at this level that {@code child} merges into. */
        public KeySelector<GroupRollup, String> key() {
            Level level = this;
            return child -> level.groupOf(child) + '\u0000' + child.metric;
        }
    }

    private final Level level;
    private final long windowMillis;
    private final long closeDelayMillis;

    private transient MapState<Long, GroupRollup> openWindows;

    /**
     * @param level the level this function computes
     * @param windowMillis the length of the windows, the same at every level
     * @param closeDelayMillis how long after a window's end (event time) its series' rollups may
     *     still come: the rollup's close spread, shorter than the window. Every level waits the
     *     same: a level's aggregate reaches the next level before the watermark that closes both.
     */
    public GroupRollupFunction(Level level, long windowMillis, long closeDelayMillis) {
        if (closeDelayMillis < 0 || closeDelayMillis >= windowMillis) {
            throw new IllegalArgumentException(
                    String.format(
                            "the close delay must be at least 0 and shorter than the window (%d"
                                    + " ms), was %d ms",
                            windowMillis, closeDelayMillis));
        }
        this.level = level;
        this.windowMillis = windowMillis;
        this.closeDelayMillis = closeDelayMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        openWindows = getRuntimeContext().getMapState(Descriptors.OPEN_GROUP_WINDOWS);
    }

    @Override
    public void processElement(GroupRollup child, Context ctx, Collector<GroupRollup> out)
            throws Exception {
        GroupRollup group = openWindows.get(child.windowStart);
        if (group == null) {
            group = new GroupRollup();
            group.level = level.label();
            group.group = level.groupOf(child);
            // A group's place is its child's, above its own level.
            group.cluster = level.compareTo(Level.CLUSTER) < 0 ? child.cluster : null;
            group.dc = level.compareTo(Level.DC) < 0 ? child.dc : null;
            group.metric = child.metric;
            group.windowStart = child.windowStart;
            ctx.timerService()
                    .registerEventTimeTimer(
                            child.windowStart + windowMillis - 1 + closeDelayMillis);
        }
        group.series += child.series;
        group.count += child.count;
        group.total += child.total;
        group.min = Math.min(group.min, child.min);
        group.max = Math.max(group.max, child.max);
        if (!Double.isNaN(child.rate)) {
            group.rate = (Double.isNaN(group.rate) ? 0 : group.rate) + child.rate;
        }
        group.sketch = QuantileSketches.merge(group.sketch, child.sketch);
        openWindows.put(child.windowStart, group);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<GroupRollup> out)
            throws Exception {
        // Rounded down rather than the delay subtracted: see CascadeRollupFunction#onTimer.
        long start = Math.floorDiv(timestamp + 1, windowMillis) * windowMillis - windowMillis;
        GroupRollup group = openWindows.get(start);
        if (group == null) {
            return;
        }
        double[] quantiles = QuantileSketches.quantiles(group.sketch, 0.5, 0.9, 0.99);
        group.p50 = quantiles[0];
        group.p90 = quantiles[1];
        group.p99 = quantiles[2];
        out.collect(group);
        openWindows.remove(start);
    }
}
