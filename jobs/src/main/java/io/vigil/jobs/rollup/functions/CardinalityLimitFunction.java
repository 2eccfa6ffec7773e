package io.vigil.jobs.rollup.functions;

import static org.apache.flink.util.Preconditions.checkArgument;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.connectors.validation.ValidateSamples;
import io.vigil.jobs.rollup.Descriptors;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits at most a configured number of distinct series per metric name into the job's series-keyed
 * state, and sends the samples of every further series to the dead letters with reason {@value
 * #REASON}, so that one exporter that puts unbounded values into labels cannot blow up state.
 *
 * <pre>{@code
 * CardinalityLimitFunction limit =
 *         new CardinalityLimitFunction(2_000_000, 16, Duration.ofHours(1), Clock.systemUTC());
 * valid.keyBy(limit.keySelector(), CardinalityLimitFunction.KEY_TYPE)
 *         .process(limit)
 *         .uid("metrics-rollup-cardinality-limit")
 *         .name("Limit series per metric");
 * }</pre>
 *
 * <p>Keyed by (metric name, shard) with shard = series id modulo the shard count, not by the metric
 * alone: a per-host metric of a million hosts has a million legitimate series, and keying by metric
 * would push all of its samples through one subtask. Each shard admits up to the limit divided by
 * the shard count, rounded up. Series ids are well spread (SplitMix64), so a metric's series fall
 * evenly into its shards; the price is that a metric close to its limit may see one shard full
 * while others still have room.
 *
 * <p>State per key: the admitted series (series id to the start of the expiry step its latest
 * sample fell in) and their number, since counting the entries of a map in RocksDB would mean
 * reading them all. The step is a quarter of the idle expiry, so a series' entry is rewritten at
 * most once per step instead of once per sample. A series silent for the idle expiry (event time)
 * is forgotten and its place freed, so churned series do not keep places forever: an event-time
 * timer per key and step sweeps the expired entries, and a key with no series left holds no state
 * and no timers.
 *
 * <p>Rejected samples are counted in the metric group {@code rejectedSamples} as {@code
 * cardinality-limit}, next to the validation's counters of the same group.
 */
public final class CardinalityLimitFunction
        extends KeyedProcessFunction<Tuple2<String, Integer>, MetricSample, MetricSample> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CardinalityLimitFunction.class);

    /** Prefix of the dead letters' reason, and the name of the counter of rejected samples. */
    public static final String REASON = "cardinality-limit";

    /** The key: metric name and shard. */
    public static final TypeInformation<Tuple2<String, Integer>> KEY_TYPE =
            Types.TUPLE(Types.STRING, Types.INT);

    /** Expiry is checked in this many steps per idle expiry. */
    private static final int STEPS_PER_EXPIRY = 4;

    private final int maxSeriesPerMetric;
    private final int shards;
    private final int maxSeriesPerShard;
    private final long idleExpiryMillis;
    private final long stepMillis;
    private final Clock clock;

    private transient MapState<Long, Long> admittedSeries;
    private transient ValueState<Integer> admittedCount;
    private transient Counter rejected;

    /**
     * @param maxSeriesPerMetric most series a metric may have, at least {@code shards}
     * @param shards parts each metric is counted in, at least 1
     * @param idleExpiry how long a series may stay silent (event time) and keep its place
     * @param clock stamps the dead letters; tests pass a fixed one
     */
    public CardinalityLimitFunction(
            int maxSeriesPerMetric, int shards, Duration idleExpiry, Clock clock) {
        checkArgument(shards >= 1, "shards must be at least 1, was %s", shards);
        checkArgument(
                maxSeriesPerMetric >= shards,
                "the series limit per metric (%s) must be at least the number of shards (%s)",
                maxSeriesPerMetric,
                shards);
        checkArgument(
                idleExpiry.toMillis() >= STEPS_PER_EXPIRY,
                "the idle expiry must be at least %s ms, was %s",
                STEPS_PER_EXPIRY,
                idleExpiry);
        this.maxSeriesPerMetric = maxSeriesPerMetric;
        this.shards = shards;
        // Rounded up: the limit is never undercut, and exceeded by less than one series a shard.
        this.maxSeriesPerShard = (maxSeriesPerMetric + shards - 1) / shards;
        this.idleExpiryMillis = idleExpiry.toMillis();
        this.stepMillis = idleExpiry.toMillis() / STEPS_PER_EXPIRY;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The key of a sample: its metric name and shard. */
    public KeySelector<MetricSample, Tuple2<String, Integer>> keySelector() {
        int count = shards;
        return sample -> Tuple2.of(sample.getName(), shardOf(SeriesIds.of(sample), count));
    }

    /** The shard of a series among {@code shards}. */
    public static int shardOf(long seriesId, int shards) {
        return (int) Math.floorMod(seriesId, (long) shards);
    }

    @Override
    public void open(OpenContext openContext) {
        admittedSeries = getRuntimeContext().getMapState(Descriptors.ADMITTED_SERIES);
        admittedCount = getRuntimeContext().getState(Descriptors.ADMITTED_SERIES_COUNT);
        rejected =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup(ValidateSamples.METRIC_GROUP)
                        .counter(REASON);
    }

    @Override
    public void processElement(MetricSample sample, Context ctx, Collector<MetricSample> out)
            throws Exception {
        long seriesId = SeriesIds.of(sample);
        long step = Math.floorDiv(sample.getTimestamp(), stepMillis) * stepMillis;
        Long lastStep = admittedSeries.get(seriesId);
        if (lastStep != null) {
            // Rewritten once per step, not per sample: out-of-order samples never move it back.
            if (step > lastStep) {
                admittedSeries.put(seriesId, step);
                ctx.timerService().registerEventTimeTimer(expiryOf(step));
            }
            out.collect(sample);
            return;
        }
        Integer count = admittedCount.value();
        int admitted = count == null ? 0 : count;
        if (admitted >= maxSeriesPerShard) {
            rejected.inc();
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetters.ofSample(sample, reason(ctx.getCurrentKey()), clock.millis()));
            return;
        }
        admittedSeries.put(seriesId, step);
        admittedCount.update(admitted + 1);
        ctx.timerService().registerEventTimeTimer(expiryOf(step));
        if (admitted + 1 == maxSeriesPerShard) {
            // Once each time a shard fills up, not per rejected sample.
            LOG.warn(
                    "Metric {} reached its limit of {} series in shard {} of {}; samples of"
                            + " further series go to the dead letters as {}",
                    sample.getName(),
                    maxSeriesPerShard,
                    ctx.getCurrentKey().f1,
                    shards,
                    REASON);
        }
        out.collect(sample);
    }

    /**
     * When a series whose latest sample fell in the step starting at {@code step} expires: a full
     * idle expiry after the end of that step, so never sooner than the expiry after the sample.
     */
    private long expiryOf(long step) {
        return step + stepMillis + idleExpiryMillis;
    }

    /** Sweeps the series that have been silent for the idle expiry, and frees their places. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricSample> out)
            throws Exception {
        Integer count = admittedCount.value();
        if (count == null) {
            return;
        }
        int remaining = count;
        Iterator<Map.Entry<Long, Long>> entries = admittedSeries.iterator();
        while (entries.hasNext()) {
            if (expiryOf(entries.next().getValue()) <= timestamp) {
                entries.remove();
                remaining--;
            }
        }
        if (remaining > 0) {
            admittedCount.update(remaining);
            return;
        }
        admittedSeries.clear();
        admittedCount.clear();
    }

    private String reason(Tuple2<String, Integer> key) {
        return String.format(
                "%s: metric %s is at its limit of %d series (%d in each of %d shards; shard %d is"
                        + " full); samples of new series are not stored",
                REASON, key.f0, maxSeriesPerMetric, maxSeriesPerShard, shards, key.f1);
    }
}
