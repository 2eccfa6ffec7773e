package io.vigil.notifier.dispatch;

import io.vigil.schemas.AlertEvent;
import java.util.Map;
import java.util.TreeMap;

/**
 * The labels an alert is routed, grouped, silenced and shown by: the event's labels plus {@code
 * alertname} (the rule id) and {@code severity}, unless the rule set them itself. Receivers built
 * for Alertmanager expect both.
 */
public final class AlertLabels {

    public static final String ALERTNAME = "alertname";
    public static final String SEVERITY = "severity";

    private AlertLabels() {}

    /** The labels of an alert event, sorted by name. */
    public static Map<String, String> of(AlertEvent event) {
        Map<String, String> labels = new TreeMap<>(event.getLabels());
        labels.putIfAbsent(ALERTNAME, event.getRuleId());
        labels.putIfAbsent(SEVERITY, event.getSeverity());
        return labels;
    }
}
