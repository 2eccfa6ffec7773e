package io.vigil.jobs.rollup;

import io.vigil.connectors.kafka.DeadLetterSplitter;
import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.connectors.validation.SampleValidationOptions;
import io.vigil.connectors.validation.SampleValidator;
import io.vigil.connectors.validation.ValidateBatches;
import io.vigil.jobs.rollup.functions.CascadeRollupFunction;
import io.vigil.jobs.rollup.functions.GroupRollupFunction;
import io.vigil.jobs.rollup.functions.HostInventoryFunction;
import io.vigil.jobs.rollup.functions.HostRollupFunction;
import io.vigil.jobs.rollup.functions.SeriesRegistryFunction;
import io.vigil.jobs.rollup.records.GroupRollup;
import io.vigil.jobs.rollup.records.HostRow;
import io.vigil.jobs.rollup.records.HostSighting;
import io.vigil.jobs.rollup.records.RawChunk;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * metrics-rollup: raw samples to per-series rollups (count, sum, min, max, last, p50/p90/p99 from a
 * mergeable sketch, counter rates) over tumbling event-time minutes, cascaded into hours; and the
 * raw samples themselves, compressed into chunks per series and 2 minutes.
 *
 * <pre>
 *   batches (Kafka) -> split dead letters -> validate -> key by origin (host)
 *     -> limit series per origin, 1 min rollup and raw chunks of every series of the origin
 *                                     +-> rollups_1m
 *                                     |-> 1 h cascade -> rollups_1h
 *                                     |-> rack -> cluster -> dc -> global -> group_rollups
 *                                     |-> series registry -> series, series_by_metric
 *                                     |-> host inventory -> hosts, hosts_by_place
 *                                     '-> samples_raw
 *   undecodable, invalid, over the limit, late -> vigil.deadletter (one by one, never a batch's
 *   good samples with them)
 * </pre>
 *
 * <p>The job receives its source and sinks; {@link MetricsRollupJobMain} wires the real Kafka and
 * Cassandra connectors, tests wire their own. Event time comes from the samples with a bounded
 * out-of-orderness per Kafka partition, and idle partitions do not hold the watermark back (see
 * {@link SampleWatermarks}). Samples are validated ({@link SampleValidationOptions}) before they
 * reach keyed state; a sample the validator rejects never moves a watermark.
 *
 * <p>Samples arrive in {@link MetricBatch}es, one per host and collection, and the batch is the
 * unit of work up to the rollups: decoded once, validated in place, shuffled once, keyed by its
 * origin so that all of a host's series are rolled up by one {@link HostRollupFunction}, which also
 * admits at most {@link RollupOptions#MAX_SERIES_PER_ORIGIN} series per origin. Past the rollups,
 * the unit is one row per series and window.
 */
public final class MetricsRollupJob {
    static final String NAME = "vigil metrics-rollup";
    private static final Duration HOUR = Duration.ofHours(1);

    private final Source<Either<DeadLetter, MetricBatch>, ?, ?> samples;
    private final Sinks sinks;
    private final Configuration options;

    /**
     * Where the job writes.
     *
     * @param minutes finished minute windows ({@code rollups_1m})
     * @param hours finished hour windows, cascaded from the minutes ({@code rollups_1h})
     * @param groups minute aggregates per rack, cluster, data centre and fleet ({@code
     *     group_rollups})
     * @param series the series registry ({@code series}), a series' rollup once a day
     * @param seriesLabels the label index of the registry ({@code series_by_metric})
     * @param deadLetters undecodable, invalid, over-the-limit and late samples ({@code
     *     vigil.deadletter})
     * @param rawChunks the raw samples, compressed ({@code samples_raw})
     * @param hosts the host inventory ({@code hosts}), a host's row when it appears or moves and
     *     once per write interval
     * @param hostsByPlace the same rows, by place ({@code hosts_by_place})
     * @param vacatedPlaces the rows of {@code hosts_by_place} that moved hosts left, to delete
     */
    public record Sinks(
            Sink<Rollup> minutes,
            Sink<Rollup> hours,
            Sink<GroupRollup> groups,
            Sink<Rollup> series,
            Sink<SeriesRows.LabelEntry> seriesLabels,
            Sink<RawChunk> rawChunks,
            Sink<HostRow> hosts,
            Sink<HostRow> hostsByPlace,
            Sink<HostRow> vacatedPlaces,
            Sink<DeadLetter> deadLetters) {
        public Sinks {
            Objects.requireNonNull(series, "series");
            Objects.requireNonNull(seriesLabels, "seriesLabels");
            Objects.requireNonNull(minutes, "minutes");
            Objects.requireNonNull(hours, "hours");
            Objects.requireNonNull(groups, "groups");
            Objects.requireNonNull(deadLetters, "deadLetters");
            Objects.requireNonNull(rawChunks, "rawChunks");
            Objects.requireNonNull(hosts, "hosts");
            Objects.requireNonNull(hostsByPlace, "hostsByPlace");
            Objects.requireNonNull(vacatedPlaces, "vacatedPlaces");
        }
    }

    /**
     * @param samples decoded batches or dead letters, for example from {@code
     *     KafkaConnectors.source(kafka, Topics.METRIC_SAMPLES, groupId)}
     * @param sinks where rollups and undecodable, invalid and late samples go
     * @param options {@link RollupOptions} and {@link SampleValidationOptions}
     */
    public MetricsRollupJob(
            Source<Either<DeadLetter, MetricBatch>, ?, ?> samples,
            Sinks sinks,
            Configuration options) {
        this.samples = Objects.requireNonNull(samples, "samples");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.options = Objects.requireNonNull(options, "options");
        Duration window = options.get(RollupOptions.WINDOW);
        if (HOUR.toMillis() % window.toMillis() != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s must divide an hour, so that hours cascade from whole windows; was"
                                    + " %s",
                            RollupOptions.WINDOW.key(), window));
        }
    }

    /** Adds the job's operators to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        Duration window = options.get(RollupOptions.WINDOW);
        // One validator for the timestamp assigner and the validating operator, so that exactly
        // the samples that will be dead-lettered never move a watermark.
        SampleValidator validator = SampleValidator.builder().options(options).build();
        Clock clock = Clock.systemUTC();

        DataStream<Either<DeadLetter, MetricBatch>> records =
                env.fromSource(
                                samples,
                                SampleWatermarks.strategy(options, validator, clock),
                                "Kafka: samples")
                        .uid("metrics-rollup-samples-source")
                        .name("Kafka: samples");

        SingleOutputStreamOperator<MetricBatch> decoded =
                records.process(new DeadLetterSplitter<MetricBatch>())
                        .returns(new AvroTypeInfo<>(MetricBatch.class))
                        .uid("metrics-rollup-split-dead-letters")
                        .name("Split off undecodable samples");

        SingleOutputStreamOperator<MetricBatch> valid =
                decoded.process(new ValidateBatches(validator, clock))
                        .returns(new AvroTypeInfo<>(MetricBatch.class))
                        .uid("metrics-rollup-validate")
                        .name("Validate samples");

        // The one shuffle of samples: a batch goes whole to the subtask of its origin, where the
        // series limit, the rollups and the raw chunks of all the origin's series are kept.
        SingleOutputStreamOperator<Rollup> rolledUp =
                valid.keyBy(MetricBatches::originId, Types.LONG)
                        .process(
                                new HostRollupFunction(
                                        window,
                                        options.get(RollupOptions.COUNTER_MEMORY),
                                        options.get(RollupOptions.CLOSE_SPREAD),
                                        options.get(RollupOptions.MAX_SERIES_PER_ORIGIN)))
                        .returns(Rollup.TYPE)
                        .uid("metrics-rollup-origin-window")
                        .name(
                                "Roll up per origin and "
                                        + window.toMinutes()
                                        + " min, compress raw samples");

        rolledUp.sinkTo(sinks.minutes())
                .uid("metrics-rollup-rollups-sink")
                .name("Cassandra: rollups_1m");

        rolledUp.keyBy(rollup -> rollup.seriesId, Types.LONG)
                .process(new CascadeRollupFunction(HOUR, options.get(RollupOptions.CLOSE_SPREAD)))
                .returns(Rollup.TYPE)
                .uid("metrics-rollup-cascade-1h")
                .name("Cascade to 1 h")
                .sinkTo(sinks.hours())
                .uid("metrics-rollup-rollups-1h-sink")
                .name("Cassandra: rollups_1h");

        buildHierarchy(
                rolledUp, window.toMillis(), options.get(RollupOptions.CLOSE_SPREAD).toMillis());
        buildSeriesRegistry(rolledUp);
        buildHostInventory(rolledUp);

        rolledUp.getSideOutput(HostRollupFunction.RAW_CHUNKS)
                .sinkTo(sinks.rawChunks())
                .uid("metrics-rollup-raw-chunks-sink")
                .name("Cassandra: samples_raw");

        decoded.getSideOutput(DeadLetters.TAG)
                .union(
                        valid.getSideOutput(DeadLetters.TAG),
                        rolledUp.getSideOutput(DeadLetters.TAG))
                .sinkTo(sinks.deadLetters())
                .uid("metrics-rollup-dead-letter-sink")
                .name("Kafka: dead letters");
    }

    /** Rack, cluster, data centre and global aggregates, each level merged from the one below. */
    private void buildHierarchy(
            DataStream<Rollup> rollups, long windowMillis, long closeDelayMillis) {
        DataStream<GroupRollup> below =
                rollups.map(GroupRollup::ofSeries)
                        .returns(GroupRollup.TYPE)
                        .uid("metrics-rollup-place-series")
                        .name("Place series in the fleet");
        DataStream<GroupRollup> all = null;
        for (GroupRollupFunction.Level level : GroupRollupFunction.Level.values()) {
            below =
                    below.keyBy(level.key(), Types.STRING)
                            .process(new GroupRollupFunction(level, windowMillis, closeDelayMillis))
                            .returns(GroupRollup.TYPE)
                            .uid("metrics-rollup-group-" + level.label())
                            .name("Aggregate per " + level.label());
            all = all == null ? below : all.union(below);
        }
        all.sinkTo(sinks.groups())
                .uid("metrics-rollup-group-rollups-sink")
                .name("Cassandra: group_rollups");
    }

    /** The series registry, refreshed once per series and day. */
    private void buildSeriesRegistry(DataStream<Rollup> rollups) {
        SingleOutputStreamOperator<Rollup> registered =
                rollups.keyBy(rollup -> rollup.seriesId, Types.LONG)
                        .process(new SeriesRegistryFunction())
                        .returns(Rollup.TYPE)
                        .uid("metrics-rollup-series-registry")
                        .name("Register series once a day");
        registered
                .sinkTo(sinks.series())
                .uid("metrics-rollup-series-sink")
                .name("Cassandra: series");
        registered
                .flatMap(
                        (Rollup rollup, Collector<SeriesRows.LabelEntry> out) ->
                                SeriesRows.labelEntries(rollup, out))
                .returns(SeriesRows.LabelEntry.class)
                .uid("metrics-rollup-series-labels")
                .name("Index series by label")
                .sinkTo(sinks.seriesLabels())
                .uid("metrics-rollup-series-by-metric-sink")
                .name("Cassandra: series_by_metric");
    }

    /**
     * The host inventory, from the host labels of the rollups: one small record per series and
     * minute crosses to the host-keyed operator, which writes a host when it appears or moves and
     * once per write interval.
     */
    private void buildHostInventory(DataStream<Rollup> rollups) {
        SingleOutputStreamOperator<HostRow> hosts =
                rollups.flatMap(
                                (Rollup rollup, Collector<HostSighting> out) ->
                                        HostSighting.of(rollup, out))
                        .returns(HostSighting.class)
                        .uid("metrics-rollup-host-sightings")
                        .name("Find each series' host")
                        .keyBy(HostSighting::host, Types.STRING)
                        .process(
                                new HostInventoryFunction(
                                        options.get(RollupOptions.HOSTS_WRITE_INTERVAL),
                                        options.get(RollupOptions.HOSTS_RETENTION)))
                        .returns(HostRow.class)
                        .uid("metrics-rollup-host-inventory")
                        .name("Keep the host inventory");
        hosts.sinkTo(sinks.hosts()).uid("metrics-rollup-hosts-sink").name("Cassandra: hosts");
        hosts.sinkTo(sinks.hostsByPlace())
                .uid("metrics-rollup-hosts-by-place-sink")
                .name("Cassandra: hosts_by_place");
        hosts.getSideOutput(Descriptors.VACATED_PLACES)
                .sinkTo(sinks.vacatedPlaces())
                .uid("metrics-rollup-vacated-places-sink")
                .name("Cassandra: hosts_by_place deletes");
    }

    /** Builds and runs the job until it ends or is cancelled. */
    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute(NAME);
    }
}
