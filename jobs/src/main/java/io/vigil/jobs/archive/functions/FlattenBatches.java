package io.vigil.jobs.archive.functions;

import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Turns each batch into its samples as stand-alone records ({@link MetricBatches#sample}): every
 * label (the batch's and the sample's own) and the sample's own time. The archive keeps one record
 * per sample, as before batches, so its files read the same whichever way the samples arrived.
 *
 * <pre>{@code
 * DataStream<MetricSample> samples =
 *         batches.flatMap(new FlattenBatches()).returns(new AvroTypeInfo<>(MetricSample.class));
 * }</pre>
 */
public final class FlattenBatches implements FlatMapFunction<MetricBatch, MetricSample> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(MetricBatch batch, Collector<MetricSample> out) {
        int size = batch.getSamples().size();
        for (int i = 0; i < size; i++) {
            out.collect(MetricBatches.sample(batch, i));
        }
    }
}
