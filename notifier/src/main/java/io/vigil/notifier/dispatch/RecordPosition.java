package io.vigil.notifier.dispatch;

/**
 * Where an alert event was read: its partition of {@code vigil.alerts} and its offset there. The
 * notifier commits an offset only once every notification its record caused has been delivered.
 */
public record RecordPosition(int partition, long offset) {}
