package io.vigil.jobs.rollup.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.SeriesIds;
import io.vigil.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CardinalityLimitFunctionTest {
    private static final long T0 = 1_764_064_800_000L; // 2025-11-25T10:00:00Z
    private static final Duration IDLE_EXPIRY = Duration.ofMinutes(20);

    /** The expiry is checked in steps of a quarter of it. */
    private static final long STEP = IDLE_EXPIRY.toMillis() / 4;

    private static final int LIMIT = 6;
    private static final int SHARDS = 2;
    private static final int PER_SHARD = LIMIT / SHARDS;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);

    private final CardinalityLimitFunction limit =
            new CardinalityLimitFunction(LIMIT, SHARDS, IDLE_EXPIRY, CLOCK);
    private KeyedOneInputStreamOperatorTestHarness<
                    Tuple2<String, Integer>, MetricSample, MetricSample>
            harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(limit),
                        limit.keySelector(),
                        CardinalityLimitFunction.KEY_TYPE);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** Requests of an exporter that labels each with its id, a new series each. */
    private static MetricSample request(int id, long timestamp) {
        return new MetricSample("http_requests", Map.of("request_id", "r" + id), 1.0, timestamp);
    }

    /** The first {@code count} request series that fall into a shard, by request id. */
    private static List<Integer> requestsInShard(int shard, int count) {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; ids.size() < count; id++) {
            if (CardinalityLimitFunction.shardOf(SeriesIds.of(request(id, T0)), SHARDS) == shard) {
                ids.add(id);
            }
        }
        return ids;
    }

    private void process(MetricSample sample) throws Exception {
        harness.processElement(sample, sample.getTimestamp());
    }

    @Test
    void admitsUpToTheLimitPerShardAndDeadLettersTheRestWithTheReason() throws Exception {
        List<Integer> shard0 = requestsInShard(0, PER_SHARD + 2);
        List<Integer> shard1 = requestsInShard(1, PER_SHARD);
        for (int id : shard0) {
            process(request(id, T0 + 1_000));
        }
        for (int id : shard1) {
            process(request(id, T0 + 2_000));
        }
        // Admitted series stay admitted; rejected ones stay rejected while the shard is full.
        for (int id : shard0) {
            process(request(id, T0 + 11_000));
        }

        List<MetricSample> admitted = HarnessOutputs.drain(harness);
        List<DeadLetter> rejected = HarnessOutputs.drain(harness, DeadLetters.TAG);
        List<Integer> admittedIds = shard0.subList(0, PER_SHARD);
        List<Integer> excessIds = shard0.subList(PER_SHARD, shard0.size());
        List<Integer> expected = new ArrayList<>(admittedIds);
        expected.addAll(shard1);
        expected.addAll(admittedIds);
        assertThat(admitted)
                .extracting(CardinalityLimitFunctionTest::idOf)
                .containsExactlyElementsOf(expected);
        assertThat(rejected).hasSize(2 * excessIds.size());
        for (DeadLetter deadLetter : rejected) {
            assertThat(deadLetter.getReason())
                    .startsWith("cardinality-limit: metric http_requests is at its limit of 6")
                    .contains("shard 0");
            assertThat(deadLetter.getFailedAt()).isEqualTo(T0);
            MetricSample sample = Topics.METRIC_SAMPLES.codec().decode(bytes(deadLetter));
            assertThat(excessIds).contains(idOf(sample));
        }
    }

    @Test
    void aSeriesSilentForTheIdleExpiryFreesItsPlaceAndTheStateIsCleaned() throws Exception {
        List<Integer> ids = requestsInShard(0, PER_SHARD + 1);
        List<Integer> first = ids.subList(0, PER_SHARD);
        int late = ids.get(PER_SHARD);
        for (int id : first) {
            process(request(id, T0));
        }
        // One series keeps reporting: it keeps its place, the others fall silent.
        int keeper = first.get(0);
        long keeperLast = T0 + IDLE_EXPIRY.toMillis();
        process(request(keeper, keeperLast));
        process(request(late, keeperLast));
        assertThat(HarnessOutputs.drain(harness, DeadLetters.TAG)).hasSize(1);

        // Silent since T0: freed once the watermark is past T0's step plus the expiry.
        harness.processWatermark(T0 + STEP + IDLE_EXPIRY.toMillis());
        HarnessOutputs.drain(harness);
        process(request(late, keeperLast + 1_000));
        assertThat(HarnessOutputs.drain(harness))
                .extracting(CardinalityLimitFunctionTest::idOf)
                .containsExactly(late);
        assertThat(HarnessOutputs.drain(harness, DeadLetters.TAG)).isEmpty();

        // Every series silent: nothing left, neither state nor timers.
        harness.processWatermark(keeperLast + STEP + IDLE_EXPIRY.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aSeriesRefreshesItsPlaceOncePerStepNotPerSample() throws Exception {
        int id = requestsInShard(0, 1).get(0);
        for (long t = T0; t < T0 + STEP; t += 10_000) {
            process(request(id, t));
        }
        assertThat(harness.numEventTimeTimers()).isOne();
        process(request(id, T0 + STEP));
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        harness.processWatermark(T0 + 2 * STEP + IDLE_EXPIRY.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void rejectsALimitBelowTheShardCount() {
        assertThatThrownBy(() -> new CardinalityLimitFunction(3, 4, IDLE_EXPIRY, CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(3) must be at least the number of shards (4)");
    }

    private static byte[] bytes(DeadLetter deadLetter) {
        byte[] raw = new byte[deadLetter.getRaw().remaining()];
        deadLetter.getRaw().duplicate().get(raw);
        return raw;
    }

    private static int idOf(MetricSample sample) {
        return Integer.parseInt(sample.getLabels().get("request_id").substring(1));
    }
}
