package io.vigil.jobs.alerting.functions;

import io.vigil.schemas.Comparator;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.MetricSample;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The pure maths of a {@link Rule}: which samples it watches, whether a value breaches it, and
 * whether the rule can be evaluated at all.
 */
public final class Rules {
    /** The longest m-of-n history kept: one bit per evaluation in a {@code long}. */
    public static final int MAX_EVALUATIONS_WINDOW = 64;

    private Rules() {}

    /** Whether a rule watches a sample: same metric, and every selector label equal. */
    public static boolean matches(Rule rule, MetricSample sample) {
        return matches(rule, sample.getName(), sample.getLabels());
    }

    /**
     * Whether a rule watches the series of a metric with these labels (all of them: a batch's
     * shared labels and the sample's own, see {@code MetricBatches#labels}).
     */
    public static boolean matches(Rule rule, String metric, Map<String, String> labels) {
        if (!rule.getMetric().equals(metric)) {
            return false;
        }
        for (Map.Entry<String, String> matcher : rule.getSelector().entrySet()) {
            if (!matcher.getValue().equals(labels.get(matcher.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code value} is on the alerting side of {@code limit}. */
    public static boolean breaches(Comparator comparator, double value, double limit) {
        return switch (comparator) {
            case GT -> value > limit;
            case GE -> value >= limit;
            case LT -> value < limit;
            case LE -> value <= limit;
        };
    }

    /**
     * Whether a value keeps a firing alert active. With hysteresis the value must cross the resolve
     * threshold, not merely the threshold, before the alert resolves: a CPU alert at {@code > 90}
     * with {@code resolve_threshold 80} stays firing at 85.
     */
    public static boolean staysActive(Rule rule, double value) {
        Double resolve = rule.getResolveThreshold();
        return breaches(
                rule.getComparator(), value, resolve == null ? rule.getThreshold() : resolve);
    }

    /** Whether the rule uses m-of-n evaluation. */
    public static boolean isMOfN(Rule rule) {
        return rule.getBreachesRequired() != null;
    }

    /** Whether the rule is evaluated by a CEP pattern rather than the state machine. */
    public static boolean isPattern(Rule rule) {
        return rule.getKind() == RuleKind.SPIKE || rule.getKind() == RuleKind.CRASH_LOOP;
    }

    /**
     * Whether a new version of a rule changes what its state means, so that the state of the old
     * version must end (active alerts resolve) rather than carry on: another kind, metric,
     * selector, name, labels or group level (these three make the alert's identity), or another
     * aggregation (a baseline of averages means nothing for sums). A new threshold, {@code for_ms}
     * or the like carries on with the state as it is.
     */
    public static boolean resetsState(Rule before, Rule after) {
        return before.getKind() != after.getKind()
                || before.getGroupLevel() != after.getGroupLevel()
                || (after.getGroupLevel() != GroupLevel.SERIES
                        && before.getAggregation() != after.getAggregation())
                || !before.getMetric().equals(after.getMetric())
                || !before.getSelector().equals(after.getSelector())
                || !before.getName().equals(after.getName())
                || !before.getLabels().equals(after.getLabels());
    }

    /**
     * Why a rule cannot be evaluated, or empty if it can. Every parameter the evaluation relies on
     * is checked here once, when the rule arrives, so evaluation itself never meets a bad rule.
     *
     * @param cepMaxWindow the longest span a CEP pattern keeps partial matches for
     */
    public static Optional<String> problem(Rule rule, Duration cepMaxWindow) {
        if (rule.getGroupLevel() != GroupLevel.SERIES) {
            if (isPattern(rule)) {
                return Optional.of(
                        String.format(
                                "unsupported: group_level %s with kind %s: its pattern runs per"
                                        + " series",
                                rule.getGroupLevel(), rule.getKind()));
            }
            if (rule.getWindowMs() < Groups.MIN_WINDOW_MS) {
                return Optional.of(
                        String.format(
                                "invalid: window_ms of a group-level rule must be at least %s ms,"
                                        + " was %s",
                                Groups.MIN_WINDOW_MS, rule.getWindowMs()));
            }
        }
        if (rule.getMetric().isEmpty()) {
            return Optional.of("invalid: metric is empty");
        }
        if (!Double.isFinite(rule.getThreshold())) {
            return Optional.of("invalid: threshold is not finite");
        }
        Double resolve = rule.getResolveThreshold();
        if (resolve != null) {
            if (!Double.isFinite(resolve)) {
                return Optional.of("invalid: resolve_threshold is not finite");
            }
            // The resolve threshold must lie on the clearing side, or an alert could never fire
            // without resolving in the same breath.
            if (breaches(rule.getComparator(), resolve, rule.getThreshold())) {
                return Optional.of(
                        String.format(
                                "invalid: resolve_threshold %s is beyond threshold %s for %s",
                                resolve, rule.getThreshold(), rule.getComparator()));
            }
        }
        if (rule.getForMs() < 0 || rule.getKeepFiringForMs() < 0) {
            return Optional.of("invalid: for_ms and keep_firing_for_ms must not be negative");
        }
        Integer m = rule.getBreachesRequired();
        Integer n = rule.getEvaluationsWindow();
        if ((m == null) != (n == null)) {
            return Optional.of(
                    "invalid: breaches_required and evaluations_window go together (m of n)");
        }
        if (m != null && (m < 1 || m > n || n > MAX_EVALUATIONS_WINDOW)) {
            return Optional.of(
                    String.format(
                            "invalid: m-of-n needs 1 <= m <= n <= %s, got %s of %s",
                            MAX_EVALUATIONS_WINDOW, m, n));
        }
        Optional<String> kindProblem = kindProblem(rule, cepMaxWindow);
        if (kindProblem.isPresent()) {
            return kindProblem;
        }
        for (Map<String, String> templates :
                java.util.List.of(rule.getLabels(), rule.getAnnotations())) {
            for (Map.Entry<String, String> template : templates.entrySet()) {
                Optional<String> bad = Templates.problem(template.getValue());
                if (bad.isPresent()) {
                    return Optional.of(
                            "invalid: template of " + template.getKey() + ": " + bad.get());
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> kindProblem(Rule rule, Duration cepMaxWindow) {
        switch (rule.getKind()) {
            case ABSENCE:
                if (rule.getForMs() <= 0) {
                    return Optional.of("invalid: ABSENCE needs for_ms > 0, the allowed silence");
                }
                break;
            case RATE:
                if (rule.getWindowMs() <= 0) {
                    return Optional.of("invalid: RATE needs window_ms > 0");
                }
                break;
            case ANOMALY:
                return baselineProblem(rule);
            case SPIKE:
            case CRASH_LOOP:
                if (rule.getWindowMs() <= 0 || rule.getOccurrences() < 2) {
                    return Optional.of(
                            "invalid: "
                                    + rule.getKind()
                                    + " needs window_ms > 0 and occurrences >= 2");
                }
                long span =
                        rule.getKind() == RuleKind.SPIKE
                                ? rule.getWindowMs() * rule.getOccurrences()
                                : rule.getWindowMs();
                if (span > cepMaxWindow.toMillis()) {
                    return Optional.of(
                            String.format(
                                    "unsupported: the pattern spans %s ms, beyond the job's"
                                            + " vigil.alerting.cep.max-window of %s ms",
                                    span, cepMaxWindow.toMillis()));
                }
                return rule.getKind() == RuleKind.SPIKE ? baselineProblem(rule) : Optional.empty();
            default:
                break;
        }
        return Optional.empty();
    }

    private static Optional<String> baselineProblem(Rule rule) {
        double alpha = rule.getBaselineAlpha();
        if (!(alpha > 0 && alpha <= 1) || rule.getMinSamples() < 1) {
            return Optional.of(
                    "invalid: "
                            + rule.getKind()
                            + " needs baseline_alpha in (0, 1] and min_samples >= 1");
        }
        return Optional.empty();
    }
}
