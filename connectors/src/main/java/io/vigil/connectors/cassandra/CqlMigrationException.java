package io.vigil.connectors.cassandra;

/**
 * Why {@link CqlMigrator} refused to run or stopped: a malformed or edited script, a missing
 * placeholder value, or a statement Cassandra rejected.
 */
public final class CqlMigrationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CqlMigrationException(String message) {
        super(message);
    }

    public CqlMigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
