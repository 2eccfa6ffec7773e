package io.vigil.connectors.validation;

import java.util.Objects;

/**
 * Why {@link SampleValidator} turned a sample away: a {@link Code} to count by and a detail for the
 * human reading the dead letter.
 *
 * @param code the kind of problem
 * @param detail what exactly is wrong, naming the offending label or value; kept short
 */
public record Rejection(Code code, String detail) {

    /** The kinds of invalid samples; {@link #id()} is the prefix of the dead letter's reason. */
    public enum Code {
        /** The metric name is empty or not {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
        INVALID_NAME("invalid-name"),
        /** A label name is not {@code [a-zA-Z_][a-zA-Z0-9_]*} or starts with the reserved __. */
        INVALID_LABEL_NAME("invalid-label-name"),
        /** More labels than {@link SampleValidationOptions#MAX_LABELS}. */
        TOO_MANY_LABELS("too-many-labels"),
        /** A label value longer than {@link SampleValidationOptions#MAX_LABEL_VALUE_BYTES}. */
        LABEL_VALUE_TOO_LONG("label-value-too-long"),
        /** NaN or an infinity, unless {@link SampleValidationOptions#ALLOW_NON_FINITE_VALUES}. */
        NON_FINITE_VALUE("non-finite-value"),
        /** Further ahead of the clock than {@link SampleValidationOptions#MAX_TIME_AHEAD}. */
        FUTURE_TIMESTAMP("future-timestamp"),
        /** A sample of a batch has a label of its own that the batch's shared labels also name. */
        LABEL_CONFLICT("label-conflict");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        /** The stable kebab-case name: reason prefix and metric name, never to be renamed. */
        public String id() {
            return id;
        }
    }

    public Rejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(detail, "detail");
    }

    /** The reason of the dead letter: code, colon, detail. */
    public String reason() {
        return code.id() + ": " + detail;
    }
}
