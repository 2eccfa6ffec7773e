package io.vigil.jobs.archive;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** Options of the archive job. */
public final class ArchiveOptions {
    public static final ConfigOption<String> PATH =
            key("vigil.archive.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Base path of the archive: file:///srv/vigil-archive (a folder every"
                                    + " TaskManager sees, such as an NFS mount) or"
                                    + " s3://bucket/prefix (needs the flink-s3-fs-hadoop plugin)."
                                    + " Samples go to <path>/samples/day=YYYY-MM-DD/dc=<dc>/.");

    public static final ConfigOption<String> GROUP_ID =
            key("vigil.archive.group-id")
                    .stringType()
                    .defaultValue("vigil-archive")
                    .withDescription("Kafka consumer group; its committed offsets show the lag.");

    public static final ConfigOption<Long> STARTING_TIMESTAMP =
            key("vigil.archive.starting-timestamp")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "Without a checkpoint, start at the first sample Kafka received at or"
                                    + " after this time (ms since the epoch) instead of the"
                                    + " group's committed offsets.");

    public static final ConfigOption<Integer> DEFLATE_LEVEL =
            key("vigil.archive.deflate-level")
                    .intType()
                    .defaultValue(6)
                    .withDescription(
                            "Deflate level of the Avro files, 1 (fastest) to 9 (smallest). Files"
                                    + " are written once and kept for a year, so the default"
                                    + " favours size.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            key("vigil.archive.checkpoint-interval")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Checkpoint interval of this job, instead of the cluster's. Every"
                                    + " checkpoint closes one file per active partition, so a"
                                    + " longer interval gives fewer, larger files, visible later.");

    private ArchiveOptions() {}
}
