package io.vigil.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.schemas.MetricSample;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.junit.jupiter.api.Test;

class ArchiveBucketAssignerTest {
    private static final Instant LAST_MS_OF_NOV_24 = Instant.parse("2026-11-24T23:59:59.999Z");
    private static final Instant MIDNIGHT_NOV_25 = Instant.parse("2026-11-25T00:00:00Z");

    private final ArchiveBucketAssigner assigner = new ArchiveBucketAssigner();

    @Test
    void bucketsByTheUtcDayOfTheSamplesOwnTimestamp() {
        assertThat(bucketOf(LAST_MS_OF_NOV_24, Map.of("dc", "fra1")))
                .isEqualTo("day=2026-11-24/dc=fra1");
        assertThat(bucketOf(MIDNIGHT_NOV_25, Map.of("dc", "fra1")))
                .isEqualTo("day=2026-11-25/dc=fra1");
    }

    @Test
    void ignoresProcessingTimeAndWatermark() {
        // A context claiming a different day: the sample's own event time must win.
        BucketContext otherDay = new BucketContext(MIDNIGHT_NOV_25.plusSeconds(86_400 * 3));

        String bucket =
                assigner.getBucketId(sample(LAST_MS_OF_NOV_24, Map.of("dc", "ams2")), otherDay);

        assertThat(bucket).isEqualTo("day=2026-11-24/dc=ams2");
    }

    @Test
    void samplesWithoutADcGoToUnknown() {
        assertThat(bucketOf(MIDNIGHT_NOV_25, Map.of("host", "h1")))
                .isEqualTo("day=2026-11-25/dc=unknown");
        assertThat(bucketOf(MIDNIGHT_NOV_25, Map.of("dc", ""))).endsWith("/dc=unknown");
        assertThat(bucketOf(MIDNIGHT_NOV_25, Map.of("dc", "  "))).endsWith("/dc=unknown");
        Map<String, String> nullDc = new HashMap<>();
        nullDc.put("dc", null);
        assertThat(bucketOf(MIDNIGHT_NOV_25, nullDc)).endsWith("/dc=unknown");
    }

    @Test
    void keepsOrdinaryDcNamesAsTheyAre() {
        assertThat(ArchiveBucketAssigner.safeDc(Map.of("dc", "us-east_1.b")))
                .isEqualTo("us-east_1.b");
        assertThat(ArchiveBucketAssigner.safeDc(Map.of("dc", "FRA1"))).isEqualTo("FRA1");
    }

    @Test
    void pathUnsafeDcValuesStayOneSegmentBelowTheDay() {
        assertThat(bucketOf(MIDNIGHT_NOV_25, Map.of("dc", "../x")))
                .isEqualTo("day=2026-11-25/dc=.._x");
        assertThat(ArchiveBucketAssigner.safeDc(Map.of("dc", "/etc/passwd")))
                .isEqualTo("_etc_passwd");
        assertThat(ArchiveBucketAssigner.safeDc(Map.of("dc", "a\\b c=d%2F\n")))
                .isEqualTo("a_b_c_d_2F_");
        // One replacement per character, also outside the BMP.
        assertThat(ArchiveBucketAssigner.safeDc(Map.of("dc", "zürich-😀"))).isEqualTo("z_rich-_");
    }

    @Test
    void cutsAbsurdlyLongDcValues() {
        String dc = ArchiveBucketAssigner.safeDc(Map.of("dc", "x".repeat(10_000)));

        assertThat(dc).hasSize(ArchiveBucketAssigner.MAX_DC_LENGTH);
    }

    @Test
    void bucketIdsSurviveTheirSerializer() throws IOException {
        SimpleVersionedSerializer<String> serializer = assigner.getSerializer();
        String bucket = bucketOf(MIDNIGHT_NOV_25, Map.of("dc", "fra1"));

        byte[] bytes = serializer.serialize(bucket);

        assertThat(serializer.deserialize(serializer.getVersion(), bytes)).isEqualTo(bucket);
    }

    @Test
    void theDayFolderIsOneRetentionRecognises() {
        String bucket = bucketOf(MIDNIGHT_NOV_25, Map.of("dc", "fra1"));
        String dayFolder = bucket.substring(0, bucket.indexOf('/'));

        assertThat(ArchiveLayout.dayOf(dayFolder)).contains(LocalDate.of(2026, 11, 25));
    }

    private String bucketOf(Instant time, Map<String, String> labels) {
        return assigner.getBucketId(sample(time, labels), new BucketContext(time));
    }

    private static MetricSample sample(Instant time, Map<String, String> labels) {
        return new MetricSample("node_cpu_seconds_total", labels, 1.0, time.toEpochMilli());
    }

    /** A context whose clocks all read one instant. */
    private record BucketContext(Instant now) implements BucketAssigner.Context {
        @Override
        public long currentProcessingTime() {
            return now.toEpochMilli();
        }

        @Override
        public long currentWatermark() {
            return now.toEpochMilli();
        }

        @Override
        public Long timestamp() {
            return now.toEpochMilli();
        }
    }
}
