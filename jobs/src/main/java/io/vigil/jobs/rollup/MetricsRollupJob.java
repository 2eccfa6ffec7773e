package io.vigil.jobs.rollup;

import io.vigil.connectors.kafka.DeadLetterSplitter;
import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.rollup.functions.CascadeRollupFunction;
import io.vigil.jobs.rollup.functions.RawChunkFunction;
import io.vigil.jobs.rollup.functions.WindowRollupFunction;
import io.vigil.jobs.rollup.records.RawChunk;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * metrics-rollup: raw samples to per-series rollups (count, sum, min, max, last, p50/p90/p99 from a
 * mergeable sketch, counter rates) over tumbling event-time minutes, cascaded into hours; and the
 * raw samples themselves, compressed into chunks per series and 2 minutes.
 *
 * <pre>
 *   samples (Kafka) -> split dead letters -> key by series -+-> 1 min rollup -> rollups_1m
 *                            |                              |         '-> 1 h cascade -> rollups_1h
 *                            |                              '-> compress raw -> samples_raw
 *                            |
 *                            '---- undecodable, late (window, chunk) -> vigil.deadletter (Kafka)
 * </pre>
 *
 * <p>{@code rollups_1m}, {@code rollups_1h} and {@code samples_raw} are Cassandra tables. The job
 * receives its source and sinks; {@link MetricsRollupJobMain} wires the real Kafka and Cassandra
 * connectors, tests wire their own. Event time comes from the samples with a bounded
 * out-of-orderness per Kafka partition, and idle partitions do not hold the watermark back.
 */
public final class MetricsRollupJob {
    static final String NAME = "vigil metrics-rollup";
    private static final Duration HOUR = Duration.ofHours(1);

    private final Source<Either<DeadLetter, MetricSample>, ?, ?> samples;
    private final Sinks sinks;
    private final Configuration options;

    /**
     * Where the job writes.
     *
     * @param minutes finished minute windows ({@code rollups_1m})
     * @param hours finished hour windows, cascaded from the minutes ({@code rollups_1h})
     * @param deadLetters undecodable and late samples ({@code vigil.deadletter})
     * @param rawChunks the raw samples, compressed ({@code samples_raw})
     */
    public record Sinks(
            Sink<Rollup> minutes,
            Sink<Rollup> hours,
            Sink<DeadLetter> deadLetters,
            Sink<RawChunk> rawChunks) {
        public Sinks {
            Objects.requireNonNull(minutes, "minutes");
            Objects.requireNonNull(hours, "hours");
            Objects.requireNonNull(deadLetters, "deadLetters");
            Objects.requireNonNull(rawChunks, "rawChunks");
        }
    }

    /**
     * @param samples decoded samples or dead letters, for example from {@code
     *     KafkaConnectors.source(kafka, Topics.METRIC_SAMPLES, groupId)}
     * @param sinks where rollups and dead letters go
     * @param options {@link RollupOptions}
     */
    public MetricsRollupJob(
            Source<Either<DeadLetter, MetricSample>, ?, ?> samples,
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
        WatermarkStrategy<Either<DeadLetter, MetricSample>> watermarks =
                WatermarkStrategy.<Either<DeadLetter, MetricSample>>forBoundedOutOfOrderness(
                                options.get(RollupOptions.OUT_OF_ORDERNESS))
                        // Dead letters carry no event time; MIN_VALUE never moves a watermark.
                        .withTimestampAssigner(
                                (record, kafkaTimestamp) ->
                                        record.isRight()
                                                ? record.right().getTimestamp()
                                                : Long.MIN_VALUE)
                        .withIdleness(options.get(RollupOptions.IDLENESS));

        DataStream<Either<DeadLetter, MetricSample>> records =
                env.fromSource(samples, watermarks, "Kafka: samples")
                        .uid("metrics-rollup-samples-source")
                        .name("Kafka: samples");

        SingleOutputStreamOperator<MetricSample> decoded =
                records.process(new DeadLetterSplitter<MetricSample>())
                        .returns(new AvroTypeInfo<>(MetricSample.class))
                        .uid("metrics-rollup-split-dead-letters")
                        .name("Split off undecodable samples");

        KeyedStream<MetricSample, Long> bySeries = decoded.keyBy(SeriesIds::of, Types.LONG);

        SingleOutputStreamOperator<Rollup> rolledUp =
                bySeries.process(
                                new WindowRollupFunction(
                                        window, options.get(RollupOptions.COUNTER_MEMORY)))
                        .returns(Rollup.TYPE)
                        .uid("metrics-rollup-window")
                        .name("Roll up per series and " + window.toMinutes() + " min");

        rolledUp.sinkTo(sinks.minutes())
                .uid("metrics-rollup-rollups-sink")
                .name("Cassandra: rollups_1m");

        rolledUp.keyBy(rollup -> rollup.seriesId, Types.LONG)
                .process(new CascadeRollupFunction(HOUR))
                .returns(Rollup.TYPE)
                .uid("metrics-rollup-cascade-1h")
                .name("Cascade to 1 h")
                .sinkTo(sinks.hours())
                .uid("metrics-rollup-rollups-1h-sink")
                .name("Cassandra: rollups_1h");

        SingleOutputStreamOperator<RawChunk> rawChunks =
                bySeries.process(new RawChunkFunction())
                        .returns(RawChunk.TYPE)
                        .uid("metrics-rollup-raw-chunks")
                        .name("Compress raw samples");

        rawChunks
                .sinkTo(sinks.rawChunks())
                .uid("metrics-rollup-raw-chunks-sink")
                .name("Cassandra: samples_raw");

        // A sample late for both its window and its raw chunk leaves twice, once per reason (the
        // reasons name the window or the raw chunk). With 1-minute windows that is every sample
        // late for its raw chunk, since its window ends no later than its chunk.
        decoded.getSideOutput(DeadLetters.TAG)
                .union(
                        rolledUp.getSideOutput(DeadLetters.TAG),
                        rawChunks.getSideOutput(DeadLetters.TAG))
                .sinkTo(sinks.deadLetters())
                .uid("metrics-rollup-dead-letter-sink")
                .name("Kafka: dead letters");
    }

    /** Builds and runs the job until it ends or is cancelled. */
    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute(NAME);
    }
}
