package io.vigil.connectors.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import io.vigil.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ValidateSamplesTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final long T0 = NOW.toEpochMilli();
    private static final long AN_HOUR_AHEAD = NOW.plus(Duration.ofHours(1)).toEpochMilli();
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");

    private RecordedOperatorMetrics metrics;
    private OneInputStreamOperatorTestHarness<MetricSample, MetricSample> harness;

    @BeforeEach
    void setUp() throws Exception {
        metrics = new RecordedOperatorMetrics();
        ValidateSamples validate =
                new ValidateSamples(
                        SampleValidator.builder().build(), Clock.fixed(NOW, ZoneOffset.UTC));
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(validate), metrics.environment());
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
        metrics.close();
    }

    private static MetricSample cpu(double value, long timestamp) {
        return new MetricSample("node_cpu_usage_ratio", WEB_1, value, timestamp);
    }

    private void process(MetricSample sample) throws Exception {
        harness.processElement(sample, sample.getTimestamp());
    }

    private List<DeadLetter> deadLetters() {
        Queue<StreamRecord<DeadLetter>> side = harness.getSideOutput(DeadLetters.TAG);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private long rejected(Rejection.Code code) {
        return metrics.count(ValidateSamples.METRIC_GROUP + "." + code.id());
    }

    /** One sample per reason, each wrong in exactly that way. */
    static Stream<Arguments> invalidSamples() {
        Map<String, String> sixtyFiveLabels = new HashMap<>();
        for (int i = 0; i < 65; i++) {
            sixtyFiveLabels.put("l" + i, "v");
        }
        return Stream.of(
                Arguments.of(
                        Rejection.Code.INVALID_NAME, new MetricSample("cpu-usage", WEB_1, 1.0, T0)),
                Arguments.of(
                        Rejection.Code.INVALID_LABEL_NAME,
                        new MetricSample("cpu", Map.of("__host", "web-1"), 1.0, T0)),
                Arguments.of(
                        Rejection.Code.TOO_MANY_LABELS,
                        new MetricSample("cpu", sixtyFiveLabels, 1.0, T0)),
                Arguments.of(
                        Rejection.Code.LABEL_VALUE_TOO_LONG,
                        new MetricSample("cpu", Map.of("path", "x".repeat(1025)), 1.0, T0)),
                Arguments.of(Rejection.Code.NON_FINITE_VALUE, cpu(Double.NaN, T0)),
                Arguments.of(Rejection.Code.FUTURE_TIMESTAMP, cpu(0.5, AN_HOUR_AHEAD)));
    }

    @Test
    void registersAZeroCounterPerReasonAtStart() {
        for (Rejection.Code code : Rejection.Code.values()) {
            assertThat(rejected(code)).as(code.id()).isZero();
        }
    }

    @Test
    void passesValidSamplesThroughUnchanged() throws Exception {
        MetricSample first = cpu(0.5, T0 - 1_000);
        MetricSample second = cpu(-0.0, T0 + Duration.ofMinutes(10).toMillis());

        process(first);
        process(second);

        assertThat(harness.extractOutputValues()).containsExactly(first, second);
        assertThat(deadLetters()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSamples")
    void sendsEachInvalidSampleToTheDeadLettersWithItsCodeAndBytes(
            Rejection.Code code, MetricSample invalid) throws Exception {
        process(invalid);

        assertThat(harness.extractOutputValues()).isEmpty();
        DeadLetter deadLetter = deadLetters().get(0);
        assertThat(deadLetters()).hasSize(1);
        assertThat(deadLetter.getReason()).startsWith(code.id() + ": ");
        assertThat(deadLetter.getReason().length()).isLessThan(300);
        byte[] raw = bytes(deadLetter.getRaw());
        assertThat(raw).isEqualTo(Topics.METRIC_SAMPLES.codec().encode(invalid));
        // Field by field with Double.compare: Avro's equals holds NaN unequal to itself.
        assertThat(Topics.METRIC_SAMPLES.codec().decode(raw))
                .usingRecursiveComparison()
                .withComparatorForType(Double::compare, Double.class)
                .isEqualTo(invalid);
        assertThat(bytes(deadLetter.getKey()))
                .isEqualTo(Topics.METRIC_SAMPLES.keyFormat().encode(SeriesIds.of(invalid)));
        assertThat(deadLetter.getSourceTopic()).isEqualTo(Topics.METRIC_SAMPLES.name());
        assertThat(deadLetter.getPartition()).isNull();
        assertThat(deadLetter.getOffset()).isNull();
        assertThat(deadLetter.getFailedAt()).isEqualTo(T0);
        for (Rejection.Code other : Rejection.Code.values()) {
            assertThat(rejected(other)).as(other.id()).isEqualTo(other == code ? 1 : 0);
        }
    }

    @Test
    void countsRejectsPerReasonAndLetsTheRestThrough() throws Exception {
        MetricSample valid = cpu(0.25, T0);

        process(cpu(Double.NaN, T0));
        process(valid);
        process(cpu(Double.POSITIVE_INFINITY, T0));
        process(cpu(0.5, AN_HOUR_AHEAD));

        assertThat(harness.extractOutputValues()).containsExactly(valid);
        assertThat(deadLetters())
                .extracting(d -> d.getReason().substring(0, d.getReason().indexOf(':')))
                .containsExactly("non-finite-value", "non-finite-value", "future-timestamp");
        assertThat(rejected(Rejection.Code.NON_FINITE_VALUE)).isEqualTo(2);
        assertThat(rejected(Rejection.Code.FUTURE_TIMESTAMP)).isEqualTo(1);
        assertThat(Arrays.stream(Rejection.Code.values()).mapToLong(this::rejected).sum())
                .isEqualTo(3);
    }
}
