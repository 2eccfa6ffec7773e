package io.vigil.rules;

import java.util.List;

/**
 * Rules that were refused, with every reason found: each message names the source (a file, a
 * request), the group and rule, and the field, e.g. {@code rules.yaml: group "host", rule
 * "CpuHigh": for: "5x" is not a duration (use 30s, 5m, 1h)}.
 */
public final class InvalidRulesException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> errors;

    public InvalidRulesException(List<String> errors) {
        super(
                errors.size() == 1
                        ? errors.get(0)
                        : String.format(
                                "%d errors:%n  %s", errors.size(), String.join("\n  ", errors)));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an InvalidRulesException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every error, in the order of the source. */
    public List<String> errors() {
        return errors;
    }
}
