package io.vigil.rules;

/** The rule store could not do what was asked: Cassandra or Kafka failed or timed out. */
public class RuleStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuleStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public RuleStoreException(String message) {
        super(message);
    }
}
