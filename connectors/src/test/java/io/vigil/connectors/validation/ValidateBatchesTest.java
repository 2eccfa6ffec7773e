package io.vigil.connectors.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.connectors.testing.RecordedOperatorMetrics;
import io.vigil.schemas.BatchSample;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.Labels;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ValidateBatchesTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final long T0 = NOW.toEpochMilli();
    private static final long AN_HOUR_AHEAD = NOW.plus(Duration.ofHours(1)).toEpochMilli();

    /** The labels a host's batches share, as the simulator and the agents send them. */
    private static final Map<String, String> WEB_1 =
            Map.of(
                    Labels.HOST, "web-1",
                    Labels.DC, "fra1",
                    Labels.CLUSTER, "web",
                    Labels.RACK, "r12");

    private ValidateBatches validate;
    private RecordedOperatorMetrics metrics;
    private OneInputStreamOperatorTestHarness<MetricBatch, MetricBatch> harness;

    @BeforeEach
    void setUp() throws Exception {
        metrics = new RecordedOperatorMetrics();
        validate =
                new ValidateBatches(
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

    private static BatchSample load(double value) {
        return new BatchSample("node_load1", new HashMap<>(), value, 0L);
    }

    private static BatchSample cpuIdle(double value) {
        return new BatchSample(
                "node_cpu_seconds_total",
                new HashMap<>(Map.of("cpu", "0", "mode", "idle")),
                value,
                0L);
    }

    private static MetricBatch batch(Map<String, String> shared, BatchSample... samples) {
        return new MetricBatch(new HashMap<>(shared), T0, new ArrayList<>(Arrays.asList(samples)));
    }

    private void process(MetricBatch batch) throws Exception {
        harness.processElement(batch, batch.getTimestamp());
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
        return metrics.count(ValidateBatches.METRIC_GROUP + "." + code.id());
    }

    /** The reason's code: what dashboards count dead letters by. */
    private static String codeOf(DeadLetter deadLetter) {
        return deadLetter.getReason().substring(0, deadLetter.getReason().indexOf(':'));
    }

    /** One sample per reason a sample of an otherwise valid batch can fail for. */
    static Stream<Arguments> invalidSamples() {
        Map<String, String> sixtyOneLabels = new HashMap<>();
        for (int i = 0; i < 61; i++) {
            sixtyOneLabels.put("l" + i, "v");
        }
        return Stream.of(
                Arguments.of(
                        Rejection.Code.INVALID_NAME,
                        new BatchSample("cpu-usage", new HashMap<>(), 1.0, 0L)),
                Arguments.of(
                        Rejection.Code.INVALID_LABEL_NAME,
                        new BatchSample("cpu", new HashMap<>(Map.of("__cpu", "0")), 1.0, 0L)),
                // With the four shared labels, 65: one more than allowed.
                Arguments.of(
                        Rejection.Code.TOO_MANY_LABELS,
                        new BatchSample("cpu", sixtyOneLabels, 1.0, 0L)),
                Arguments.of(
                        Rejection.Code.LABEL_VALUE_TOO_LONG,
                        new BatchSample(
                                "cpu", new HashMap<>(Map.of("path", "x".repeat(1025))), 1.0, 0L)),
                Arguments.of(Rejection.Code.NON_FINITE_VALUE, load(Double.NaN)),
                Arguments.of(
                        Rejection.Code.FUTURE_TIMESTAMP,
                        new BatchSample("node_load1", new HashMap<>(), 0.5, AN_HOUR_AHEAD - T0)),
                Arguments.of(
                        Rejection.Code.LABEL_CONFLICT,
                        new BatchSample(
                                "cpu", new HashMap<>(Map.of(Labels.HOST, "web-2")), 1.0, 0L)));
    }

    @Test
    void theInvalidSamplesCoverEveryReason() {
        Set<Rejection.Code> covered =
                invalidSamples()
                        .map(arguments -> (Rejection.Code) arguments.get()[0])
                        .collect(
                                Collectors.toCollection(
                                        () -> EnumSet.noneOf(Rejection.Code.class)));

        assertThat(covered).containsExactlyInAnyOrder(Rejection.Code.values());
    }

    @Test
    void registersAZeroCounterPerReasonAtStart() {
        for (Rejection.Code code : Rejection.Code.values()) {
            assertThat(rejected(code)).as(code.id()).isZero();
        }
    }

    @Test
    void passesAValidBatchOnAsTheSameObject() throws Exception {
        MetricBatch valid = batch(WEB_1, load(0.5), cpuIdle(1234.5), load(-0.0));
        List<MetricBatch> out = new ArrayList<>();

        // The harness hands out serialised copies, so identity is seen by calling the function.
        validate.processElement(valid, noSideOutputs(), new ListCollector<>(out));

        assertThat(out).singleElement().isSameAs(valid);
    }

    @Test
    void passesValidBatchesThroughUnchangedWithoutDeadLetters() throws Exception {
        MetricBatch first = batch(WEB_1, load(0.5), cpuIdle(1234.5));
        // Ten minutes ahead is still allowed; a second before is not the validator's business.
        MetricBatch second =
                batch(
                        WEB_1,
                        new BatchSample(
                                "node_load1",
                                new HashMap<>(),
                                0.25,
                                Duration.ofMinutes(10).toMillis()),
                        new BatchSample("node_load5", new HashMap<>(), 0.2, -1_000L));

        process(first);
        process(second);

        assertThat(harness.extractOutputValues()).containsExactly(first, second);
        assertThat(deadLetters()).isEmpty();
        assertThat(Arrays.stream(Rejection.Code.values()).mapToLong(this::rejected).sum()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSamples")
    void deadLettersExactlyTheInvalidSampleWithItsCodeAndKeepsTheOthersInOrder(
            Rejection.Code code, BatchSample invalid) throws Exception {
        BatchSample before = load(0.5);
        BatchSample after = cpuIdle(1234.5);
        MetricBatch mixed = batch(WEB_1, before, invalid, after);

        process(mixed);

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(
                        kept -> {
                            assertThat(kept.getLabels()).isEqualTo(WEB_1);
                            assertThat(kept.getTimestamp()).isEqualTo(T0);
                            assertThat(kept.getSamples()).containsExactly(before, after);
                        });
        assertThat(deadLetters()).hasSize(1);
        DeadLetter deadLetter = deadLetters().get(0);
        assertThat(deadLetter.getReason()).startsWith(code.id() + ": ");
        assertThat(deadLetter.getReason().length()).isLessThan(300);
        // The raw value is the sample alone, with what it shared: put back on the topic, it
        // reads as the same sample of the same series.
        MetricBatch raw = Topics.METRIC_SAMPLES.codec().decode(bytes(deadLetter.getRaw()));
        assertThat(raw.getLabels()).isEqualTo(WEB_1);
        assertThat(raw.getTimestamp()).isEqualTo(T0);
        // Field by field with Double.compare: Avro's equals holds NaN unequal to itself.
        assertThat(raw.getSamples())
                .singleElement()
                .usingRecursiveComparison()
                .withComparatorForType(Double::compare, Double.class)
                .isEqualTo(invalid);
        assertThat(bytes(deadLetter.getKey()))
                .isEqualTo(Topics.METRIC_SAMPLES.keyFormat().encode(MetricBatches.originId(mixed)));
        assertThat(deadLetter.getSourceTopic()).isEqualTo(Topics.METRIC_SAMPLES.name());
        assertThat(deadLetter.getPartition()).isNull();
        assertThat(deadLetter.getOffset()).isNull();
        assertThat(deadLetter.getFailedAt()).isEqualTo(T0);
        for (Rejection.Code other : Rejection.Code.values()) {
            assertThat(rejected(other)).as(other.id()).isEqualTo(other == code ? 1 : 0);
        }
    }

    @Test
    void dropsABatchWhoseEverySampleIsInvalidHavingDeadLetteredEachAlone() throws Exception {
        process(batch(WEB_1, load(Double.NaN), load(Double.POSITIVE_INFINITY)));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters())
                .hasSize(2)
                .allSatisfy(d -> assertThat(codeOf(d)).isEqualTo("non-finite-value"));
        assertThat(rejected(Rejection.Code.NON_FINITE_VALUE)).isEqualTo(2);
    }

    @Test
    void deadLettersABatchWithInvalidSharedLabelsWholeCountingEverySample() throws Exception {
        Map<String, String> badShared = new HashMap<>(WEB_1);
        badShared.put("__rack", "r12");
        MetricBatch bad = batch(badShared, load(0.5), cpuIdle(1234.5), load(0.75));

        process(bad);

        assertThat(harness.extractOutputValues()).isEmpty();
        DeadLetter deadLetter = deadLetters().get(0);
        assertThat(deadLetters()).hasSize(1);
        assertThat(codeOf(deadLetter)).isEqualTo(Rejection.Code.INVALID_LABEL_NAME.id());
        assertThat(deadLetter.getReason()).contains("\"__rack\"");
        assertThat(Topics.METRIC_SAMPLES.codec().decode(bytes(deadLetter.getRaw()))).isEqualTo(bad);
        assertThat(bytes(deadLetter.getKey()))
                .isEqualTo(Topics.METRIC_SAMPLES.keyFormat().encode(MetricBatches.originId(bad)));
        assertThat(deadLetter.getFailedAt()).isEqualTo(T0);
        // Counters count samples, not batches: three samples were turned away.
        assertThat(rejected(Rejection.Code.INVALID_LABEL_NAME)).isEqualTo(3);
    }

    @Test
    void deadLettersABatchSharingTooManyLabelsWhole() throws Exception {
        Map<String, String> sixtyFive = new HashMap<>();
        for (int i = 0; i < 65; i++) {
            sixtyFive.put("l" + i, "v");
        }

        process(batch(sixtyFive, load(0.5), load(0.75)));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(codeOf(d)).isEqualTo("too-many-labels"));
        assertThat(rejected(Rejection.Code.TOO_MANY_LABELS)).isEqualTo(2);
    }

    @Test
    void refusesASampleLabelTheBatchAlsoSharesNamingIt() throws Exception {
        BatchSample conflicting =
                new BatchSample("node_load1", new HashMap<>(Map.of(Labels.DC, "ams1")), 0.5, 0L);

        process(batch(WEB_1, conflicting, load(0.25)));

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(kept -> assertThat(kept.getSamples()).containsExactly(load(0.25)));
        assertThat(deadLetters())
                .singleElement()
                .satisfies(
                        d ->
                                assertThat(d.getReason())
                                        .startsWith(
                                                "label-conflict: label \"dc\" of metric"
                                                        + " \"node_load1\""));
        assertThat(rejected(Rejection.Code.LABEL_CONFLICT)).isEqualTo(1);
    }

    @Test
    void countsRejectsPerReasonAcrossBatches() throws Exception {
        BatchSample valid = load(0.25);
        BatchSample future =
                new BatchSample("node_load1", new HashMap<>(), 0.5, AN_HOUR_AHEAD - T0);

        process(batch(WEB_1, load(Double.NaN), valid, load(Double.POSITIVE_INFINITY)));
        process(batch(WEB_1, future, valid));

        assertThat(harness.extractOutputValues())
                .extracting(MetricBatch::getSamples)
                .containsExactly(List.of(valid), List.of(valid));
        assertThat(deadLetters())
                .extracting(ValidateBatchesTest::codeOf)
                .containsExactly("non-finite-value", "non-finite-value", "future-timestamp");
        assertThat(rejected(Rejection.Code.NON_FINITE_VALUE)).isEqualTo(2);
        assertThat(rejected(Rejection.Code.FUTURE_TIMESTAMP)).isEqualTo(1);
        assertThat(Arrays.stream(Rejection.Code.values()).mapToLong(this::rejected).sum())
                .isEqualTo(3);
    }

    @Test
    void dropsAnEmptyBatch() throws Exception {
        process(batch(WEB_1));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).isEmpty();
    }

    /** Collects into a list, keeping the objects as they were emitted. */
    private record ListCollector<T>(List<T> out) implements Collector<T> {
        @Override
        public void collect(T record) {
            out.add(record);
        }

        @Override
        public void close() {}
    }

    /**
     * A context for a direct call of the function on a valid batch: the function must neither read
     * timers nor emit side outputs there, so each of these fails the test.
     */
    private ValidateBatches.Context noSideOutputs() {
        return validate.new Context() {
            @Override
            public Long timestamp() {
                return T0;
            }

            @Override
            public TimerService timerService() {
                throw new AssertionError("no timers expected");
            }

            @Override
            public <X> void output(OutputTag<X> outputTag, X value) {
                throw new AssertionError("no side output expected, got " + value);
            }
        };
    }
}
