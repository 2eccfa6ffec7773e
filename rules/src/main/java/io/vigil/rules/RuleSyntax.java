package io.vigil.rules;

import io.vigil.schemas.Comparator;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.RuleKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The vocabulary of rule files: the field names of a rule, which kinds use which fields, and how
 * enum values are spelled. Shared by {@link RuleParser} (file to {@code Rule}) and {@link
 * RuleFormat} (back), so the two cannot drift apart.
 */
final class RuleSyntax {
    static final String GROUPS = "groups";
    static final String GROUP_NAME = "name";
    static final String GROUP_RULES = "rules";

    static final String ID = "id";
    static final String ALERT = "alert";
    static final String KIND = "kind";
    static final String METRIC = "metric";
    static final String SELECTOR = "selector";
    static final String GROUP_LEVEL = "group_level";
    static final String AGGREGATION = "aggregation";
    static final String ABOVE = "above";
    static final String AT_LEAST = "at_least";
    static final String BELOW = "below";
    static final String AT_MOST = "at_most";
    static final String RESOLVE_BELOW = "resolve_below";
    static final String RESOLVE_ABOVE = "resolve_above";
    static final String FOR = "for";
    static final String KEEP_FIRING_FOR = "keep_firing_for";
    static final String M_OF_N = "m_of_n";
    static final String WINDOW = "window";
    static final String OCCURRENCES = "occurrences";
    static final String MIN_SAMPLES = "min_samples";
    static final String BASELINE_ALPHA = "baseline_alpha";
    static final String SEVERITY = "severity";
    static final String LABELS = "labels";
    static final String ANNOTATIONS = "annotations";
    static final String ENABLED = "enabled";

    /** The comparator keys, each naming its comparator: {@code above: 0.9} is {@code GT 0.9}. */
    static final Map<String, Comparator> COMPARATORS =
            Map.of(
                    ABOVE, Comparator.GT,
                    AT_LEAST, Comparator.GE,
                    BELOW, Comparator.LT,
                    AT_MOST, Comparator.LE);

    /** Fields every kind accepts. */
    static final Set<String> COMMON =
            Set.of(
                    ID,
                    ALERT,
                    KIND,
                    METRIC,
                    SELECTOR,
                    SEVERITY,
                    LABELS,
                    ANNOTATIONS,
                    ENABLED,
                    KEEP_FIRING_FOR);

    /**
     * The further fields each kind accepts. A field a kind does not use is refused rather than
     * ignored: a {@code window} on a threshold rule is a misunderstanding worth hearing about.
     */
    static final Map<RuleKind, Set<String>> KIND_FIELDS = kindFields();

    private static final Set<String> ALL_FIELDS = collectAllFields();

    /** Kinds whose condition compares a value with a threshold, so they need a comparator. */
    static final Set<RuleKind> COMPARING =
            Set.of(RuleKind.THRESHOLD, RuleKind.RATE, RuleKind.ANOMALY, RuleKind.SPIKE);

    /** Kinds for which {@code window} means something even per series. */
    static final Set<RuleKind> WINDOWED =
            Set.of(RuleKind.RATE, RuleKind.SPIKE, RuleKind.CRASH_LOOP);

    /** Names of alerts: one word, as Prometheus alert names are by convention. */
    static final Pattern ALERT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Rule ids: safe in a URL path segment, a Kafka key and a CQL text column. */
    static final Pattern RULE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Prometheus metric names. */
    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /** Prometheus label names; {@code __} prefixed names are reserved. */
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    static final Pattern SEVERITY_NAME = Pattern.compile("[a-z][a-z0-9_-]*");

    private RuleSyntax() {}

    /** How a kind is written in a file: {@code crash_loop}. */
    static String spell(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E>> E unspell(Class<E> type, String text) {
        return Enum.valueOf(type, text.trim().replace('-', '_').toUpperCase(Locale.ROOT));
    }

    /** The file's key for a comparator. */
    static String comparatorKey(Comparator comparator) {
        return COMPARATORS.entrySet().stream()
                .filter(entry -> entry.getValue() == comparator)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
    }

    /** Whether a rule of this kind and level accepts a field. */
    static boolean accepts(RuleKind kind, GroupLevel level, String field) {
        if (COMMON.contains(field)) {
            return true;
        }
        if (!KIND_FIELDS.get(kind).contains(field)) {
            return false;
        }
        boolean grouped = level != GroupLevel.SERIES;
        if (field.equals(AGGREGATION)) {
            return grouped;
        }
        if (field.equals(WINDOW)) {
            // Per series only the windowed kinds have a window; a group-level rule aggregates over
            // one.
            return grouped || WINDOWED.contains(kind);
        }
        return true;
    }

    /** Every value of an enum as a file writes it, for error messages. */
    static String spellings(Class<? extends Enum<?>> type) {
        StringBuilder text = new StringBuilder();
        for (Enum<?> value : type.getEnumConstants()) {
            text.append(text.length() == 0 ? "" : ", ").append(spell(value));
        }
        return text.toString();
    }

    /** Every field any kind accepts, sorted. */
    static Set<String> allFields() {
        return ALL_FIELDS;
    }

    private static Set<String> collectAllFields() {
        Set<String> all = new TreeSet<>(COMMON);
        KIND_FIELDS.values().forEach(all::addAll);
        return Collections.unmodifiableSet(all);
    }

    private static Map<RuleKind, Set<String>> kindFields() {
        Map<RuleKind, Set<String>> fields = new EnumMap<>(RuleKind.class);
        Set<String> comparing =
                Set.of(ABOVE, AT_LEAST, BELOW, AT_MOST, RESOLVE_BELOW, RESOLVE_ABOVE);
        fields.put(
                RuleKind.THRESHOLD,
                union(comparing, Set.of(FOR, M_OF_N, GROUP_LEVEL, AGGREGATION, WINDOW)));
        fields.put(RuleKind.ABSENCE, Set.of(FOR, GROUP_LEVEL));
        fields.put(
                RuleKind.RATE,
                union(comparing, Set.of(FOR, M_OF_N, GROUP_LEVEL, AGGREGATION, WINDOW)));
        fields.put(
                RuleKind.ANOMALY,
                Set.of(
                        ABOVE,
                        AT_LEAST,
                        RESOLVE_BELOW,
                        FOR,
                        M_OF_N,
                        MIN_SAMPLES,
                        BASELINE_ALPHA,
                        GROUP_LEVEL,
                        AGGREGATION,
                        WINDOW));
        fields.put(
                RuleKind.SPIKE,
                Set.of(ABOVE, AT_LEAST, WINDOW, OCCURRENCES, MIN_SAMPLES, BASELINE_ALPHA));
        // The CEP kinds are matched per series: their patterns see one series' events.
        fields.put(RuleKind.CRASH_LOOP, Set.of(OCCURRENCES, WINDOW));
        return fields;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
