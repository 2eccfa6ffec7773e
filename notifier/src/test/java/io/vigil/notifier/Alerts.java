package io.vigil.notifier;

import io.vigil.schemas.AlertEvent;
import io.vigil.schemas.AlertState;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Builds alert events for tests: deterministic ids from fingerprint and sequence, as the job's. */
public final class Alerts {

    public static final Instant T0 = Instant.parse("2026-11-25T09:00:00Z");

    private Alerts() {}

    /**
     * Transition {@code sequence} of the alert {@code fingerprint} to {@code state} at {@code at}.
     */
    public static AlertEvent event(
            String fingerprint,
            long sequence,
            AlertState state,
            Map<String, String> labels,
            Instant at) {
        Map<String, String> copy = new TreeMap<>(labels);
        String rule = copy.getOrDefault("alertname", "HighLoad");
        String severity = copy.getOrDefault("severity", "warning");
        return AlertEvent.newBuilder()
                .setEventId(fingerprint + "#" + sequence)
                .setFingerprint(fingerprint)
                .setRuleId(rule)
                .setRuleVersion(1)
                .setState(state)
                .setSeverity(severity)
                .setLabels(copy)
                .setAnnotations(Map.of("summary", "load of " + fingerprint))
                .setValue(0.97)
                .setStartsAt(T0.toEpochMilli())
                .setEndsAt(state == AlertState.RESOLVED ? at.toEpochMilli() : null)
                .setEventTime(at.toEpochMilli())
                .setSequence(sequence)
                .build();
    }

    public static AlertEvent firing(String fingerprint, Map<String, String> labels, Instant at) {
        return event(fingerprint, 1, AlertState.FIRING, labels, at);
    }

    public static AlertEvent resolved(String fingerprint, Map<String, String> labels, Instant at) {
        return event(fingerprint, 2, AlertState.RESOLVED, labels, at);
    }
}
