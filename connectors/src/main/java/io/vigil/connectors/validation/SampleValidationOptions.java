package io.vigil.connectors.validation;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/**
 * Limits that {@link SampleValidator} holds every sample to, for jobs that read their settings from
 * a {@code Configuration} and hand it to {@link SampleValidator.Builder#options}. The defaults here
 * are the builder's defaults too, so they are written down once.
 */
public final class SampleValidationOptions {

    /**
     * A well-designed series has a handful of labels; dozens usually mean an agent puts unbounded
     * data (request ids, user ids) into labels, which creates a new series with every sample.
     */
    public static final ConfigOption<Integer> MAX_LABELS =
            key("vigil.samples.validation.max-labels")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "Most labels a sample may carry; samples with more are dead-lettered"
                                    + " as too-many-labels.");

    public static final ConfigOption<Integer> MAX_LABEL_VALUE_BYTES =
            key("vigil.samples.validation.max-label-value-bytes")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "Longest label value, in bytes of UTF-8, a sample may carry; longer"
                                    + " ones are dead-lettered as label-value-too-long. Labels"
                                    + " are stored with every rollup row, so this bounds rows.");

    /**
     * Off by default: a NaN makes a window's sum, min and max NaN, and an infinity its sum, so one
     * such sample spoils a whole rollup row. Prometheus writes a special NaN as a staleness marker
     * when a series disappears, and +Inf is a legitimate gauge value for some exporters; turn this
     * on when such samples must be kept and their rollups may be NaN or infinite.
     */
    public static final ConfigOption<Boolean> ALLOW_NON_FINITE_VALUES =
            key("vigil.samples.validation.allow-non-finite-values")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Accept samples whose value is NaN (Prometheus staleness markers) or"
                                    + " infinite; by default they are dead-lettered as"
                                    + " non-finite-value, because one of them turns the sum of"
                                    + " its whole window into NaN or an infinity.");

    /**
     * The bound on how far one sample can push a partition's watermark ahead of real time, and so
     * how long every later sample of that partition could be wrongly treated as late.
     */
    public static final ConfigOption<Duration> MAX_TIME_AHEAD =
            key("vigil.samples.validation.max-time-ahead")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How far ahead of the validating machine's clock a sample's timestamp"
                                    + " may be; later ones are dead-lettered as future-timestamp"
                                    + " and never move a watermark.");

    private SampleValidationOptions() {}
}
