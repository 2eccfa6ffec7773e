package io.vigil.rules;

import static io.vigil.rules.RuleFilesTest.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every way a rule file can be refused: each message names the file, the group, the rule and the
 * field.
 */
class RuleFileErrorsTest {
    private static final String SOURCE = "rules/defaults.yaml";
    private static final String CPU = "rules/defaults.yaml: group \"host\", rule \"CpuHigh\": ";

    private static List<String> errors(String text) {
        InvalidRulesException e =
                catchThrowableOfType(
                        InvalidRulesException.class, () -> RuleFiles.parse(SOURCE, text));
        assertThat(e).as("refused: %s", text).isNotNull();
        return e.errors();
    }

    /** The errors of one rule CpuHigh made of a valid base plus {@code extra} lines. */
    private static List<String> cpuErrors(String rule) {
        return errors(file("host", "alert: CpuHigh\n" + rule));
    }

    @Test
    void aDurationThatIsNot() {
        assertThat(cpuErrors("metric: m\nabove: 1\nfor: 5x"))
                .containsExactly(CPU + "for: \"5x\" is not a duration (use 30s, 5m, 1h)");
        assertThat(cpuErrors("metric: m\nabove: 1\nfor: 300"))
                .containsExactly(CPU + "for: \"300\" is not a duration (use 30s, 5m, 1h)");
        assertThat(cpuErrors("metric: m\nabove: 1\nkeep_firing_for: soon"))
                .containsExactly(
                        CPU + "keep_firing_for: \"soon\" is not a duration (use 30s, 5m, 1h)");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "metric: m | no condition: give one of above, at_least, below or at_most (like"
                        + " above: 0.9)",
                "above: 1 | metric: missing",
                "metric: 9lives\\n"
                        + "above: 1 | metric: \"9lives\" is not a metric name"
                        + " ([a-zA-Z_:][a-zA-Z0-9_:]*)",
                "metric: m\\nabove: high | above: \"high\" is not a finite number",
                "metric: m\\nabove: .inf | above: \"Infinity\" is not a finite number",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "below: 2 | below: only one of above, at_least, below, at_most (also above)",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "resolve_below: 2 | resolve_below: 2 is above the threshold 1: it would"
                        + " resolve before it fires",
                "metric: m\\n"
                        + "below: 5\\n"
                        + "resolve_above: 4 | resolve_above: 4 is below the threshold 5: it would"
                        + " resolve before it fires",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "resolve_above: 2 | resolve_above: does not go with above: use resolve_below",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "kind: gauge | kind: \"gauge\" is not one of threshold, absence, rate,"
                        + " anomaly, spike, crash_loop",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "group_level: region | group_level: \"region\" is not one of series, rack,"
                    + " cluster, dc, global",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "group_level: dc\\n"
                    + "aggregation: median | aggregation: \"median\" is not one of avg, sum, min,"
                    + " max, count",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "aggregation: max | aggregation: not used by a threshold rule per series"
                        + " (group_level: series)",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "group_level: rack\\n"
                        + "window: 500ms | window: 500ms is too short for a group-level rule; at"
                        + " least 1s (a series whose latest value is older than the window drops"
                        + " out of its group)",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "window: 5m | window: not used by a threshold rule per series (group_level:"
                    + " series)",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "occurrences: 3 | occurrences: not used by a threshold rule per series"
                        + " (group_level: series)",
                "metric: m\\nabove: 1\\nabvoe: 1 | abvoe: unknown field (did you mean above?)",
                "metric: m\\nabove: 1\\nexpr: up == 0 | expr: unknown field",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "m_of_n: 3/5 | m_of_n: \"3/5\" is not \"M of N\" (like \"3 of 5\")",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "m_of_n: 6 of 5 | m_of_n: \"6 of 5\" needs 1 <= M <= N <= 1000",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "m_of_n: 0 of 5 | m_of_n: \"0 of 5\" needs 1 <= M <= N <= 1000",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "m_of_n: 2 of 3\\n"
                        + "for: 1m | m_of_n: give either for: or m_of_n:, not both",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "severity: Critical! | severity: \"Critical!\" must be a lower-case word"
                        + " (like critical, warning, info)",
                "metric: m\\nabove: 1\\nenabled: maybe | enabled: \"maybe\" is not true or false",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "id: a/b | id: \"a/b\" is not a rule id (letters, digits, '.', '_', '-'; at"
                    + " most 128)",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "selector: dc1 | selector: must be a mapping of names to values",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "selector: {__name__: x} | selector.__name__: \"__name__\" is not a label"
                        + " name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "selector: {dc: [a, b]} | selector.dc: \"[a, b]\" must be text (quote it)",
                "metric: m\\n"
                        + "above: 1\\n"
                        + "labels: {alertname: X} | labels.alertname: reserved: the alert name is"
                        + " alert:",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "labels: {severity: page} | labels.severity: use the rule's severity: field",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "labels: {on_call: yes} | labels.on_call: \"true\" must be text (quote it)",
                "metric: m\\n"
                    + "above: 1\\n"
                    + "annotations: {summary: \"{{ $labels.host }\"} | annotations.summary: \"{{"
                    + " $labels.host }\" opens {{ without closing it",
                "metric: m\\nabove: 1\\n"
                        + "annotations: {run-book: x} | annotations.run-book: \"run-book\" is not a"
                        + " name ([a-zA-Z_][a-zA-Z0-9_]*)",
            })
    void eachFieldErrorNamesTheField(String rule, String message) {
        assertThat(cpuErrors(rule.replace("\\n", "\n"))).containsExactly(CPU + message);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "kind: absence\\n"
                    + "metric: m | for: missing: an absence rule fires when no sample came for this"
                    + " long",
                "kind: absence\\n"
                        + "metric: m\\n"
                        + "for: 0s | for: must be longer than 0 for an absence rule",
                "kind: absence\\n"
                        + "metric: m\\n"
                        + "for: 1m\\n"
                        + "above: 1 | above: not used by an absence rule",
                "kind: rate\\nmetric: m\\nabove: 1\\nwindow: 0s | window: must be longer than 0",
                "kind: anomaly\\n"
                        + "metric: m\\n"
                        + "below: 1 | below: not used by an anomaly rule per series (group_level:"
                        + " series)",
                "kind: anomaly\\n"
                    + "metric: m\\n"
                    + "above: 0 | above: 0 must be above 0: it is a z-score (standard deviations"
                    + " from the baseline)",
                "kind: anomaly\\n"
                        + "metric: m\\n"
                        + "above: 3\\n"
                        + "baseline_alpha: 1.5 | baseline_alpha: 1.5 is not in (0, 1]",
                "kind: anomaly\\n"
                        + "metric: m\\n"
                        + "above: 3\\n"
                        + "min_samples: 0 | min_samples: 0 is too few; at least 1",
                "kind: anomaly\\n"
                        + "metric: m\\n"
                        + "above: 3\\n"
                        + "min_samples: 2.5 | min_samples: \"2.5\" is not a whole number",
                "kind: spike\\n"
                    + "metric: m\\n"
                    + "above: 0.5 | above: 0.5 must be above 1: a spike is a value this many times"
                    + " its baseline",
                "kind: spike\\n"
                        + "metric: m\\n"
                        + "above: 2\\n"
                        + "for: 1m | for: not used by a spike rule",
                "kind: spike\\n"
                        + "metric: m\\n"
                        + "above: 2\\n"
                        + "group_level: rack | group_level: not used by a spike rule: its pattern"
                        + " is matched per series",
                "kind: spike\\n"
                        + "metric: m\\n"
                        + "above: 2\\n"
                        + "occurrences: 0 | occurrences: 0 is too few; at least 1",
                "kind: spike\\n"
                    + "metric: m | no condition: give one of above or at_least (times the baseline,"
                    + " like above: 3)",
                "kind: crash_loop\\n"
                    + "metric: m\\n"
                    + "occurrences: 1 | occurrences: 1 is too few; at least 2 (one exit is a crash,"
                    + " not a loop)",
                "kind: crash_loop\\nmetric: m\\nabove: 1 | above: not used by a crash_loop rule",
                "kind: crash_loop\\n"
                        + "metric: m\\n"
                        + "group_level: dc | group_level: not used by a crash_loop rule: its"
                        + " pattern is matched per series",
            })
    void eachKindRefusesWhatItDoesNotUse(String rule, String message) {
        assertThat(cpuErrors(rule.replace("\\n", "\n"))).containsExactly(CPU + message);
    }

    @Test
    void everyErrorOfAFileIsReportedNotOnlyTheFirst() {
        List<String> errors =
                errors(
                        file(
                                "host",
                                "alert: CpuHigh\nmetric: m\nabove: 1\nfor: 5x\nseverity: LOUD",
                                "alert: DiskFull\nmetric: m",
                                "metric: m\nabove: 1"));
        assertThat(errors)
                .containsExactly(
                        CPU + "for: \"5x\" is not a duration (use 30s, 5m, 1h)",
                        CPU
                                + "severity: \"LOUD\" must be a lower-case word (like critical,"
                                + " warning, info)",
                        "rules/defaults.yaml: group \"host\", rule \"DiskFull\": no condition: give"
                                + " one of above, at_least, below or at_most (like above: 0.9)",
                        "rules/defaults.yaml: group \"host\", rule #3: alert: missing");
    }

    @Test
    void templatesAreOnlyThoseTheAlertingJobFillsIn() {
        assertThat(
                        cpuErrors(
                                "metric: m\n"
                                        + "above: 1\n"
                                        + "annotations: {summary: \"{{ $value | humanize }}\"}"))
                .containsExactly(
                        CPU
                                + "annotations.summary: \"{{ $value | humanize }}\" is not a"
                                + " template Vigil fills in (use {{ $labels.NAME }} or {{ $value"
                                + " }})");
    }

    @Test
    void anUnreadableDurationOfAnAbsenceRuleIsOneError() {
        assertThat(cpuErrors("kind: absence\nmetric: m\nfor: 1x"))
                .containsExactly(CPU + "for: \"1x\" is not a duration (use 30s, 5m, 1h)");
    }

    @Test
    void alertNamesAreOneWord() {
        assertThat(errors(file("host", "alert: Cpu High\nmetric: m\nabove: 1")))
                .containsExactly(
                        "rules/defaults.yaml: group \"host\", rule \"Cpu High\": alert: \"Cpu"
                            + " High\" must be one word of letters, digits and _ (like CpuHigh)");
    }

    @Test
    void twoRulesWithOneId() {
        assertThat(
                        errors(
                                file(
                                        "host",
                                        "alert: CpuHigh\nmetric: m\nabove: 1",
                                        "alert: Other\nid: host.CpuHigh\nmetric: m\nabove: 1")))
                .containsExactly(
                        "rules/defaults.yaml: group \"host\", rule \"Other\": id: \"host.CpuHigh\""
                                + " is also the id of group \"host\", rule \"CpuHigh\" (give one of"
                                + " them its own id:)");
    }

    @Test
    void aGroupNameThatGivesNoValidId() {
        assertThat(errors(file("_internal", "alert: A\nmetric: m\nabove: 1")))
                .containsExactly(
                        "rules/defaults.yaml: group \"_internal\", rule \"A\": id: the group and"
                            + " alert names give \"_internal.A\", not a valid id; give the rule an"
                            + " id:");
    }

    @Test
    void fileAndGroupErrors() {
        assertThat(errors("")).containsExactly(SOURCE + ": empty; a rule file starts with groups:");
        assertThat(errors("groups: ["))
                .hasSize(1)
                .first()
                .asString()
                .startsWith(SOURCE + ": not valid YAML: ");
        assertThat(errors("- a\n- b"))
                .containsExactly(SOURCE + ": a rule file is a mapping that starts with groups:");
        assertThat(errors("rules: []"))
                .containsExactly(
                        SOURCE + ": rules: unknown field (a rule file has only groups:)",
                        SOURCE + ": groups: missing");
        assertThat(errors("groups: {name: x}"))
                .containsExactly(SOURCE + ": groups: must be a list of groups");
        assertThat(errors("groups:\n  - rules: []"))
                .containsExactly(SOURCE + ": group #1: name: missing");
        assertThat(errors("groups:\n  - x"))
                .containsExactly(SOURCE + ": group #1: a group is a mapping with name: and rules:");
        assertThat(errors("groups:\n  - name: a\n    interval: 1m"))
                .containsExactly(
                        SOURCE
                                + ": group \"a\": interval: unknown field (a group has name: and"
                                + " rules:)");
        assertThat(errors("groups:\n  - name: a\n  - name: a"))
                .containsExactly(SOURCE + ": group \"a\": name: another group has the same name");
        assertThat(errors("groups:\n  - name: a\n    rules: {alert: x}"))
                .containsExactly(SOURCE + ": group \"a\": rules: must be a list of rules");
        assertThat(errors("groups:\n  - name: a\n    rules: [x]"))
                .containsExactly(SOURCE + ": group \"a\", rule #1: a rule is a mapping of fields");
        assertThat(errors("groups:\n  - name: a\n    name: b"))
                .hasSize(1)
                .first()
                .asString()
                .contains("duplicate key name");
    }
}
