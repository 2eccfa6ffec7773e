package io.vigil.rules;

import static io.vigil.rules.RuleSyntax.AGGREGATION;
import static io.vigil.rules.RuleSyntax.ALERT;
import static io.vigil.rules.RuleSyntax.ANNOTATIONS;
import static io.vigil.rules.RuleSyntax.BASELINE_ALPHA;
import static io.vigil.rules.RuleSyntax.ENABLED;
import static io.vigil.rules.RuleSyntax.FOR;
import static io.vigil.rules.RuleSyntax.GROUP_LEVEL;
import static io.vigil.rules.RuleSyntax.ID;
import static io.vigil.rules.RuleSyntax.KEEP_FIRING_FOR;
import static io.vigil.rules.RuleSyntax.KIND;
import static io.vigil.rules.RuleSyntax.LABELS;
import static io.vigil.rules.RuleSyntax.METRIC;
import static io.vigil.rules.RuleSyntax.MIN_SAMPLES;
import static io.vigil.rules.RuleSyntax.M_OF_N;
import static io.vigil.rules.RuleSyntax.OCCURRENCES;
import static io.vigil.rules.RuleSyntax.RESOLVE_ABOVE;
import static io.vigil.rules.RuleSyntax.RESOLVE_BELOW;
import static io.vigil.rules.RuleSyntax.SELECTOR;
import static io.vigil.rules.RuleSyntax.SEVERITY;
import static io.vigil.rules.RuleSyntax.WINDOW;

import io.vigil.schemas.Comparator;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.Rule;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Rule} written back in the fields of a rule file, for the HTTP API's answers and {@code
 * vigil rules list}. Only the fields the rule's kind uses are written, and defaults are left out,
 * so that what a user wrote and what they read back look alike; {@link RuleParser} reads the result
 * back into an equal rule.
 */
public final class RuleFormat {
    private RuleFormat() {}

    /** The rule as an ordered mapping of file fields (without version and time). */
    public static Map<String, Object> toFields(Rule rule) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(ID, rule.getId());
        fields.put(ALERT, rule.getName());
        fields.put(KIND, RuleSyntax.spell(rule.getKind()));
        fields.put(METRIC, rule.getMetric());
        if (!rule.getSelector().isEmpty()) {
            fields.put(SELECTOR, new TreeMap<>(rule.getSelector()));
        }
        GroupLevel level = rule.getGroupLevel();
        if (level != GroupLevel.SERIES) {
            fields.put(GROUP_LEVEL, RuleSyntax.spell(level));
        }
        if (RuleSyntax.accepts(rule.getKind(), level, AGGREGATION)) {
            fields.put(AGGREGATION, RuleSyntax.spell(rule.getAggregation()));
        }
        if (RuleSyntax.COMPARING.contains(rule.getKind())) {
            Comparator comparator = rule.getComparator();
            fields.put(RuleSyntax.comparatorKey(comparator), rule.getThreshold());
            if (rule.getResolveThreshold() != null) {
                boolean up = comparator == Comparator.GT || comparator == Comparator.GE;
                fields.put(up ? RESOLVE_BELOW : RESOLVE_ABOVE, rule.getResolveThreshold());
            }
        }
        if (rule.getForMs() > 0) {
            fields.put(FOR, Durations.format(rule.getForMs()));
        }
        if (rule.getBreachesRequired() != null && rule.getEvaluationsWindow() != null) {
            fields.put(M_OF_N, rule.getBreachesRequired() + " of " + rule.getEvaluationsWindow());
        }
        if (rule.getKeepFiringForMs() > 0) {
            fields.put(KEEP_FIRING_FOR, Durations.format(rule.getKeepFiringForMs()));
        }
        if (RuleSyntax.accepts(rule.getKind(), level, WINDOW)) {
            fields.put(WINDOW, Durations.format(rule.getWindowMs()));
        }
        if (RuleSyntax.accepts(rule.getKind(), level, OCCURRENCES)) {
            fields.put(OCCURRENCES, rule.getOccurrences());
        }
        if (RuleSyntax.accepts(rule.getKind(), level, MIN_SAMPLES)) {
            fields.put(MIN_SAMPLES, rule.getMinSamples());
            fields.put(BASELINE_ALPHA, rule.getBaselineAlpha());
        }
        fields.put(SEVERITY, rule.getSeverity());
        if (!rule.getLabels().isEmpty()) {
            fields.put(LABELS, new TreeMap<>(rule.getLabels()));
        }
        if (!rule.getAnnotations().isEmpty()) {
            fields.put(ANNOTATIONS, new TreeMap<>(rule.getAnnotations()));
        }
        if (!rule.getEnabled()) {
            fields.put(ENABLED, false);
        }
        return fields;
    }

    /** A number as people write it: {@code 0.0000278}, {@code 1000000}, not {@code 2.78E-5}. */
    static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /**
     * One line for listings: {@code host.CpuHigh v3 threshold node_cpu_usage_ratio above 0.9 for
     * 5m}.
     */
    public static String summary(Rule rule) {
        StringBuilder text =
                new StringBuilder()
                        .append(RuleSyntax.spell(rule.getKind()))
                        .append(' ')
                        .append(rule.getMetric());
        if (!rule.getSelector().isEmpty()) {
            text.append(new TreeMap<>(rule.getSelector()));
        }
        GroupLevel level = rule.getGroupLevel();
        if (level != GroupLevel.SERIES) {
            // As PromQL would say it: avg by rack; a global group has no "by".
            text.append(' ');
            if (RuleSyntax.accepts(rule.getKind(), level, AGGREGATION)) {
                text.append(RuleSyntax.spell(rule.getAggregation())).append(' ');
            }
            text.append(
                    level == GroupLevel.GLOBAL ? "of all series" : "by " + RuleSyntax.spell(level));
        }
        if (RuleSyntax.COMPARING.contains(rule.getKind())) {
            text.append(' ')
                    .append(RuleSyntax.comparatorKey(rule.getComparator()).replace('_', ' '))
                    .append(' ')
                    .append(plain(rule.getThreshold()));
        }
        if (rule.getForMs() > 0) {
            text.append(" for ").append(Durations.format(rule.getForMs()));
        }
        if (RuleSyntax.accepts(rule.getKind(), level, WINDOW)) {
            text.append(" over ").append(Durations.format(rule.getWindowMs()));
        }
        if (!rule.getEnabled()) {
            text.append(" (disabled)");
        }
        return text.toString();
    }
}
