package io.vigil.jobs.archive;

import io.vigil.connectors.kafka.DeadLetterSplitter;
import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.jobs.archive.functions.FlattenBatches;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricSample;
import java.util.Objects;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.Preconditions;

/**
 * archive: every raw sample, unchanged, into compressed files partitioned by UTC day and data
 * centre, kept for a year in blob storage ({@link ArchiveRetention} deletes older days).
 *
 * <pre>
 *   batches (Kafka) -> split dead letters -> flatten -> key by partition -> files:
 *                            |                                     samples/day=/dc=/part-*.avro
 *                            '---- undecodable ----> vigil.deadletter (Kafka)
 * </pre>
 *
 * <pre>{@code
 * new ArchiveJob(
 *                 KafkaConnectors.source(kafka, Topics.METRIC_SAMPLES, "vigil-archive"),
 *                 ArchiveFiles.samplesSink(options),
 *                 KafkaConnectors.deadLetterSink(kafka))
 *         .execute(env);
 * }</pre>
 *
 * <p>The job receives its source and sinks; {@link ArchiveJobMain} wires the real ones. It needs no
 * watermarks: the partition comes from each sample's own timestamp ({@link ArchiveBucketAssigner}),
 * so a late sample is simply archived in its day, never dropped.
 *
 * <p>The topic carries batches (one per host and collection, {@link MetricBatch}); the archive
 * keeps one record per sample as it always did ({@link FlattenBatches}: all labels, the sample's
 * own time), so the files' format does not depend on how samples travel. Flattening is chained to
 * the source: a batch is decoded once and no batch crosses the network.
 *
 * <p>Samples are keyed by their partition before the sink, so each partition has one writer: a
 * checkpoint then closes one file per active partition instead of one per partition and subtask
 * (fewer, larger files), and a series keeps its Kafka order within a file.
 */
public final class ArchiveJob {
    static final String NAME = "vigil archive";

    private final Source<Either<DeadLetter, MetricBatch>, ?, ?> samples;
    private final Sink<MetricSample> archive;
    private final Sink<DeadLetter> deadLetters;

    /**
     * @param samples decoded batches of samples or dead letters, for example from {@code
     *     KafkaConnectors.source(kafka, Topics.METRIC_SAMPLES, groupId)}
     * @param archive where samples are kept, normally {@link ArchiveFiles#samplesSink}
     * @param deadLetters where undecodable records go
     */
    public ArchiveJob(
            Source<Either<DeadLetter, MetricBatch>, ?, ?> samples,
            Sink<MetricSample> archive,
            Sink<DeadLetter> deadLetters) {
        this.samples = Objects.requireNonNull(samples, "samples");
        this.archive = Objects.requireNonNull(archive, "archive");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /** Adds the job's operators to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        // Without checkpoints a streaming FileSink never publishes a file: the archive would
        // stay empty while the job looks healthy.
        Preconditions.checkState(
                env.getCheckpointConfig().isCheckpointingEnabled()
                        || env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE)
                                == RuntimeExecutionMode.BATCH,
                "the archive publishes files on checkpoints; enable checkpointing"
                        + " (execution.checkpointing.interval or %s)",
                ArchiveOptions.CHECKPOINT_INTERVAL.key());

        DataStream<Either<DeadLetter, MetricBatch>> records =
                env.fromSource(samples, WatermarkStrategy.noWatermarks(), "Kafka: samples")
                        .uid("archive-samples-source")
                        .name("Kafka: samples");

        SingleOutputStreamOperator<MetricBatch> decoded =
                records.process(new DeadLetterSplitter<MetricBatch>())
                        .returns(new AvroTypeInfo<>(MetricBatch.class))
                        .uid("archive-split-dead-letters")
                        .name("Split off undecodable samples");

        // Stateless, so adding it leaves savepoints of the archive restorable; chained to the
        // splitter (same parallelism, forward), so batches never cross the network.
        DataStream<MetricSample> flat =
                decoded.flatMap(new FlattenBatches())
                        .returns(new AvroTypeInfo<>(MetricSample.class))
                        .uid("archive-flatten-batches")
                        .name("Flatten batches to samples");

        flat.keyBy(ArchiveBucketAssigner::bucketOf, Types.STRING)
                .sinkTo(archive)
                .uid("archive-samples-files")
                .name("Files: samples");

        decoded.getSideOutput(DeadLetters.TAG)
                .sinkTo(deadLetters)
                .uid("archive-dead-letter-sink")
                .name("Kafka: dead letters");
    }

    /** Builds and runs the job until it ends or is cancelled. */
    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute(NAME);
    }
}
