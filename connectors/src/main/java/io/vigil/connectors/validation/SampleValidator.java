package io.vigil.connectors.validation;

import static org.apache.flink.util.Preconditions.checkNotNull;
import static org.apache.flink.util.Preconditions.checkState;

import io.vigil.schemas.BatchSample;
import io.vigil.schemas.MetricBatch;
import io.vigil.schemas.MetricBatches;
import io.vigil.schemas.MetricSample;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Decides whether a sample (of a {@link MetricBatch}, or a {@link MetricSample}) may enter Vigil: a
 * Prometheus-style name and labels, a bounded number and size of labels, a finite value, a
 * timestamp not far in the future.
 *
 * <pre>{@code
 * SampleValidator validator = SampleValidator.builder().options(config).build();
 * Optional<Rejection> rejection = validator.validate(sample, clock.millis());
 * rejection.ifPresent(r -> deadLetter(sample, r.reason()));
 * }</pre>
 *
 * <p>Pure: no clock (the caller passes its time), no state, nothing of the Flink runtime, so the
 * validating operator, the timestamp assigner of the source and later the HTTP intake apply exactly
 * the same rules. The checks are character loops rather than regular expressions because every
 * sample passes them on the hot path, twice in metrics-rollup.
 *
 * <p>Checks run in this order and the first failure is reported: name, number of labels, each
 * label's name and value, value, timestamp. Samples too old to count are not checked here: only the
 * watermark knows what is too old, and the rollup dead-letters them as {@code late}.
 *
 * <p>Expects a sample as Avro decodes it, without null fields.
 */
