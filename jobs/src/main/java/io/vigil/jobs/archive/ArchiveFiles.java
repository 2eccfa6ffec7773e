package io.vigil.jobs.archive;

import io.vigil.jobs.ConnectionOptions;
import io.vigil.schemas.MetricSample;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.AvroWriterFactory;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.util.Preconditions;

/**
 * The archive's file sink: samples as deflate-compressed Avro container files under {@code
 * <base>/samples/day=YYYY-MM-DD/dc=<dc>/}, see {@link ArchiveLayout}.
 *
 * <pre>{@code
 * FileSink<MetricSample> files = ArchiveFiles.samplesSink(options); // vigil.archive.path, ...
 * }</pre>
 *
 * <p>Exactly once: {@link FileSink} writes hidden in-progress files and makes them visible only
 * when the checkpoint that covers them completes; after a failure, the job resumes from that
 * checkpoint and discards what it had written since. A bulk format cannot resume a half-written
 * file, so every checkpoint closes the open file of each partition: the checkpoint interval sets
 * the file size.
 */
public final class ArchiveFiles {
    private ArchiveFiles() {}

    /** The samples sink at {@link ArchiveOptions#PATH} with {@link ArchiveOptions}' settings. */
    public static FileSink<MetricSample> samplesSink(ReadableConfig options) {
        return samplesSink(
                ConnectionOptions.required(options, ArchiveOptions.PATH),
                options.get(ArchiveOptions.DEFLATE_LEVEL));
    }

    /**
     * The samples sink under a base path.
     *
     * @param basePath absolute, with or without a scheme: {@code file:///srv/archive}, {@code
     *     s3://bucket/prefix}
     * @param deflateLevel 1 to 9
     */
    public static FileSink<MetricSample> samplesSink(String basePath, int deflateLevel) {
        Path base = new Path(basePath);
        // A relative path would resolve against each TaskManager's working folder, scattering
        // the archive over machines.
        Preconditions.checkArgument(
                base.isAbsolute(), "the archive path must be absolute, got %s", basePath);
        return FileSink.forBulkFormat(
                        new Path(base, ArchiveLayout.SAMPLES), writerFactory(deflateLevel))
                .withBucketAssigner(new ArchiveBucketAssigner())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(
                        OutputFileConfig.builder()
                                .withPartPrefix(ArchiveLayout.PART_PREFIX)
                                .withPartSuffix(ArchiveLayout.PART_SUFFIX)
                                .build())
                .build();
    }

    /**
     * Writers of Avro container files of samples: the writer schema is in each file's header, so a
     * reader needs nothing but the file, even after the schema evolves. {@code
     * AvroWriters.forSpecificRecord} would do the same without compression.
     */
    static AvroWriterFactory<MetricSample> writerFactory(int deflateLevel) {
        Preconditions.checkArgument(
                deflateLevel >= 1 && deflateLevel <= 9,
                "the deflate level must be 1 to 9, got %s",
                deflateLevel);
        // The schema travels as a string: the factory is serialised into the job graph.
        String schema = MetricSample.getClassSchema().toString();
        return new AvroWriterFactory<>(
                out -> {
                    Schema parsed = new Schema.Parser().parse(schema);
                    DataFileWriter<MetricSample> writer =
                            new DataFileWriter<>(new SpecificDatumWriter<>(parsed));
                    writer.setCodec(CodecFactory.deflateCodec(deflateLevel));
                    return writer.create(parsed, out);
                });
    }
}
