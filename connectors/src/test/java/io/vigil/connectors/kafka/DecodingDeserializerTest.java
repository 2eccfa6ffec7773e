package io.vigil.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Labels;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DecodingDeserializerTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final long T0 = NOW.toEpochMilli();
    private static final Map<String, String> WEB_1 =
            Map.of(Labels.HOST, "web-1", Labels.DC, "fra1", Labels.CLUSTER, "web");
    private static final MetricBatch BATCH =
            MetricBatches.builder(WEB_1, T0)
                    .add("node_load1", 0.5)
                    .add("node_cpu_seconds_total", Map.of("cpu", "0", "mode", "idle"), 1234.5)
                    .build();

    private final DecodingDeserializer<MetricBatch> deserializer =
            new DecodingDeserializer<>(Topics.METRIC_SAMPLES, Clock.fixed(NOW, ZoneOffset.UTC));

    private List<Either<DeadLetter, MetricBatch>> deserialize(byte[] key, byte[] value) {
        List<Either<DeadLetter, MetricBatch>> out = new ArrayList<>();
        deserializer.deserialize(
                new ConsumerRecord<>(Topics.METRIC_SAMPLES.name(), 3, 42L, key, value),
                new Collector<>() {
                    @Override
                    public void collect(Either<DeadLetter, MetricBatch> record) {
                        out.add(record);
                    }

                    @Override
                    public void close() {}
                });
        return out;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void decodesBatches() {
        List<Either<DeadLetter, MetricBatch>> out =
                deserialize(null, Topics.METRIC_SAMPLES.codec().encode(BATCH));

        assertThat(out).singleElement().satisfies(r -> assertThat(r.right()).isEqualTo(BATCH));
    }

    /** A producer not yet upgraded still writes one MetricSample per record. */
    @Test
    void decodesALegacySampleAsABatchOfOne() {
        MetricSample legacy = new MetricSample("node_load1", WEB_1, 0.5, T0);

        List<Either<DeadLetter, MetricBatch>> out =
                deserialize(null, AvroCodec.of(MetricSample.class).encode(legacy));

        assertThat(out)
                .singleElement()
                .satisfies(
                        r -> {
                            MetricBatch batch = r.right();
                            assertThat(batch.getLabels()).isEqualTo(WEB_1);
                            assertThat(batch.getTimestamp()).isEqualTo(T0);
                            assertThat(batch.getSamples()).hasSize(1);
                            assertThat(MetricBatches.sample(batch, 0)).isEqualTo(legacy);
                        });
    }

    @Test
    void turnsGarbageIntoADeadLetterWithOriginAndReason() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] garbage = {1, 2, 3};

        DeadLetter deadLetter = deserialize(key, garbage).get(0).left();

        assertThat(deadLetter.getSourceTopic()).isEqualTo(Topics.METRIC_SAMPLES.name());
        assertThat(deadLetter.getPartition()).isEqualTo(3);
        assertThat(deadLetter.getOffset()).isEqualTo(42L);
        assertThat(deadLetter.getReason()).startsWith("undecodable: not a MetricBatch");
        assertThat(bytes(deadLetter.getRaw())).isEqualTo(garbage);
        assertThat(bytes(deadLetter.getKey())).isEqualTo(key);
        assertThat(deadLetter.getFailedAt()).isEqualTo(T0);
    }

    /**
     * A valid header followed by a map whose first key claims 8 MiB: before the decoder walked the
     * data, such a record made the job allocate what the length claimed and fail, again after each
     * restart. Now it is a dead letter like any other undecodable record.
     */
    @Test
    void turnsAHostileLengthPrefixIntoADeadLetter() {
        byte[] hostile = Arrays.copyOf(Topics.METRIC_SAMPLES.codec().encode(BATCH), 15);
        // After the 10-byte header: a map block of one entry, then a key length of 8 MiB as a
        // zig-zag varint, and no bytes left for it.
        hostile[10] = 2;
        hostile[11] = (byte) 0x80;
        hostile[12] = (byte) 0x80;
        hostile[13] = (byte) 0x80;
        hostile[14] = (byte) 0x08;

        List<Either<DeadLetter, MetricBatch>> out = deserialize(null, hostile);

        assertThat(out).singleElement().satisfies(r -> assertThat(r.isLeft()).isTrue());
        DeadLetter deadLetter = out.get(0).left();
        assertThat(deadLetter.getReason()).startsWith("undecodable: malformed MetricBatch: ");
        assertThat(bytes(deadLetter.getRaw())).isEqualTo(hostile);
        assertThat(deadLetter.getPartition()).isEqualTo(3);
        assertThat(deadLetter.getOffset()).isEqualTo(42L);
    }

    @Test
    void turnsATombstoneIntoADeadLetter() {
        DeadLetter deadLetter = deserialize(null, null).get(0).left();

        assertThat(deadLetter.getReason()).startsWith("empty");
        assertThat(deadLetter.getRaw().remaining()).isZero();
    }

    @Test
    void splitterRoutesDeadLettersToTheSideOutput() throws Exception {
        DeadLetter deadLetter = deserialize(null, new byte[] {9}).get(0).left();
        try (OneInputStreamOperatorTestHarness<Either<DeadLetter, MetricBatch>, MetricBatch>
                harness =
                        new OneInputStreamOperatorTestHarness<>(
                                new ProcessOperator<>(new DeadLetterSplitter<MetricBatch>()))) {
            harness.open();

            harness.processElement(Either.Right(BATCH), 1);
            harness.processElement(Either.Left(deadLetter), 2);

            assertThat(harness.extractOutputValues()).containsExactly(BATCH);
            assertThat(harness.getSideOutput(DeadLetters.TAG))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(deadLetter);
        }
    }
}
