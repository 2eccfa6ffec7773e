package io.vigil.jobs.alerting.functions;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The small template language of rule labels and annotations: {@code {{ $labels.<name> }}} is the
 * series label (empty if the series has none), {@code {{ $value }}} the value that caused the
 * transition. Nothing else is supported, and a rule using anything else is rejected when it arrives
 * rather than rendered half-way.
 */
public final class Templates {
    private static final Pattern ANY = Pattern.compile("\\{\\{(.*?)}}");
    private static final Pattern EXPRESSION =
            Pattern.compile("\\s*\\$(?:labels\\.([a-zA-Z_][a-zA-Z0-9_]*)|(value))\\s*");

    private Templates() {}

    /** Why a template cannot be rendered, or empty. */
    public static Optional<String> problem(String template) {
        Matcher any = ANY.matcher(template);
        while (any.find()) {
            if (!EXPRESSION.matcher(any.group(1)).matches()) {
                return Optional.of(
                        "unsupported expression {{"
                                + any.group(1)
                                + "}}; use $labels.<name> or $value");
            }
        }
        return Optional.empty();
    }

    /**
     * Renders a template.
     *
     * @param labels the series labels
     * @param value the value, or NaN where no value applies (labels, which make the alert's
     *     identity and so must not change with it)
     */
    public static String render(String template, Map<String, String> labels, double value) {
        if (template.indexOf('{') < 0) {
            return template;
        }
        Matcher any = ANY.matcher(template);
        StringBuilder out = new StringBuilder();
        while (any.find()) {
            Matcher expression = EXPRESSION.matcher(any.group(1));
            String replacement;
            if (!expression.matches()) {
                replacement = any.group();
            } else if (expression.group(1) != null) {
                replacement = labels.getOrDefault(expression.group(1), "");
            } else {
                replacement = Double.isNaN(value) ? "" : format(value);
            }
            any.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        any.appendTail(out);
        return out.toString();
    }

    /** A value as people read it: {@code 93} rather than {@code 93.0}. */
    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
