package io.vigil.connectors.kafka;

import io.vigil.schemas.DeadLetter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * Passes decoded records on and sends dead letters to {@link DeadLetters#TAG}, counting them in the
 * {@code deadLetters} metric of the operator.
 *
 * @param <T> the decoded record
 */
public final class DeadLetterSplitter<T> extends ProcessFunction<Either<DeadLetter, T>, T> {
    private static final long serialVersionUID = 1L;

    private transient Counter deadLetters;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(Either<DeadLetter, T> value, Context ctx, Collector<T> out) {
        if (value.isRight()) {
            out.collect(value.right());
            return;
        }
        deadLetters.inc();
        ctx.output(DeadLetters.TAG, value.left());
    }
}
