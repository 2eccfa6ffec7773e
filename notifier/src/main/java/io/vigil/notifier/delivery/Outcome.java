package io.vigil.notifier.delivery;

/** How a delivery to one integration ended; each lets the flush's records be committed. */
public enum Outcome {
    /** This replica delivered it. */
    DELIVERED,
    /** The log said every event of it was delivered already (by another replica, before). */
    ALREADY_DELIVERED,
    /** Another replica took the claim over and delivers it. */
    TAKEN_OVER,
    /** Nothing for this integration to send (e.g. only resolved alerts, which it does not want). */
    NOTHING_TO_SEND
}
