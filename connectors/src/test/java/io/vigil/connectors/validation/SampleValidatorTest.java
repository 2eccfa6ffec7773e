package io.vigil.connectors.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.schemas.BatchSample;
import io.vigil.schemas.Labels;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class SampleValidatorTest {
    private static final long NOW = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();
    private static final long TEN_MINUTES = Duration.ofMinutes(10).toMillis();
    private static final Map<String, String> WEB_1 = Map.of("host", "web-1");

    /** What a host's batches share: its place in the fleet. */
    private static final Map<String, String> WEB_1_SHARED =
            Map.of(
                    Labels.HOST,
                    "web-1",
                    Labels.DC,
                    "fra1",
                    Labels.CLUSTER,
                    "web",
                    Labels.RACK,
                    "r1");

    private final SampleValidator validator = SampleValidator.builder().build();

    private static MetricSample sample(String name, Map<String, String> labels, double value) {
        return new MetricSample(name, labels, value, NOW);
    }

    private static MetricSample cpu(double value) {
        return sample("node_cpu_usage_ratio", WEB_1, value);
    }

    private static MetricSample cpuAt(long timestamp) {
        return new MetricSample("node_cpu_usage_ratio", WEB_1, 0.5, timestamp);
    }

    private Optional<Rejection> validate(MetricSample sample) {
        return validator.validate(sample, NOW);
    }

    private static Map<String, String> labels(int count) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < count; i++) {
            labels.put("label_" + i, "value");
        }
        return labels;
    }

    @Test
    void acceptsAnOrdinarySample() {
        assertThat(validate(cpu(0.5))).isEmpty();
    }

    @Test
    void acceptsEveryCharacterOfTheMetricNameSyntax() {
        assertThat(validate(sample("a", WEB_1, 1))).isEmpty();
        assertThat(validate(sample("_", WEB_1, 1))).isEmpty();
        assertThat(validate(sample(":recording:rule_1", WEB_1, 1))).isEmpty();
        assertThat(validate(sample("Az_09:", Map.of(), 1))).isEmpty();
    }

    @Test
    void rejectsAnEmptyName() {
        assertThat(validate(sample("", WEB_1, 1)))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.INVALID_NAME);
                            assertThat(r.reason())
                                    .isEqualTo("invalid-name: the metric name is empty");
                        });
    }

    @Test
    void rejectsNamesOutsideThePrometheusSyntax() {
        for (String name : new String[] {"1cpu", "cpu-usage", "cpu usage", "cpu.usage", "ÿcpu"}) {
            assertThat(validate(sample(name, WEB_1, 1)))
                    .as(name)
                    .hasValueSatisfying(
                            r -> {
                                assertThat(r.code()).isEqualTo(Rejection.Code.INVALID_NAME);
                                assertThat(r.reason()).startsWith("invalid-name: \"" + name + "\"");
                            });
        }
    }

    @Test
    void rejectsLabelNamesOutsideThePrometheusSyntaxNamingTheLabel() {
        for (String label : new String[] {"", "1host", "host-name", "host:name", "hôst"}) {
            assertThat(validate(sample("up", Map.of(label, "x"), 1)))
                    .as(label)
                    .hasValueSatisfying(
                            r -> {
                                assertThat(r.code()).isEqualTo(Rejection.Code.INVALID_LABEL_NAME);
                                assertThat(r.detail())
                                        .startsWith("label \"" + label + "\" of metric \"up\"");
                            });
        }
    }

    @Test
    void rejectsReservedLabelNames() {
        assertThat(validate(sample("up", Map.of("__name__", "up"), 1)))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.INVALID_LABEL_NAME);
                            assertThat(r.detail()).contains("\"__name__\"").contains("reserved");
                        });
        // One underscore is an ordinary name.
        assertThat(validate(sample("up", Map.of("_host", "a"), 1))).isEmpty();
    }

    @Test
    void acceptsExactlyTheMaximumNumberOfLabels() {
        assertThat(validate(sample("up", labels(64), 1))).isEmpty();
    }

    @Test
    void rejectsOneLabelTooMany() {
        assertThat(validate(sample("up", labels(65), 1)))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.TOO_MANY_LABELS);
                            assertThat(r.reason())
                                    .isEqualTo(
                                            "too-many-labels: metric \"up\" has 65 labels, at most"
                                                    + " 64 are allowed");
                        });
    }

    @Test
    void takesTheLabelLimitFromTheOptions() {
        Configuration options = new Configuration();
        options.set(SampleValidationOptions.MAX_LABELS, 2);
        SampleValidator strict = SampleValidator.builder().options(options).build();

        assertThat(strict.validate(sample("up", labels(2), 1), NOW)).isEmpty();
        assertThat(strict.validate(sample("up", labels(3), 1), NOW))
                .map(Rejection::code)
                .hasValue(Rejection.Code.TOO_MANY_LABELS);
    }

    @Test
    void acceptsALabelValueOfExactlyTheMaximumBytes() {
        assertThat(validate(sample("up", Map.of("path", "a".repeat(1024)), 1))).isEmpty();
        // 512 two-byte characters are 1024 bytes too.
        assertThat(validate(sample("up", Map.of("path", "é".repeat(512)), 1))).isEmpty();
    }

    @Test
    void rejectsALabelValueOneByteTooLongNamingTheLabelAndCuttingTheValue() {
        String value = "a".repeat(1025);

        Optional<Rejection> rejection = validate(sample("up", Map.of("path", value), 1));

        assertThat(rejection)
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.LABEL_VALUE_TOO_LONG);
                            assertThat(r.detail())
                                    .startsWith(
                                            "label \"path\" of metric \"up\" has a value of 1025"
                                                    + " bytes (UTF-8), at most 1024 are allowed")
                                    .endsWith("... (1025 chars)");
                            assertThat(r.reason().length()).isLessThan(250);
                        });
    }

    @Test
    void countsLabelValuesInBytesOfUtf8NotInChars() {
        // 342 chars but 1026 bytes: three bytes each.
        String euros = "€".repeat(342);
        assertThat(euros.getBytes(StandardCharsets.UTF_8)).hasSize(1026);
        // 256 emoji: 512 chars (surrogate pairs) but 1024 bytes, and one more is too many.
        String emoji = "\uD83D\uDE00".repeat(256);
        assertThat(emoji.getBytes(StandardCharsets.UTF_8)).hasSize(1024);

        assertThat(validate(sample("up", Map.of("v", euros), 1)))
                .map(Rejection::code)
                .hasValue(Rejection.Code.LABEL_VALUE_TOO_LONG);
        assertThat(validate(sample("up", Map.of("v", emoji), 1))).isEmpty();
        assertThat(validate(sample("up", Map.of("v", emoji + "a"), 1)))
                .map(Rejection::code)
                .hasValue(Rejection.Code.LABEL_VALUE_TOO_LONG);
    }

    @Test
    void countsBytesAsStringGetBytesDoes() {
        for (String s :
                new String[] {
                    "",
                    "plain",
                    "é",
                    "€",
                    "\uD83D\uDE00",
                    "\uD83D",
                    "\uDE00",
                    "a\uD83Db",
                    "\u07FF\u0800"
                }) {
            assertThat(SampleValidator.utf8Length(s))
                    .as(s)
                    .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void rejectsNaNAndInfinitiesByDefault() {
        for (double value :
                new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThat(validate(cpu(value)))
                    .as("%s", value)
                    .hasValueSatisfying(
                            r -> {
                                assertThat(r.code()).isEqualTo(Rejection.Code.NON_FINITE_VALUE);
                                assertThat(r.detail())
                                        .contains("\"node_cpu_usage_ratio\"")
                                        .contains(Double.toString(value));
                            });
        }
    }

    @Test
    void acceptsNegativeZeroSubnormalsAndExtremesAsFinite() {
        for (double value :
                new double[] {
                    -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE
                }) {
            assertThat(validate(cpu(value))).as("%s", value).isEmpty();
        }
    }

    @Test
    void acceptsNonFiniteValuesWhenAllowed() {
        // The bits Prometheus writes as a staleness marker: a NaN like any other to Java.
        double staleNaN = Double.longBitsToDouble(0x7ff0000000000002L);
        SampleValidator lenient = SampleValidator.builder().allowNonFiniteValues(true).build();

        assertThat(lenient.validate(cpu(staleNaN), NOW)).isEmpty();
        assertThat(lenient.validate(cpu(Double.NaN), NOW)).isEmpty();
        assertThat(lenient.validate(cpu(Double.POSITIVE_INFINITY), NOW)).isEmpty();
        assertThat(validate(cpu(staleNaN)))
                .map(Rejection::code)
                .hasValue(Rejection.Code.NON_FINITE_VALUE);
    }

    @Test
    void acceptsTimestampsUpToTheMaximumAheadOfTheClock() {
        assertThat(validate(cpuAt(NOW + TEN_MINUTES))).isEmpty();
        // The past is the watermark's business (late), not the validator's.
        assertThat(validate(cpuAt(0))).isEmpty();
        assertThat(validate(cpuAt(Long.MIN_VALUE))).isEmpty();
    }

    @Test
    void rejectsTimestampsFurtherAheadSayingByHowMuch() {
        assertThat(validate(cpuAt(NOW + TEN_MINUTES + 1)))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.FUTURE_TIMESTAMP);
                            assertThat(r.reason())
                                    .isEqualTo(
                                            "future-timestamp: metric \"node_cpu_usage_ratio\" at"
                                                + " 2026-11-25T10:10:00.001Z is PT10M0.001S ahead"
                                                + " of the clock (2026-11-25T10:00:00Z), at most"
                                                + " PT10M is allowed");
                        });
        assertThat(validate(cpuAt(Long.MAX_VALUE)))
                .map(Rejection::code)
                .hasValue(Rejection.Code.FUTURE_TIMESTAMP);
    }

    @Test
    void measuresTheFutureAgainstTheClockItIsGiven() {
        long anHourLater = NOW + Duration.ofHours(1).toMillis();

        assertThat(validator.validate(cpuAt(anHourLater), NOW)).isPresent();
        assertThat(validator.validate(cpuAt(anHourLater), anHourLater)).isEmpty();
    }

    @Test
    void takesTheFutureLimitFromTheOptionsWithoutOverflowing() {
        Configuration options = new Configuration();
        // As good as no limit: now + limit is beyond Long.MAX_VALUE.
        options.set(SampleValidationOptions.MAX_TIME_AHEAD, Duration.ofMillis(Long.MAX_VALUE));
        SampleValidator forgiving = SampleValidator.builder().options(options).build();

        assertThat(forgiving.validate(cpuAt(Long.MAX_VALUE), NOW)).isEmpty();
    }

    @Test
    void reportsTheFirstProblemInNameLabelsValueTimestampOrder() {
        MetricSample everythingWrong =
                new MetricSample("1cpu", Map.of("__x", "y"), Double.NaN, Long.MAX_VALUE);
        MetricSample badLabelAndValue =
                new MetricSample("cpu", Map.of("__x", "y"), Double.NaN, Long.MAX_VALUE);
        MetricSample badValueAndTime = new MetricSample("cpu", WEB_1, Double.NaN, Long.MAX_VALUE);

        assertThat(validate(everythingWrong))
                .map(Rejection::code)
                .hasValue(Rejection.Code.INVALID_NAME);
        assertThat(validate(badLabelAndValue))
                .map(Rejection::code)
                .hasValue(Rejection.Code.INVALID_LABEL_NAME);
        assertThat(validate(badValueAndTime))
                .map(Rejection::code)
                .hasValue(Rejection.Code.NON_FINITE_VALUE);
    }

    @Test
    void quotesNamesOnOneLineAndShortWithoutSplittingSurrogatePairs() {
        assertThat(SampleValidator.quote("a\"b\\c\nd")).isEqualTo("\"a\\\"b\\\\c\\u000ad\"");
        String cutInAPair = "a".repeat(SampleValidator.MAX_QUOTED_CHARS - 1) + "\uD83D\uDE00";

        assertThat(SampleValidator.quote(cutInAPair))
                .isEqualTo(
                        "\""
                                + "a".repeat(SampleValidator.MAX_QUOTED_CHARS - 1)
                                + "\"... (65 chars)");
    }

    @Test
    void refusesNegativeLimits() {
        assertThatThrownBy(() -> SampleValidator.builder().maxLabels(-1).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxLabels");
        assertThatThrownBy(() -> SampleValidator.builder().maxLabelValueBytes(-1).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxLabelValueBytes");
        assertThatThrownBy(
                        () ->
                                SampleValidator.builder()
                                        .maxTimeAhead(Duration.ofSeconds(-1))
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxTimeAhead");
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
        SampleValidator shipped =
                InstantiationUtil.clone(
                        SampleValidator.builder().maxLabels(1).build(),
                        getClass().getClassLoader());

        assertThat(shipped.validate(sample("up", labels(2), 1), NOW))
                .map(Rejection::code)
                .hasValue(Rejection.Code.TOO_MANY_LABELS);
    }

    // The batch API: shared labels once per batch, then each sample with its own labels.

    private static MetricBatch batchOf(Map<String, String> shared, BatchSample... samples) {
        return new MetricBatch(new HashMap<>(shared), NOW, new ArrayList<>(List.of(samples)));
    }

    private static BatchSample own(String name, Map<String, String> labels, double value) {
        return new BatchSample(name, new HashMap<>(labels), value, 0L);
    }

    private static BatchSample load(double value) {
        return own("node_load1", Map.of(), value);
    }

    /** Validates sample {@code i} of a batch, as the operator does after the shared labels. */
    private Optional<Rejection> validate(MetricBatch batch, int i) {
        return validator.validate(batch, i, NOW);
    }

    @Test
    void acceptsAnOrdinaryBatch() {
        MetricBatch batch =
                batchOf(
                        WEB_1_SHARED,
                        load(0.5),
                        own("node_cpu_seconds_total", Map.of("cpu", "0", "mode", "idle"), 12.5));

        assertThat(validator.validateShared(batch)).isEmpty();
        assertThat(validate(batch, 0)).isEmpty();
        assertThat(validate(batch, 1)).isEmpty();
    }

    @Test
    void acceptsABatchWithNoSharedLabels() {
        MetricBatch batch = batchOf(Map.of(), own("up", Map.of("job", "node"), 1));

        assertThat(validator.validateShared(batch)).isEmpty();
        assertThat(validate(batch, 0)).isEmpty();
    }

    @Test
    void rejectsInvalidSharedLabelsOnceForTheBatch() {
        Map<String, String> reserved = new HashMap<>(WEB_1_SHARED);
        reserved.put("__host", "web-1");
        Map<String, String> badName = new HashMap<>(WEB_1_SHARED);
        badName.put("data-centre", "fra1");

        assertThat(validator.validateShared(batchOf(reserved, load(1))))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.INVALID_LABEL_NAME);
                            assertThat(r.detail())
                                    .contains("\"__host\"")
                                    .contains("shared by the batch");
                        });
        assertThat(validator.validateShared(batchOf(badName, load(1))))
                .map(Rejection::code)
                .hasValue(Rejection.Code.INVALID_LABEL_NAME);
    }

    @Test
    void rejectsASharedLabelValueTooLong() {
        Map<String, String> shared = new HashMap<>(WEB_1_SHARED);
        shared.put("rack", "r".repeat(1025));

        assertThat(validator.validateShared(batchOf(shared, load(1))))
                .map(Rejection::code)
                .hasValue(Rejection.Code.LABEL_VALUE_TOO_LONG);
    }

    @Test
    void rejectsTooManySharedLabelsSayingTheBatchSharesThem() {
        assertThat(validator.validateShared(batchOf(labels(64), load(1)))).isEmpty();
        assertThat(validator.validateShared(batchOf(labels(65), load(1))))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.TOO_MANY_LABELS);
                            assertThat(r.reason())
                                    .isEqualTo(
                                            "too-many-labels: a batch shares 65 labels, at most 64"
                                                    + " are allowed");
                        });
    }

    @Test
    void countsASamplesOwnLabelsTogetherWithTheSharedOnes() {
        // Four shared labels: sixty of its own make 64, sixty-one make 65.
        MetricBatch batch =
                batchOf(WEB_1_SHARED, own("up", labels(60), 1), own("up", labels(61), 1));

        assertThat(validate(batch, 0)).isEmpty();
        assertThat(validate(batch, 1))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.TOO_MANY_LABELS);
                            assertThat(r.detail())
                                    .isEqualTo(
                                            "metric \"up\" has 65 labels, at most 64 are allowed");
                        });
    }

    @Test
    void rejectsAnOwnLabelTheBatchAlsoSharesNamingLabelAndMetric() {
        MetricBatch batch =
                batchOf(WEB_1_SHARED, own("node_load1", Map.of(Labels.HOST, "web-2"), 1));

        assertThat(validate(batch, 0))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.LABEL_CONFLICT);
                            assertThat(r.reason())
                                    .startsWith(
                                            "label-conflict: label \"host\" of metric"
                                                    + " \"node_load1\" is also a label the batch"
                                                    + " shares");
                        });
        // The same value twice is still two labels of one name.
        MetricBatch sameValue =
                batchOf(WEB_1_SHARED, own("node_load1", Map.of(Labels.HOST, "web-1"), 1));
        assertThat(validate(sameValue, 0))
                .map(Rejection::code)
                .hasValue(Rejection.Code.LABEL_CONFLICT);
    }

    @Test
    void checksEachSampleOfABatchOnItsOwn() {
        MetricBatch batch =
                batchOf(
                        WEB_1_SHARED,
                        load(0.5),
                        own("cpu-usage", Map.of(), 1),
                        own("cpu", Map.of("__cpu", "0"), 1),
                        own("cpu", Map.of("path", "x".repeat(1025)), 1),
                        load(Double.NaN),
                        load(0.25));

        assertThat(validate(batch, 0)).isEmpty();
        assertThat(validate(batch, 1)).map(Rejection::code).hasValue(Rejection.Code.INVALID_NAME);
        assertThat(validate(batch, 2))
                .map(Rejection::code)
                .hasValue(Rejection.Code.INVALID_LABEL_NAME);
        assertThat(validate(batch, 3))
                .map(Rejection::code)
                .hasValue(Rejection.Code.LABEL_VALUE_TOO_LONG);
        assertThat(validate(batch, 4))
                .map(Rejection::code)
                .hasValue(Rejection.Code.NON_FINITE_VALUE);
        assertThat(validate(batch, 5)).isEmpty();
    }

    @Test
    void measuresTheFutureFromTheBatchTimestampPlusTheSamplesOffset() {
        MetricBatch batch =
                new MetricBatch(
                        new HashMap<>(WEB_1_SHARED),
                        NOW + TEN_MINUTES,
                        new ArrayList<>(
                                List.of(
                                        new BatchSample("up", new HashMap<>(), 1.0, 0L),
                                        new BatchSample("up", new HashMap<>(), 1.0, 1L),
                                        new BatchSample("up", new HashMap<>(), 1.0, -1L))));

        assertThat(validate(batch, 0)).isEmpty();
        assertThat(validate(batch, 1))
                .hasValueSatisfying(
                        r -> {
                            assertThat(r.code()).isEqualTo(Rejection.Code.FUTURE_TIMESTAMP);
                            assertThat(r.detail()).contains("2026-11-25T10:10:00.001Z");
                        });
        assertThat(validate(batch, 2)).isEmpty();
    }

    @Test
    void reportsTheFirstProblemOfASampleInNameLabelsValueTimestampOrder() {
        MetricBatch batch =
                new MetricBatch(
                        new HashMap<>(WEB_1_SHARED),
                        Long.MAX_VALUE,
                        new ArrayList<>(
                                List.of(
                                        own("1cpu", Map.of("host", "x"), Double.NaN),
                                        own("cpu", Map.of("host", "x", "__x", "y"), Double.NaN),
                                        own("cpu", Map.of("__x", "y"), Double.NaN),
                                        own("cpu", Map.of(), Double.NaN),
                                        own("cpu", Map.of(), 1))));

        assertThat(validate(batch, 0)).map(Rejection::code).hasValue(Rejection.Code.INVALID_NAME);
        assertThat(validate(batch, 1)).map(Rejection::code).hasValue(Rejection.Code.LABEL_CONFLICT);
        assertThat(validate(batch, 2))
                .map(Rejection::code)
                .hasValue(Rejection.Code.INVALID_LABEL_NAME);
        assertThat(validate(batch, 3))
                .map(Rejection::code)
                .hasValue(Rejection.Code.NON_FINITE_VALUE);
        assertThat(validate(batch, 4))
                .map(Rejection::code)
                .hasValue(Rejection.Code.FUTURE_TIMESTAMP);
    }

    /**
     * A legacy sample read as a batch of one is held to the same rules as before: each way of being
     * wrong gives the same code through either API.
     */
    @Test
    void judgesALegacySampleAsABatchOfOneAsItJudgesTheSample() {
        List<MetricSample> samples =
                List.of(
                        cpu(0.5),
                        sample("cpu-usage", WEB_1, 1),
                        sample("up", Map.of("__x", "y"), 1),
                        sample("up", labels(65), 1),
                        sample("up", Map.of("path", "a".repeat(1025)), 1),
                        cpu(Double.POSITIVE_INFINITY),
                        cpuAt(NOW + TEN_MINUTES + 1));

        for (MetricSample sample : samples) {
            MetricBatch batch = MetricBatches.of(sample);
            Optional<Rejection> asBatch =
                    validator.validateShared(batch).or(() -> validate(batch, 0));

            assertThat(asBatch.map(Rejection::code))
                    .as("%s", sample)
                    .isEqualTo(validate(sample).map(Rejection::code));
        }
    }
}
