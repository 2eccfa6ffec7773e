package io.vigil.notifier.dispatch;

/**
 * Receives what the dispatcher owes for each record it was given: {@link #track} when a record
 * creates obligations (one per group it joined), {@link #settle} when one of them is met (the
 * group's notification carrying the record's event was delivered, or there turned out to be nothing
 * to notify). The notifier commits a record's offset once all its obligations are met.
 */
public interface Settlements {

    /** A record was read and joined {@code obligations} groups (0: nothing to notify). */
    void track(RecordPosition position, int obligations);

    /** One obligation of a record is met. */
    void settle(RecordPosition position);
}
