package io.vigil.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
    private static final MetricSample SAMPLE =
            new MetricSample("node_load1", Map.of("host", "web-1"), 0.5, NOW.toEpochMilli());

    private final DecodingDeserializer<MetricSample> deserializer =
            new DecodingDeserializer<>(Topics.METRIC_SAMPLES, Clock.fixed(NOW, ZoneOffset.UTC));

    private List<Either<DeadLetter, MetricSample>> deserialize(byte[] key, byte[] value) {
        List<Either<DeadLetter, MetricSample>> out = new ArrayList<>();
        deserializer.deserialize(
                new ConsumerRecord<>(Topics.METRIC_SAMPLES.name(), 3, 42L, key, value),
                new Collector<>() {
                    @Override
                    public void collect(Either<DeadLetter, MetricSample> record) {
                        out.add(record);
                    }

                    @Override
                    public void close() {}
                });
        return out;
    }

    @Test
    void decodesGoodRecords() {
        List<Either<DeadLetter, MetricSample>> out =
                deserialize(null, Topics.METRIC_SAMPLES.codec().encode(SAMPLE));

        assertThat(out).singleElement().satisfies(r -> assertThat(r.right()).isEqualTo(SAMPLE));
    }

    @Test
    void turnsGarbageIntoADeadLetterWithOriginAndReason() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] garbage = {1, 2, 3};

        DeadLetter deadLetter = deserialize(key, garbage).get(0).left();

        assertThat(deadLetter.getSourceTopic()).isEqualTo(Topics.METRIC_SAMPLES.name());
        assertThat(deadLetter.getPartition()).isEqualTo(3);
        assertThat(deadLetter.getOffset()).isEqualTo(42L);
        assertThat(deadLetter.getReason()).startsWith("undecodable: not a MetricSample");
        assertThat(deadLetter.getRaw().array()).isEqualTo(garbage);
        assertThat(deadLetter.getKey().array()).isEqualTo(key);
        assertThat(deadLetter.getFailedAt()).isEqualTo(NOW.toEpochMilli());
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
        try (OneInputStreamOperatorTestHarness<Either<DeadLetter, MetricSample>, MetricSample>
                harness =
                        new OneInputStreamOperatorTestHarness<>(
                                new ProcessOperator<>(new DeadLetterSplitter<MetricSample>()))) {
            harness.open();

            harness.processElement(Either.Right(SAMPLE), 1);
            harness.processElement(Either.Left(deadLetter), 2);

            assertThat(harness.extractOutputValues()).containsExactly(SAMPLE);
            assertThat(harness.getSideOutput(DeadLetters.TAG))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(deadLetter);
        }
    }
}
