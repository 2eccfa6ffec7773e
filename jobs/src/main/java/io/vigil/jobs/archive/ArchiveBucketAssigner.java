package io.vigil.jobs.archive;

import io.vigil.schemas.Labels;
import io.vigil.schemas.MetricSample;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;

/**
 * Puts each sample in the partition {@code day=YYYY-MM-DD/dc=<dc>} of its own event time (UTC) and
 * its {@code dc} label.
 *
 * <pre>{@code
 * FileSink.forBulkFormat(new Path(base, "samples"), writers)
 *         .withBucketAssigner(new ArchiveBucketAssigner())
 *         ...
 * }</pre>
 *
 * <p>Event time, not processing time, so a sample replayed after an outage or arriving late still
 * lands in the day it describes, and a reprocessed archive comes out the same. Flink's {@code
 * DateTimeBucketAssigner} would bucket by the wall clock of the writer instead.
 *
 * <p>The {@code dc} value becomes part of a path, so anything but {@code [A-Za-z0-9._-]} is
 * replaced by {@code _} ({@code ../x} becomes {@code .._x}, one folder below {@code day=}, never a
 * traversal) and it is cut to {@value #MAX_DC_LENGTH} characters. Distinct odd values may then
 * share a folder; nothing is lost, since each record keeps its original labels.
 */
public final class ArchiveBucketAssigner implements BucketAssigner<MetricSample, String> {
    private static final long serialVersionUID = 1L;

    /** Long enough for any real data-centre name, short enough for any file system or S3 key. */
    static final int MAX_DC_LENGTH = 64;

    @Override
    public String getBucketId(MetricSample sample, Context context) {
        return bucketOf(sample);
    }

    @Override
    public SimpleVersionedSerializer<String> getSerializer() {
        return SimpleVersionedStringSerializer.INSTANCE;
    }

    /**
     * The partition of a sample, relative to the dataset folder: {@code day=2026-11-25/dc=fra1}.
     * The job also keys by it, so each partition has exactly one writer.
     */
    public static String bucketOf(MetricSample sample) {
        LocalDate day =
                LocalDate.ofInstant(Instant.ofEpochMilli(sample.getTimestamp()), ZoneOffset.UTC);
        return ArchiveLayout.dayPartition(day)
                + "/"
                + ArchiveLayout.dcPartition(safeDc(sample.getLabels()));
    }

    /** The {@code dc} label made safe as one path segment, or {@code unknown} without one. */
    static String safeDc(Map<String, String> labels) {
        String dc = labels == null ? null : labels.get(Labels.DC);
        if (dc == null || dc.isBlank()) {
            return ArchiveLayout.UNKNOWN_DC;
        }
        StringBuilder safe = new StringBuilder(Math.min(dc.length(), MAX_DC_LENGTH));
        // By code point, so one non-ASCII character becomes one '_', not two.
        dc.codePoints().limit(MAX_DC_LENGTH).forEach(c -> safe.append(isSafe(c) ? (char) c : '_'));
        return safe.toString();
    }

    private static boolean isSafe(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '-';
    }
}
