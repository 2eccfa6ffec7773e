package io.vigil.jobs.rollup;

import io.vigil.connectors.kafka.DeadLetterSplitter;
import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.connectors.validation.SampleValidationOptions;
import io.vigil.connectors.validation.SampleValidator;
import io.vigil.connectors.validation.ValidateSamples;
import io.vigil.jobs.rollup.functions.WindowRollupFunction;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
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

/**
 * metrics-rollup: raw samples to per-series rollups (count, sum, min, max, last) over tumbling
 * event-time windows.
 *
 * <pre>
 *   samples -> split dead letters -> validate -> key by series -> window rollup -> rollups_1m
 *   (Kafka)          |                   |                              |          (Cassandra)
 *                    '- undecodable -----+- invalid ------------ late --'-> vigil.deadletter
 * </pre>
 *
 * <p>The job receives its source and sinks; {@link MetricsRollupJobMain} wires the real Kafka and
 * Cassandra connectors, tests wire their own. Event time comes from the samples with a bounded
 * out-of-orderness per Kafka partition, and idle partitions do not hold the watermark back (see
 * {@link SampleWatermarks}). Samples are validated ({@link SampleValidationOptions}) before they
 * reach keyed state; a sample the validator rejects never moves a watermark.
 */
public final class MetricsRollupJob {
    static final String NAME = "vigil metrics-rollup";

    private final Source<Either<DeadLetter, MetricSample>, ?, ?> samples;
    private final Sink<Rollup> rollups;
    private final Sink<DeadLetter> deadLetters;
    private final Configuration options;

    /**
     * @param samples decoded samples or dead letters, for example from {@code
     *     KafkaConnectors.source(kafka, Topics.METRIC_SAMPLES, groupId)}
     * @param rollups where finished windows go
     * @param deadLetters where undecodable, invalid and late samples go
     * @param options {@link RollupOptions} and {@link SampleValidationOptions}
     */
    public MetricsRollupJob(
            Source<Either<DeadLetter, MetricSample>, ?, ?> samples,
            Sink<Rollup> rollups,
            Sink<DeadLetter> deadLetters,
            Configuration options) {
        this.samples = Objects.requireNonNull(samples, "samples");
        this.rollups = Objects.requireNonNull(rollups, "rollups");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Adds the job's operators to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        Duration window = options.get(RollupOptions.WINDOW);
        // One validator for the timestamp assigner and the validating operator, so that exactly
        // the samples that will be dead-lettered never move a watermark.
        SampleValidator validator = SampleValidator.builder().options(options).build();
        Clock clock = Clock.systemUTC();

        DataStream<Either<DeadLetter, MetricSample>> records =
                env.fromSource(
                                samples,
                                SampleWatermarks.strategy(options, validator, clock),
                                "Kafka: samples")
                        .uid("metrics-rollup-samples-source")
                        .name("Kafka: samples");

        SingleOutputStreamOperator<MetricSample> decoded =
                records.process(new DeadLetterSplitter<MetricSample>())
                        .returns(new AvroTypeInfo<>(MetricSample.class))
                        .uid("metrics-rollup-split-dead-letters")
                        .name("Split off undecodable samples");

        SingleOutputStreamOperator<MetricSample> valid =
                decoded.process(new ValidateSamples(validator, clock))
                        .returns(new AvroTypeInfo<>(MetricSample.class))
                        .uid("metrics-rollup-validate")
                        .name("Validate samples");

        SingleOutputStreamOperator<Rollup> rolledUp =
                valid.keyBy(SeriesIds::of, Types.LONG)
                        .process(new WindowRollupFunction(window))
                        .returns(Rollup.TYPE)
                        .uid("metrics-rollup-window")
                        .name("Roll up per series and " + window.toMinutes() + " min");

        rolledUp.sinkTo(rollups).uid("metrics-rollup-rollups-sink").name("Cassandra: rollups_1m");

        decoded.getSideOutput(DeadLetters.TAG)
                .union(
                        valid.getSideOutput(DeadLetters.TAG),
                        rolledUp.getSideOutput(DeadLetters.TAG))
                .sinkTo(deadLetters)
                .uid("metrics-rollup-dead-letter-sink")
                .name("Kafka: dead letters");
    }

    /** Builds and runs the job until it ends or is cancelled. */
    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute(NAME);
    }
}
