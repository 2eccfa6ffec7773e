package io.vigil.jobs.rollup.functions;

import io.vigil.connectors.testing.RecordedOperatorMetrics;
import io.vigil.jobs.rollup.records.Rollup;
import io.vigil.schemas.AvroCodec;
import io.vigil.schemas.DeadLetter;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.Topics;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Test harnesses of {@link HostRollupFunction} keyed as in the job, by the batch's origin, and what
 * its tests do with them: send a batch, read back a dead letter's sample.
 */
final class HostRollupHarnesses {
    private HostRollupHarnesses() {}

    /** A harness keyed by origin, not yet set up: to be opened, or first restored. */
    static KeyedOneInputStreamOperatorTestHarness<Long, MetricBatch, Rollup> create(
            HostRollupFunction function) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(function), MetricBatches::originId, Types.LONG);
    }

    /** An open harness keyed by origin whose counters {@code metrics} records. */
    static KeyedOneInputStreamOperatorTestHarness<Long, MetricBatch, Rollup> open(
            HostRollupFunction function, RecordedOperatorMetrics metrics) throws Exception {
        MockEnvironment environment = metrics.environment();
        KeyedOneInputStreamOperatorTestHarness<Long, MetricBatch, Rollup> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function),
                        MetricBatches::originId,
                        Types.LONG,
                        environment);
        harness.open();
        return harness;
    }

    /**
     * Sends a batch stamped as the source stamps it ({@code SampleWatermarks}): with the time of
     * its newest sample. The function reads sample times, not the record's, but a test should not
     * send what the job never would.
     */
    static void process(
            KeyedOneInputStreamOperatorTestHarness<Long, MetricBatch, Rollup> harness,
            MetricBatch batch)
            throws Exception {
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < batch.getSamples().size(); i++) {
            newest = Math.max(newest, MetricBatches.timestamp(batch, i));
        }
        harness.processElement(batch, newest);
    }

    /**
     * The batch a dead letter keeps, as {@code vigil.metrics.samples} would read it back; an
     * assertion error if its bytes do not decode, which is what the tests check as much as the
     * content.
     */
    static MetricBatch batchOf(DeadLetter deadLetter) {
        byte[] raw = new byte[deadLetter.getRaw().remaining()];
        // A duplicate, so that the dead letter can be read again.
        deadLetter.getRaw().duplicate().get(raw);
        try {
            return Topics.METRIC_SAMPLES.codec().decode(raw);
        } catch (AvroCodec.DecodeException e) {
            throw new AssertionError("a dead letter's bytes do not decode as a batch", e);
        }
    }
}
