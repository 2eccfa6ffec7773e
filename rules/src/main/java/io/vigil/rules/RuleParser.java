package io.vigil.rules;

import static io.vigil.rules.RuleSyntax.AGGREGATION;
import static io.vigil.rules.RuleSyntax.ALERT;
import static io.vigil.rules.RuleSyntax.ANNOTATIONS;
import static io.vigil.rules.RuleSyntax.BASELINE_ALPHA;
import static io.vigil.rules.RuleSyntax.ENABLED;
import static io.vigil.rules.RuleSyntax.FOR;
import static io.vigil.rules.RuleSyntax.GROUPS;
import static io.vigil.rules.RuleSyntax.GROUP_LEVEL;
import static io.vigil.rules.RuleSyntax.GROUP_NAME;
import static io.vigil.rules.RuleSyntax.GROUP_RULES;
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

import io.vigil.schemas.Aggregation;
import io.vigil.schemas.Comparator;
import io.vigil.schemas.GroupLevel;
import io.vigil.schemas.Rule;
import io.vigil.schemas.RuleKind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Turns the text of a rule file (or of one rule, for the HTTP API) into {@link Rule}s, collecting
 * every error with the source, group, rule and field it concerns rather than stopping at the first.
 *
 * <p>Rules come out unversioned: {@code version} and {@code updated_at} are 0 until the {@link
 * RuleStore} accepts them. The format is described in the module's README and {@code
 * rules/defaults.yaml}.
 */
final class RuleParser {
    /** Greatest n of an m-of-n condition: evaluations are kept in state per series. */
    static final int MAX_EVALUATIONS = 1_000;

    /** Shortest window of a group-level rule, as the alerting job requires. */
    static final long MIN_GROUP_WINDOW = 1_000;

    private static final Pattern M_OF_N_TEXT = Pattern.compile("\\s*(\\d+)\\s+of\\s+(\\d+)\\s*");
    private static final Pattern TEMPLATE =
            Pattern.compile("\\s*(\\$value|\\$labels\\.[a-zA-Z_][a-zA-Z0-9_]*)\\s*");

    private final String source;
    private final List<String> errors = new ArrayList<>();

    private RuleParser(String source) {
        this.source = source;
    }

    /** The rules of a file. */
    static List<Rule> parseFile(String source, String text) throws InvalidRulesException {
        RuleParser parser = new RuleParser(source);
        List<Rule> rules = parser.file(text);
        parser.throwIfErrors();
        return rules;
    }

    /**
     * One rule, as the HTTP API receives it: a mapping of rule fields (YAML or JSON). The id comes
     * from the request; an {@code id} in the body must be the same.
     */
    static Rule parseSingle(String source, String id, String text) throws InvalidRulesException {
        RuleParser parser = new RuleParser(source);
        Object document = parser.load(text);
        Rule rule = null;
        if (document instanceof Map<?, ?> map) {
            Scope scope = parser.new Scope(source);
            if (!RuleSyntax.RULE_ID.matcher(id).matches()) {
                scope.error(ID, "%s is not a rule id (letters, digits, '.', '_', '-')", quote(id));
            } else if (map.get(ID) != null && !id.equals(String.valueOf(map.get(ID)))) {
                scope.error(
                        ID, "%s differs from the id %s in the path", quote(map.get(ID)), quote(id));
            }
            rule = parser.rule(map, null, 0).map(r -> withId(r, id)).orElse(null);
        } else if (document != null) {
            parser.errors.add(String.format("%s: a rule must be a mapping of fields", source));
        } else if (parser.errors.isEmpty()) {
            parser.errors.add(
                    String.format("%s: empty; a rule needs at least alert and metric", source));
        }
        parser.throwIfErrors();
        return rule;
    }

    private static Rule withId(Rule rule, String id) {
        return Rule.newBuilder(rule).setId(id).build();
    }

    private void throwIfErrors() throws InvalidRulesException {
        if (!errors.isEmpty()) {
            throw new InvalidRulesException(errors);
        }
    }

