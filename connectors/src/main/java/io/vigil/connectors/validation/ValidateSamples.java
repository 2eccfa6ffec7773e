package io.vigil.connectors.validation;

import io.vigil.connectors.kafka.DeadLetters;
import io.vigil.schemas.MetricSample;
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
 * Lets valid samples through and sends every sample the {@link SampleValidator} rejects to {@link
 * DeadLetters#TAG}, with the rejection as reason and its bytes and series id as value and key.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<MetricSample> valid =
 *         samples.process(new ValidateSamples(SampleValidator.builder().options(config).build()))
 *                 .uid("metrics-rollup-validate")
 *                 .name("Validate samples");
 * valid.getSideOutput(DeadLetters.TAG).sinkTo(deadLetters);
 * }</pre>
 *
 * <p>Rejects are counted per reason in the metric group {@code rejectedSamples}, one counter per
 * {@link Rejection.Code#id()} (for example {@code rejectedSamples.future-timestamp}), all
 * registered at start so that dashboards see zeros rather than missing series.
 */
public final class ValidateSamples extends ProcessFunction<MetricSample, MetricSample> {
    private static final long serialVersionUID = 1L;

    /** The metric group of the rejection counters. */
    public static final String METRIC_GROUP = "rejectedSamples";

    private final SampleValidator validator;
    private final Clock clock;

    private transient Map<Rejection.Code, Counter> rejected;

    /** Validates against the wall clock of the machine the operator runs on. */
    public ValidateSamples(SampleValidator validator) {
        this(validator, Clock.systemUTC());
    }

    /**
     * @param validator the rules
     * @param clock the time future timestamps are measured against and dead letters are stamped
     *     with; tests pass a fixed one
     */
    public ValidateSamples(SampleValidator validator, Clock clock) {
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
    public void processElement(MetricSample sample, Context ctx, Collector<MetricSample> out) {
        // One reading per sample, so the check and the dead letter's timestamp agree.
        long now = clock.millis();
        Optional<Rejection> rejection = validator.validate(sample, now);
        if (rejection.isEmpty()) {
            out.collect(sample);
            return;
        }
        rejected.get(rejection.get().code()).inc();
        ctx.output(DeadLetters.TAG, DeadLetters.ofSample(sample, rejection.get().reason(), now));
    }
}
