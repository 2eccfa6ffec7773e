package io.vigil.rules;

import java.util.regex.Pattern;

/**
 * Rule ids. A rule without an explicit {@code id:} gets {@code <group>.<alert>}, with any character
 * outside {@code [A-Za-z0-9_-]} of either part turned into {@code -}: stable as long as the group
 * and the alert keep their names, readable in logs, and safe as a URL path segment and Kafka key.
 */
public final class RuleIds {
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_-]");

    private RuleIds() {}

    /** The id of alert {@code alert} in group {@code group}: {@code host.CpuHigh}. */
    public static String derive(String group, String alert) {
        return UNSAFE.matcher(group.trim()).replaceAll("-")
                + "."
                + UNSAFE.matcher(alert).replaceAll("-");
    }

    /** Whether {@code id} is a valid rule id. */
    public static boolean isValid(String id) {
        return id != null && RuleSyntax.RULE_ID.matcher(id).matches();
    }
}