public final class SampleValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Quoted names and values are cut here: the dead letter's raw bytes keep the whole sample. */
    static final int MAX_QUOTED_CHARS = 64;

    private final int maxLabels;
    private final int maxLabelValueBytes;
    private final boolean allowNonFiniteValues;
    private final long maxTimeAheadMillis;

    private SampleValidator(Builder builder) {
        this.maxLabels = builder.maxLabels;
        this.maxLabelValueBytes = builder.maxLabelValueBytes;
        this.allowNonFiniteValues = builder.allowNonFiniteValues;
        this.maxTimeAheadMillis = builder.maxTimeAhead.toMillis();
    }

    /** A builder whose defaults are those of {@link SampleValidationOptions}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks one sample.
     *
     * @param sample a decoded sample
     * @param now the caller's wall clock, ms since the epoch, for the future-timestamp check
     * @return why the sample must not enter, or empty if it may
     */
    public Optional<Rejection> validate(MetricSample sample, long now) {
        Optional<Rejection> name = validateName(sample.getName());
        if (name.isPresent()) {
            return name;
        }
        Map<String, String> labels = sample.getLabels();
        Optional<Rejection> count = validateLabelCount(sample.getName(), labels.size());
        if (count.isPresent()) {
            return count;
        }
        Optional<Rejection> label = validateLabels(sample.getName(), labels);
        if (label.isPresent()) {
            return label;
        }
        return validateValueAndTime(
                sample.getName(), sample.getValue(), sample.getTimestamp(), now);
    }

    /**
     * Checks the labels a batch's samples share, once per batch; a batch whose shared labels fail
     * fails as a whole.
     *
     * @return why no sample of the batch may enter, or empty
     */
    public Optional<Rejection> validateShared(MetricBatch batch) {
        Map<String, String> shared = batch.getLabels();
        if (shared.size() > maxLabels) {
            return reject(
                    Rejection.Code.TOO_MANY_LABELS,
                    "a batch shares %s labels, at most %s are allowed",
                    shared.size(),
                    maxLabels);
        }
        return validateLabels("(shared by the batch)", shared);
    }

    /**
     * Checks sample {@code i} of a batch whose shared labels {@link #validateShared} accepted: its
     * name, its own labels (valid, not also shared, all together within the limit), its value and
     * its time.
     *
     * @param now the caller's wall clock, ms since the epoch
     * @return why the sample must not enter, or empty if it may
     */
    public Optional<Rejection> validate(MetricBatch batch, int i, long now) {
        BatchSample sample = batch.getSamples().get(i);
        String metric = sample.getName();
        Optional<Rejection> name = validateName(metric);
        if (name.isPresent()) {
            return name;
        }
        Map<String, String> own = sample.getLabels();
        if (!own.isEmpty()) {
            Map<String, String> shared = batch.getLabels();
            Optional<Rejection> count = validateLabelCount(metric, shared.size() + own.size());
            if (count.isPresent()) {
                return count;
            }
            for (String label : own.keySet()) {
                if (shared.containsKey(label)) {
                    return reject(
                            Rejection.Code.LABEL_CONFLICT,
                            "label %s of metric %s is also a label the batch shares; a series"
                                    + " cannot have it twice",
                            quote(label),
                            quote(metric));
                }
            }
            Optional<Rejection> label = validateLabels(metric, own);
            if (label.isPresent()) {
                return label;
            }
        }
        return validateValueAndTime(
                metric, sample.getValue(), MetricBatches.timestamp(batch, i), now);
    }

    private Optional<Rejection> validateName(String name) {
        if (name.isEmpty()) {
            return reject(Rejection.Code.INVALID_NAME, "the metric name is empty");
        }
        if (!isMetricName(name)) {
            return reject(
                    Rejection.Code.INVALID_NAME,
                    "%s is not a metric name [a-zA-Z_:][a-zA-Z0-9_:]*",
                    quote(name));
        }
        return Optional.empty();
    }

    private Optional<Rejection> validateLabelCount(String name, int count) {
        if (count > maxLabels) {
            return reject(
                    Rejection.Code.TOO_MANY_LABELS,
                    "metric %s has %s labels, at most %s are allowed",
                    quote(name),
                    count,
                    maxLabels);
        }
        return Optional.empty();
    }

    private Optional<Rejection> validateLabels(String metric, Map<String, String> labels) {
        for (Map.Entry<String, String> label : labels.entrySet()) {
            Optional<Rejection> rejection = validateLabel(metric, label.getKey(), label.getValue());
            if (rejection.isPresent()) {
                return rejection;
            }
        }
        return Optional.empty();
    }

    private Optional<Rejection> validateValueAndTime(
            String name, double value, long timestamp, long now) {
        if (!allowNonFiniteValues && !Double.isFinite(value)) {
            return reject(
                    Rejection.Code.NON_FINITE_VALUE,
                    "metric %s has the value %s; only finite values are allowed",
                    quote(name),
                    value);
        }
        if (timestamp > saturatedAdd(now, maxTimeAheadMillis)) {
            Instant at = Instant.ofEpochMilli(timestamp);
            Instant clock = Instant.ofEpochMilli(now);
            return reject(
                    Rejection.Code.FUTURE_TIMESTAMP,
                    "metric %s at %s is %s ahead of the clock (%s), at most %s is allowed",
                    quote(name),
                    at,
                    Duration.between(clock, at),
                    clock,
                    Duration.ofMillis(maxTimeAheadMillis));
        }
        return Optional.empty();
    }

    private Optional<Rejection> validateLabel(String metric, String label, String value) {
        if (label.startsWith("__")) {
            return reject(
                    Rejection.Code.INVALID_LABEL_NAME,
                    "label %s of metric %s: names starting with __ are reserved",
                    quote(label),
                    quote(metric));
        }
        if (!isLabelName(label)) {
            return reject(
                    Rejection.Code.INVALID_LABEL_NAME,
                    "label %s of metric %s is not a label name [a-zA-Z_][a-zA-Z0-9_]*",
                    quote(label),
                    quote(metric));
        }
        // Every char is one to three bytes (a surrogate pair two chars, four bytes), so most values
        // need no counting at all.
        if (value.length() * 3L <= maxLabelValueBytes) {
            return Optional.empty();
        }
        long bytes = utf8Length(value);
        if (bytes > maxLabelValueBytes) {
            return reject(
                    Rejection.Code.LABEL_VALUE_TOO_LONG,
                    "label %s of metric %s has a value of %s bytes (UTF-8), at most %s are"
                            + " allowed: %s",
                    quote(label),
                    quote(metric),
                    bytes,
                    maxLabelValueBytes,
                    quote(value));
        }
        return Optional.empty();
    }

    private static Optional<Rejection> reject(Rejection.Code code, String format, Object... args) {
        return Optional.of(new Rejection(code, String.format(format, args)));
    }

    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, the classic Prometheus metric name. */
    static boolean isMetricName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = isAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && isDigit(c));
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*}, a Prometheus label name (reserved names aside). */
    static boolean isLabelName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = isAsciiLetter(c) || c == '_' || (i > 0 && isDigit(c));
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * The length of {@code s} in UTF-8, as {@code s.getBytes(UTF_8).length} but without copying:
     * values are checked on the hot path and can be long.
     */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                // An unpaired surrogate cannot be encoded; getBytes writes '?' in its place.
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * {@code s} in double quotes, escaped so that a reason stays one printable line, and cut after
     * {@link #MAX_QUOTED_CHARS} chars so that a huge label value makes no huge reason.
     */
    static String quote(String s) {
        int end = Math.min(s.length(), MAX_QUOTED_CHARS);
        if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never cut a surrogate pair in half
        }
        StringBuilder quoted = new StringBuilder(end + 24).append('"');
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        quoted.append('"');
        if (end < s.length()) {
            quoted.append("... (").append(s.length()).append(" chars)");
        }
        return quoted.toString();
    }

    /** {@code a + b}; a huge max-time-ahead ("no limit") must not wrap the limit into the past. */
    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        // Overflow happened iff both operands have the sign opposite to the sum's.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return sum < 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }

    /**
     * Builds a {@link SampleValidator}; {@link #build()} checks that the limits make sense.
     *
     * <p>Defaults: at most 64 labels, label values up to 1024 bytes, no NaN or infinities,
     * timestamps up to 10 minutes ahead of the clock.
     */
    public static final class Builder {
        private int maxLabels = SampleValidationOptions.MAX_LABELS.defaultValue();
        private int maxLabelValueBytes =
                SampleValidationOptions.MAX_LABEL_VALUE_BYTES.defaultValue();
        private boolean allowNonFiniteValues =
                SampleValidationOptions.ALLOW_NON_FINITE_VALUES.defaultValue();
        private Duration maxTimeAhead = SampleValidationOptions.MAX_TIME_AHEAD.defaultValue();

        private Builder() {}

        /** Takes every {@link SampleValidationOptions} option that is set in {@code config}. */
        public Builder options(ReadableConfig config) {
            config.getOptional(SampleValidationOptions.MAX_LABELS).ifPresent(this::maxLabels);
            config.getOptional(SampleValidationOptions.MAX_LABEL_VALUE_BYTES)
                    .ifPresent(this::maxLabelValueBytes);
            config.getOptional(SampleValidationOptions.ALLOW_NON_FINITE_VALUES)
                    .ifPresent(this::allowNonFiniteValues);
            config.getOptional(SampleValidationOptions.MAX_TIME_AHEAD)
                    .ifPresent(this::maxTimeAhead);
            return this;
        }

        /** Most labels a sample may carry. */
        public Builder maxLabels(int maxLabels) {
            this.maxLabels = maxLabels;
            return this;
        }

        /** Longest label value in bytes of UTF-8. */
        public Builder maxLabelValueBytes(int maxLabelValueBytes) {
            this.maxLabelValueBytes = maxLabelValueBytes;
            return this;
        }

        /** Whether NaN and infinities are accepted as values. */
        public Builder allowNonFiniteValues(boolean allowNonFiniteValues) {
            this.allowNonFiniteValues = allowNonFiniteValues;
            return this;
        }

        /** How far ahead of the clock a timestamp may be. */
        public Builder maxTimeAhead(Duration maxTimeAhead) {
            this.maxTimeAhead = maxTimeAhead;
            return this;
        }

        /** Checks the limits and builds the validator. */
        public SampleValidator build() {
            checkState(maxLabels >= 0, "maxLabels must not be negative, got %s", maxLabels);
            checkState(
                    maxLabelValueBytes >= 0,
                    "maxLabelValueBytes must not be negative, got %s",
                    maxLabelValueBytes);
            checkNotNull(maxTimeAhead, "maxTimeAhead must not be null");
            checkState(
                    !maxTimeAhead.isNegative(),
                    "maxTimeAhead must not be negative, got %s",
                    maxTimeAhead);
            return new SampleValidator(this);
        }
    }
}