    private Object load(String text) {
        LoaderOptions options = new LoaderOptions();
        // A key given twice is a mistake whose outcome (first or last wins) nobody should guess.
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            errors.add(String.format("%s: not valid YAML: %s", source, oneLine(e.getMessage())));
            return null;
        }
    }

    private List<Rule> file(String text) {
        Object document = load(text);
        List<Rule> rules = new ArrayList<>();
        if (document == null) {
            if (errors.isEmpty()) {
                errors.add(String.format("%s: empty; a rule file starts with groups:", source));
            }
            return rules;
        }
        Scope top = new Scope(source);
        if (!(document instanceof Map<?, ?> root)) {
            top.error(null, "a rule file is a mapping that starts with groups:");
            return rules;
        }
        root.keySet().stream()
                .filter(key -> !GROUPS.equals(key))
                .forEach(
                        key ->
                                top.error(
                                        String.valueOf(key),
                                        "unknown field (a rule file has only groups:)"));
        Object groups = root.get(GROUPS);
        if (!(groups instanceof List<?> list)) {
            top.error(GROUPS, groups == null ? "missing" : "must be a list of groups");
            return rules;
        }
        Set<String> groupNames = new HashSet<>();
        Map<String, String> ids = new HashMap<>();
        for (int g = 0; g < list.size(); g++) {
            group(list.get(g), g, groupNames, ids, rules);
        }
        return rules;
    }

    /**
     * The rules of one group, added to {@code rules}.
     *
     * @param groupNames names of the groups before this one, to refuse a name given twice
     * @param ids rule ids so far, with where each was defined, to refuse an id given twice
     */
    private void group(
            Object group,
            int index,
            Set<String> groupNames,
            Map<String, String> ids,
            List<Rule> rules) {
        Scope scope = new Scope(String.format("%s: group #%d", source, index + 1));
        if (!(group instanceof Map<?, ?> groupMap)) {
            scope.error(null, "a group is a mapping with name: and rules:");
            return;
        }
        Object name = groupMap.get(GROUP_NAME);
        if (!(name instanceof String groupName) || groupName.isBlank()) {
            scope.error(GROUP_NAME, name == null ? "missing" : "must be text");
            return;
        }
        scope = new Scope(String.format("%s: group %s", source, quote(groupName)));
        if (!groupNames.add(groupName)) {
            scope.error(GROUP_NAME, "another group has the same name");
        }
        for (Object key : groupMap.keySet()) {
            if (!GROUP_NAME.equals(key) && !GROUP_RULES.equals(key)) {
                scope.error(String.valueOf(key), "unknown field (a group has name: and rules:)");
            }
        }
        Object groupRules = groupMap.get(GROUP_RULES);
        if (groupRules == null) {
            return;
        }
        if (!(groupRules instanceof List<?> ruleList)) {
            scope.error(GROUP_RULES, "must be a list of rules");
            return;
        }
        for (int r = 0; r < ruleList.size(); r++) {
            Object rule = ruleList.get(r);
            if (!(rule instanceof Map<?, ?> ruleMap)) {
                errors.add(
                        String.format(
                                "%s: group %s, rule #%d: a rule is a mapping of fields",
                                source, quote(groupName), r + 1));
                continue;
            }
            Optional<Rule> parsed = rule(ruleMap, groupName, r);
            if (parsed.isEmpty()) {
                continue;
            }
            String where =
                    String.format(
                            "group %s, rule %s", quote(groupName), quote(parsed.get().getName()));
            String earlier = ids.putIfAbsent(parsed.get().getId(), where);
            if (earlier != null) {
                errors.add(
                        String.format(
                                "%s: %s: id: %s is also the id of %s (give one of them its own"
                                        + " id:)",
                                source, where, quote(parsed.get().getId()), earlier));
                continue;
            }
            rules.add(parsed.get());
        }
    }

    /**
     * One rule of a group (or the single rule of a request when {@code group} is null). Returns
     * empty if it has errors, which are recorded.
     */
    private Optional<Rule> rule(Map<?, ?> fields, String group, int index) {
        Object alertValue = fields.get(ALERT);
        String prefix =
                group == null ? source : String.format("%s: group %s", source, quote(group));
        Scope scope =
                new Scope(
                        alertValue instanceof String alertText
                                ? String.format("%s, rule %s", prefix, quote(alertText))
                                : String.format("%s, rule #%d", prefix, index + 1));
        int errorsBefore = errors.size();

        Rule.Builder rule = Rule.newBuilder().setVersion(0).setUpdatedAt(0);
        String alert = scope.requiredText(fields, ALERT);
        if (alert != null && !RuleSyntax.ALERT_NAME.matcher(alert).matches()) {
            scope.error(
                    ALERT,
                    "%s must be one word of letters, digits and _ (like CpuHigh)",
                    quote(alert));
        }
        rule.setName(alert == null ? "" : alert);

        RuleKind kind = scope.enumValue(fields, KIND, RuleKind.class, RuleKind.THRESHOLD);
        GroupLevel level =
                scope.enumValue(fields, GROUP_LEVEL, GroupLevel.class, GroupLevel.SERIES);
        rule.setKind(kind).setGroupLevel(level);
        for (Object key : fields.keySet()) {
            String field = String.valueOf(key);
            if (!RuleSyntax.allFields().contains(field)) {
                scope.error(field, "unknown field%s", suggestion(field));
            } else if (field.equals(GROUP_LEVEL) && !RuleSyntax.accepts(kind, level, field)) {
                scope.error(
                        field,
                        "not used by %s: its pattern is matched per series",
                        describe(kind, level));
            } else if (!RuleSyntax.accepts(kind, level, field)) {
                scope.error(field, "not used by %s", describe(kind, level));
            }
        }

        String id = scope.optionalText(fields, ID);
        if (id != null && !RuleSyntax.RULE_ID.matcher(id).matches()) {
            scope.error(
                    ID,
                    "%s is not a rule id (letters, digits, '.', '_', '-'; at most 128)",
                    quote(id));
        }
        if (id == null && alert != null && group != null) {
            id = RuleIds.derive(group, alert);
            if (!RuleIds.isValid(id)) {
                scope.error(
                        ID,
                        "the group and alert names give %s, not a valid id; give the rule an id:",
                        quote(id));
            }
        }
        rule.setId(id == null ? "" : id);

        String metric = scope.requiredText(fields, METRIC);
        if (metric != null && !RuleSyntax.METRIC_NAME.matcher(metric).matches()) {
            scope.error(
                    METRIC, "%s is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)", quote(metric));
        }
        rule.setMetric(metric == null ? "" : metric);
        rule.setSelector(scope.labelMap(fields, SELECTOR, false));
        rule.setAggregation(
                scope.enumValue(fields, AGGREGATION, Aggregation.class, Aggregation.AVG));

        comparison(scope, fields, kind, rule);

        long forMillis = scope.duration(fields, FOR, 0L);
        rule.setForMs(forMillis);
        if (kind == RuleKind.ABSENCE && fields.get(FOR) == null) {
            scope.error(FOR, "missing: an absence rule fires when no sample came for this long");
        } else if (kind == RuleKind.ABSENCE
                && forMillis <= 0
                && Durations.parseMillis(String.valueOf(fields.get(FOR))).isPresent()) {
            // Only for a duration that parsed: an unreadable one has its own error already.
            scope.error(FOR, "must be longer than 0 for an absence rule");
        }
        rule.setKeepFiringForMs(scope.duration(fields, KEEP_FIRING_FOR, 0L));
        mOfN(scope, fields, rule);

        long window = scope.duration(fields, WINDOW, 60_000L);
        if (fields.containsKey(WINDOW) && window <= 0) {
            scope.error(WINDOW, "must be longer than 0");
        } else if (level != GroupLevel.SERIES && window < MIN_GROUP_WINDOW) {
            scope.error(
                    WINDOW,
                    "%s is too short for a group-level rule; at least 1s (a series whose latest"
                            + " value is older than the window drops out of its group)",
                    Durations.format(window));
        }
        rule.setWindowMs(window);
        int minOccurrences = kind == RuleKind.CRASH_LOOP ? 2 : 1;
        int occurrences = scope.integer(fields, OCCURRENCES, 3);
        if (occurrences < minOccurrences) {
            scope.error(
                    OCCURRENCES,
                    "%d is too few; at least %d%s",
                    occurrences,
                    minOccurrences,
                    kind == RuleKind.CRASH_LOOP ? " (one exit is a crash, not a loop)" : "");
        }
        rule.setOccurrences(occurrences);
        int minSamples = scope.integer(fields, MIN_SAMPLES, 30);
        if (minSamples < 1) {
            scope.error(MIN_SAMPLES, "%d is too few; at least 1", minSamples);
        }
        rule.setMinSamples(minSamples);
        double alpha = scope.number(fields, BASELINE_ALPHA, 0.1);
        if (!(alpha > 0 && alpha <= 1)) {
            scope.error(BASELINE_ALPHA, "%s is not in (0, 1]", RuleFormat.plain(alpha));
        }
        rule.setBaselineAlpha(alpha);

        String severity = scope.optionalText(fields, SEVERITY);
        if (severity != null && !RuleSyntax.SEVERITY_NAME.matcher(severity).matches()) {
            scope.error(
                    SEVERITY,
                    "%s must be a lower-case word (like critical, warning, info)",
                    quote(severity));
        }
        rule.setSeverity(severity == null ? "warning" : severity);
        Map<String, String> labels = scope.labelMap(fields, LABELS, true);
        if (labels.containsKey("alertname")) {
            scope.error(LABELS + ".alertname", "reserved: the alert name is alert:");
        }
        if (labels.containsKey(SEVERITY)) {
            scope.error(LABELS + "." + SEVERITY, "use the rule's severity: field");
        }
        rule.setLabels(labels);
        rule.setAnnotations(scope.textMap(fields, ANNOTATIONS));
        rule.setEnabled(scope.bool(fields, ENABLED, true));

        if (errors.size() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(rule.build());
    }

    /** The comparator, threshold and hysteresis of the kinds that compare. */
    private void comparison(Scope scope, Map<?, ?> fields, RuleKind kind, Rule.Builder rule) {
        if (!RuleSyntax.COMPARING.contains(kind)) {
            return;
        }
        List<String> given =
                RuleSyntax.COMPARATORS.keySet().stream()
                        .filter(fields::containsKey)
                        .sorted()
                        .toList();
        if (given.isEmpty()) {
            String keys =
                    kind == RuleKind.ANOMALY || kind == RuleKind.SPIKE
                            ? "above or at_least"
                            : "above, at_least, below or at_most";
            scope.error(null, "no condition: give one of %s%s", keys, conditionHint(kind));
            return;
        }
        if (given.size() > 1) {
            scope.error(
                    given.get(1),
                    "only one of above, at_least, below, at_most (also %s)",
                    given.get(0));
            return;
        }
        String key = given.get(0);
        Comparator comparator = RuleSyntax.COMPARATORS.get(key);
        double threshold = scope.number(fields, key, 0.0);
        if (kind == RuleKind.SPIKE && !(threshold > 1)) {
            scope.error(
                    key,
                    "%s must be above 1: a spike is a value this many times its baseline",
                    RuleFormat.plain(threshold));
        }
        if (kind == RuleKind.ANOMALY && !(threshold > 0)) {
            scope.error(
                    key,
                    "%s must be above 0: it is a z-score (standard deviations from the baseline)",
                    RuleFormat.plain(threshold));
        }
        rule.setComparator(comparator).setThreshold(threshold);

        boolean up = comparator == Comparator.GT || comparator == Comparator.GE;
        String resolveKey = up ? RESOLVE_BELOW : RESOLVE_ABOVE;
        String wrongKey = up ? RESOLVE_ABOVE : RESOLVE_BELOW;
        if (fields.containsKey(wrongKey)) {
            scope.error(wrongKey, "does not go with %s: use %s", key, resolveKey);
        }
        if (fields.containsKey(resolveKey)) {
            double resolve = scope.number(fields, resolveKey, threshold);
            if (up ? resolve > threshold : resolve < threshold) {
                scope.error(
                        resolveKey,
                        "%s is %s the threshold %s: it would resolve before it fires",
                        RuleFormat.plain(resolve),
                        up ? "above" : "below",
                        RuleFormat.plain(threshold));
            }
            rule.setResolveThreshold(resolve);
        }
    }

    private static String conditionHint(RuleKind kind) {
        return switch (kind) {
            case THRESHOLD -> " (like above: 0.9)";
            case RATE -> " (the change per second, like above: 100)";
            case ANOMALY -> " (a z-score, like above: 4)";
            case SPIKE -> " (times the baseline, like above: 3)";
            default -> "";
        };
    }

    private void mOfN(Scope scope, Map<?, ?> fields, Rule.Builder rule) {
        if (!fields.containsKey(M_OF_N)) {
            return;
        }
        Object value = fields.get(M_OF_N);
        Matcher matcher = value instanceof String text ? M_OF_N_TEXT.matcher(text) : null;
        if (matcher == null || !matcher.matches()) {
            scope.error(M_OF_N, "%s is not \"M of N\" (like \"3 of 5\")", quote(value));
            return;
        }
        int m;
        int n;
        try {
            m = Integer.parseInt(matcher.group(1));
            n = Integer.parseInt(matcher.group(2));
        } catch (NumberFormatException e) {
            scope.error(M_OF_N, "%s: numbers too large", quote(value));
            return;
        }
        if (m < 1 || m > n || n > MAX_EVALUATIONS) {
            scope.error(M_OF_N, "%s needs 1 <= M <= N <= %d", quote(value), MAX_EVALUATIONS);
            return;
        }
        if (fields.containsKey(FOR)) {
            scope.error(M_OF_N, "give either for: or m_of_n:, not both");
            return;
        }
        rule.setBreachesRequired(m).setEvaluationsWindow(n);
    }

    private static String describe(RuleKind kind, GroupLevel level) {
        String spelled = RuleSyntax.spell(kind);
        String kindText =
                ("aeiou".indexOf(spelled.charAt(0)) >= 0 ? "an " : "a ") + spelled + " rule";
        if (level == GroupLevel.SERIES && RuleSyntax.KIND_FIELDS.get(kind).contains(AGGREGATION)) {
            return kindText + " per series (group_level: series)";
        }
        return kindText;
    }

    /** "(did you mean above?)" for a field one or two typos from a known one. */
    private static String suggestion(String field) {
        String best = null;
        int bestDistance = 3;
        for (String known : RuleSyntax.allFields()) {
            int distance = editDistance(field.toLowerCase(Locale.ROOT), known);
            if (distance < bestDistance) {
                best = known;
                bestDistance = distance;
            }
        }
        return best == null ? "" : String.format(" (did you mean %s?)", best);
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    static String quote(Object value) {
        if (value == null) {
            return "null";
        }
        String text = String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"");
        return "\"" + oneLine(text) + "\"";
    }

    private static String oneLine(String text) {
        String line = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** Where errors are reported, and the typed reads of fields that report into it. */
    private final class Scope {
        private final String prefix;

        Scope(String prefix) {
            this.prefix = prefix;
        }

        void error(String field, String format, Object... args) {
            String detail = String.format(format, args);
            errors.add(
                    field == null ? prefix + ": " + detail : prefix + ": " + field + ": " + detail);
        }

        String requiredText(Map<?, ?> fields, String field) {
            if (!fields.containsKey(field) || fields.get(field) == null) {
                error(field, "missing");
                return null;
            }
            return optionalText(fields, field);
        }

        String optionalText(Map<?, ?> fields, String field) {
            Object value = fields.get(field);
            if (value == null) {
                return null;
            }
            if (!(value instanceof String text) || text.isBlank()) {
                error(field, "%s must be text", quote(value));
                return null;
            }
            return text;
        }

        <E extends Enum<E>> E enumValue(Map<?, ?> fields, String field, Class<E> type, E fallback) {
            Object value = fields.get(field);
            if (value == null) {
                return fallback;
            }
            try {
                return RuleSyntax.unspell(type, String.valueOf(value));
            } catch (IllegalArgumentException e) {
                error(field, "%s is not one of %s", quote(value), RuleSyntax.spellings(type));
                return fallback;
            }
        }

        long duration(Map<?, ?> fields, String field, long fallback) {
            Object value = fields.get(field);
            if (value == null) {
                return fallback;
            }
            Optional<Long> millis =
                    value instanceof String || Integer.valueOf(0).equals(value)
                            ? Durations.parseMillis(String.valueOf(value).trim())
                            : Optional.empty();
            if (millis.isEmpty()) {
                error(field, "%s is not a duration (%s)", quote(value), Durations.EXAMPLES);
                return fallback;
            }
            return millis.get();
        }

        double number(Map<?, ?> fields, String field, double fallback) {
            Object value = fields.get(field);
            if (value == null && !fields.containsKey(field)) {
                return fallback;
            }
            if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                error(field, "%s is not a finite number", quote(value));
                return fallback;
            }
            return n.doubleValue();
        }

        int integer(Map<?, ?> fields, String field, int fallback) {
            Object value = fields.get(field);
            if (value == null && !fields.containsKey(field)) {
                return fallback;
            }
            if (!(value instanceof Integer n)) {
                error(field, "%s is not a whole number", quote(value));
                return fallback;
            }
            return n;
        }

        boolean bool(Map<?, ?> fields, String field, boolean fallback) {
            Object value = fields.get(field);
            if (value == null && !fields.containsKey(field)) {
                return fallback;
            }
            if (!(value instanceof Boolean b)) {
                error(field, "%s is not true or false", quote(value));
                return fallback;
            }
            return b;
        }

        /** Label names to values; values may hold templates when {@code templates} is set. */
        Map<String, String> labelMap(Map<?, ?> fields, String field, boolean templates) {
            Map<String, String> map = new LinkedHashMap<>();
            Map<?, ?> given = mapping(fields, field);
            for (Map.Entry<?, ?> entry : given.entrySet()) {
                String name = String.valueOf(entry.getKey());
                String key = field + "." + name;
                if (!RuleSyntax.LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
                    error(
                            key,
                            "%s is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)",
                            quote(name));
                    continue;
                }
                text(key, entry.getValue(), templates).ifPresent(value -> map.put(name, value));
            }
            return map;
        }

        /** Annotation names to template texts. */
        Map<String, String> textMap(Map<?, ?> fields, String field) {
            Map<String, String> map = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : mapping(fields, field).entrySet()) {
                String name = String.valueOf(entry.getKey());
                String key = field + "." + name;
                if (!RuleSyntax.LABEL_NAME.matcher(name).matches()) {
                    error(key, "%s is not a name ([a-zA-Z_][a-zA-Z0-9_]*)", quote(name));
                    continue;
                }
                text(key, entry.getValue(), true).ifPresent(value -> map.put(name, value));
            }
            return map;
        }

        private Map<?, ?> mapping(Map<?, ?> fields, String field) {
            Object value = fields.get(field);
            if (value == null) {
                return Map.of();
            }
            if (!(value instanceof Map<?, ?> map)) {
                error(field, "must be a mapping of names to values");
                return Map.of();
            }
            return map;
        }

        /**
         * A label or annotation value. Numbers are taken as their text (a port, a code), but not
         * booleans, since YAML turns an unquoted {@code yes} or {@code off} into one.
         */
        private Optional<String> text(String key, Object value, boolean templates) {
            String text;
            if (value instanceof String s) {
                text = s;
            } else if (value instanceof Integer
                    || value instanceof Long
                    || value instanceof BigInteger) {
                text = String.valueOf(value);
            } else {
                error(key, "%s must be text (quote it)", quote(value));
                return Optional.empty();
            }
            if (templates && !checkTemplates(key, text)) {
                return Optional.empty();
            }
            return Optional.of(text);
        }

        /** Only {{ $labels.NAME }} and {{ $value }}: what the alerting job fills in. */
        private boolean checkTemplates(String key, String text) {
            int at = 0;
            while (true) {
                int open = text.indexOf("{{", at);
                if (open < 0) {
                    return true;
                }
                int close = text.indexOf("}}", open + 2);
                if (close < 0) {
                    error(key, "%s opens {{ without closing it", quote(text));
                    return false;
                }
                String inside = text.substring(open + 2, close);
                if (!TEMPLATE.matcher(inside).matches()) {
                    error(
                            key,
                            "%s is not a template Vigil fills in (use {{ $labels.NAME }} or {{"
                                    + " $value }})",
                            quote("{{" + inside + "}}"));
                    return false;
                }
                at = close + 2;
            }
        }
    }
}
