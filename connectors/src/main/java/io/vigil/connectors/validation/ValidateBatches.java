package io.vigil.connectors.validation;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets the valid samples of each batch through and sends every sample the {@link SampleValidator}
 * rejects to {@link DeadLetters#TAG}, alone, with the rejection as reason: one bad sample never
 * costs the others of its batch. A batch whose shared labels are invalid goes to the dead letters
 * whole (every sample would fail alike). A batch left with no sample is dropped, having been
 * accounted for.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<MetricBatch> valid =
 *         batches.process(new ValidateBatches(SampleValidator.builder().options(config).build()))
 *                 .uid("metrics-rollup-validate")
 *                 .name("Validate samples");
 * valid.getSideOutput(DeadLetters.TAG).sinkTo(deadLetters);
 * }</pre>
 *
 * <p>A batch whose samples are all valid, nearly every batch, leaves as the same object: no copy.
 * Rejects are counted per reason in the metric group {@code rejectedSamples}, one counter per
 * {@link Rejection.Code#id()} (for example {@code rejectedSamples.future-timestamp}), all
 * registered at start so that dashboards see zeros rather than missing series.
 */
public final class ValidateBatches extends ProcessFunction<MetricBatch, MetricBatch> {
    private static final long serialVersionUID = 1L;

    /** The metric group of the rejection counters. */
    public static final String METRIC_GROUP = "rejectedSamples";

    private final SampleValidator validator;
    private final Clock clock;

    private transient Map<Rejection.Code, Counter> rejected;

    /** Validates against the wall clock of the machine the operator runs on. */
    public ValidateBatches(SampleValidator validator) {
        this(validator, Clock.systemUTC());
    }

    /**
     * @param validator the rules
     * @param clock the time future timestamps are measured against and dead letters are stamped
     *     with; tests pass a fixed one
     */
    public ValidateBatches(SampleValidator validator, Clock clock) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(METRIC_GROUP);
        rejected = new EnumMap<>(Rejection.Code.class);
        for (Rejection.Code code : Rejection.Code.values()) {
            rejected.put(code, group.counter(code.id()));
        }
    }

    @Override
    public void processElement(MetricBatch batch, Context ctx, Collector<MetricBatch> out) {
        // One reading per batch, so the checks and the dead letters' timestamps agree.
        long now = clock.millis();
        int size = batch.getSamples().size();
        Optional<Rejection> shared = validator.validateShared(batch);
        if (shared.isPresent()) {
            rejected.get(shared.get().code()).inc(size);
            ctx.output(DeadLetters.TAG, DeadLetters.ofBatch(batch, shared.get().reason(), now));
            return;
        }
        int[] kept = null;
        int keptCount = 0;
        for (int i = 0; i < size; i++) {
            Optional<Rejection> rejection = validator.validate(batch, i, now);
            if (rejection.isEmpty()) {
                if (kept != null) {
                    kept[keptCount++] = i;
                }
                continue;
            }
            if (kept == null) {
                // The first reject: the samples before it were all valid.
                kept = new int[size];
                for (int j = 0; j < i; j++) {
                    kept[keptCount++] = j;
                }
            }
            rejected.get(rejection.get().code()).inc();
            ctx.output(
                    DeadLetters.TAG, DeadLetters.ofSample(batch, i, rejection.get().reason(), now));
        }
        if (kept == null) {
            if (size > 0) {
                out.collect(batch);
            }
            return;
        }
        if (keptCount > 0) {
            out.collect(MetricBatches.keep(batch, kept, keptCount));
        }
    }
}
