package io.vigil.jobs.alerting.records;

/** Where the alert of one (series, rule) stands. */
public enum AlertPhase {
    /** No alert: the condition does not hold. */
    INACTIVE,
    /** The condition holds, but not yet for {@code for_ms}. */
    PENDING,
    /** The alert fires. */
    FIRING
}
