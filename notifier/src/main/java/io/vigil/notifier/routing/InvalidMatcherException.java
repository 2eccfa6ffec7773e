package io.vigil.notifier.routing;

/** A label matcher that cannot be used; the message says which part is wrong and why. */
public final class InvalidMatcherException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidMatcherException(String message) {
        super(message);
    }
}
