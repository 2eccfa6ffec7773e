package io.vigil.notifier.delivery;

/**
 * A delivery attempt failed. {@link #isTransient()} tells an unreachable or overloaded receiver
 * (worth retrying soon) from a rejection (a 4xx, an invalid address) that needs an operator; the
 * notifier retries both, so that nothing is lost, but logs the latter as an error.
 */
public final class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    public DeliveryException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public DeliveryException(String message, boolean transientFailure) {
        this(message, transientFailure, null);
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
