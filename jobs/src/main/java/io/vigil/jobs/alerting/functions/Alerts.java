package io.vigil.jobs.alerting.functions;

import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import io.vigil.schemas.Rule;
import io.vigil.schemas.SeriesIds;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Identity and content of alerts: labels, fingerprint, event ids and the {@link AlertEvent}s.
 *
 * <p>An alert's labels are the series' labels, then the rule's labels (templated with the series'
 * labels) on top, then {@code alertname}, the rule's name. Its fingerprint hashes the rule id and
 * those labels sorted by name; the hash is the one series ids use ({@link SeriesIds}: FNV-1a 64
 * over {@code name\0k\0v...} with a SplitMix64 finaliser), with the rule id in the place of the
 * metric name, written as 16 hex digits.
 *
 * <p>An event id hashes the fingerprint, the episode's start and the transition's number in the
 * episode the same way. The episode's start is part of it because a rule's state is dropped once
 * its alert resolved and went idle, so transition numbers start again at 1 in the next episode.
 * Every input is event time or rule data, so a replay after a failure produces the same ids and
 * consumers drop the duplicates.
 */
public final class Alerts {
    /** The label that names the alert. */
    public static final String ALERTNAME = "alertname";

    private Alerts() {}

    /** The labels of the alert a rule raises on a series. */
    public static Map<String, String> labels(Rule rule, Map<String, String> seriesLabels) {
        Map<String, String> labels = new TreeMap<>(seriesLabels);
        for (Map.Entry<String, String> label : rule.getLabels().entrySet()) {
            // No $value in labels: they make the alert's identity, which must not move with it.
            labels.put(
                    label.getKey(), Templates.render(label.getValue(), seriesLabels, Double.NaN));
        }
        labels.put(ALERTNAME, rule.getName());
        return labels;
    }

    /** The fingerprint of an alert: rule id and labels, hashed. */
    public static String fingerprint(String ruleId, Map<String, String> alertLabels) {
        return hex(SeriesIds.of(ruleId, alertLabels));
    }

    /** The deterministic id of one transition. */
    public static String eventId(String fingerprint, long startsAt, long sequence) {
        return hex(
                SeriesIds.of(
                        fingerprint,
                        Map.of(
                                "starts_at", Long.toString(startsAt),
                                "sequence", Long.toString(sequence))));
    }

    /**
     * One transition of the alert a rule raises on a series.
     *
     * @param value the value that caused it
     * @param startsAt the start of the episode
     * @param eventTime when the transition happened (event time)
     * @param sequence the transition's number in the episode, from 1
     */
    public static AlertEvent event(
            Rule rule,
            Map<String, String> seriesLabels,
            AlertState state,
            double value,
            long startsAt,
            long eventTime,
            long sequence) {
        Map<String, String> labels = labels(rule, seriesLabels);
        String fingerprint = fingerprint(rule.getId(), labels);
        Map<String, String> annotations = new HashMap<>();
        for (Map.Entry<String, String> annotation : rule.getAnnotations().entrySet()) {
            annotations.put(
                    annotation.getKey(),
                    Templates.render(annotation.getValue(), seriesLabels, value));
        }
        return AlertEvent.newBuilder()
                .setEventId(eventId(fingerprint, startsAt, sequence))
                .setFingerprint(fingerprint)
                .setRuleId(rule.getId())
                .setRuleVersion(rule.getVersion())
                .setState(state)
                .setSeverity(rule.getSeverity())
                .setLabels(labels)
                .setAnnotations(annotations)
                .setValue(value)
                .setStartsAt(startsAt)
                .setEndsAt(state == AlertState.RESOLVED ? eventTime : null)
                .setEventTime(eventTime)
                .setSequence(sequence)
                .build();
    }

    private static String hex(long hash) {
        return String.format("%016x", hash);
    }
}
