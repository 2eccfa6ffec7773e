package io.vigil.notifier.routing;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One condition on one label, as in Alertmanager: {@code name="value"}, {@code name!="value"},
 * {@code name=~"regex"} or {@code name!~"regex"}. Routes, inhibition rules and silences all use it.
 *
 * <pre>{@code
 * LabelMatcher critical = LabelMatcher.parse("severity=~\"critical|page\"");
 * boolean muted = critical.matches(Map.of("severity", "page"));
 * }</pre>
 *
 * <p>A missing label matches as the empty string (Alertmanager's rule), so {@code team!="db"}
 * matches an alert without a team, and {@code team=""} matches only alerts without one. Regular
 * expressions are anchored: {@code =~"crit"} does not match {@code critical}.
 */
public final class LabelMatcher {

    /** How the label's value is compared. */
    public enum Type {
        EQUAL("="),
        NOT_EQUAL("!="),
        REGEX("=~"),
        NOT_REGEX("!~");

        private final String operator;

        Type(String operator) {
            this.operator = operator;
        }

        public String operator() {
            return operator;
        }

        public boolean isRegex() {
            return this == REGEX || this == NOT_REGEX;
        }

        public boolean isNegative() {
            return this == NOT_EQUAL || this == NOT_REGEX;
        }
    }

    /** A label name (Prometheus' rule), the operator, then the value, quoted or not. */
    private static final Pattern TEXT =
            Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*");

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final String name;
    private final Type type;
    private final String value;
    private final Pattern pattern;

    private LabelMatcher(String name, Type type, String value, Pattern pattern) {
        this.name = name;
        this.type = type;
        this.value = value;
        this.pattern = pattern;
    }

    /**
     * A matcher from its parts.
     *
     * @throws InvalidMatcherException naming the problem: an invalid label name or regular
     *     expression
     */
    public static LabelMatcher of(String name, Type type, String value) {
        Objects.requireNonNull(type, "type");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidMatcherException(
                    String.format(
                            "invalid label name '%s': a label name is [a-zA-Z_][a-zA-Z0-9_]*",
                            name));
        }
        if (value == null) {
            throw new InvalidMatcherException(
                    String.format("matcher on label '%s' has no value", name));
        }
        Pattern pattern = null;
        if (type.isRegex()) {
            try {
                pattern = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new InvalidMatcherException(
                        String.format(
                                "invalid regular expression for label '%s': %s (%s)",
                                name, value, e.getDescription()));
            }
        }
        return new LabelMatcher(name, type, value, pattern);
    }

    /**
     * Parses Alertmanager's text form, e.g. {@code severity="critical"} or {@code
     * instance=~"db-.*"}. The value may be double-quoted (with {@code \"} and {@code \\} escapes)
     * or bare.
     *
     * @throws InvalidMatcherException with a message that quotes the input and says what is wrong
     */
    public static LabelMatcher parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidMatcherException("empty matcher: expected name=\"value\"");
        }
        Matcher parts = TEXT.matcher(text);
        if (!parts.matches()) {
            throw new InvalidMatcherException(
                    String.format(
                            "invalid matcher '%s': expected a label name, one of = != =~ !~, and a"
                                    + " value, e.g. severity=\"critical\"",
                            text));
        }
        Type type =
                switch (parts.group(2)) {
                    case "=" -> Type.EQUAL;
                    case "!=" -> Type.NOT_EQUAL;
                    case "=~" -> Type.REGEX;
                    default -> Type.NOT_REGEX;
                };
        try {
            return of(parts.group(1), type, unquote(parts.group(3)));
        } catch (InvalidMatcherException e) {
            throw new InvalidMatcherException(
                    String.format("invalid matcher '%s': %s", text, e.getMessage()));
        }
    }

    private static String unquote(String raw) {
        if (raw.length() < 2 || raw.charAt(0) != '"') {
            if (raw.indexOf('"') >= 0) {
                throw new InvalidMatcherException("unbalanced quotes in the value");
            }
            return raw;
        }
        if (raw.charAt(raw.length() - 1) != '"') {
            throw new InvalidMatcherException("the value's closing quote is missing");
        }
        StringBuilder value = new StringBuilder();
        for (int i = 1; i < raw.length() - 1; i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length() - 1) {
                value.append(raw.charAt(++i));
            } else if (c == '"') {
                throw new InvalidMatcherException(
                        "a quote inside the value must be escaped as \\\"");
            } else {
                value.append(c);
            }
        }
        return value.toString();
    }

    /** Whether a set of labels satisfies this matcher; a missing label counts as empty. */
    public boolean matches(Map<String, String> labels) {
        String actual = labels.getOrDefault(name, "");
        boolean positive =
                type.isRegex() ? pattern.matcher(actual).matches() : value.equals(actual);
        return type.isNegative() != positive;
    }

    /** Whether every matcher is satisfied; true for none. */
    public static boolean all(Iterable<LabelMatcher> matchers, Map<String, String> labels) {
        for (LabelMatcher matcher : matchers) {
            if (!matcher.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public String value() {
        return value;
    }

    /** Alertmanager's text form, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return name
                + type.operator()
                + '"'
                + value.replace("\\", "\\\\").replace("\"", "\\\"")
                + '"';
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabelMatcher that
                && name.equals(that.name)
                && type == that.type
                && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, value);
    }
}
