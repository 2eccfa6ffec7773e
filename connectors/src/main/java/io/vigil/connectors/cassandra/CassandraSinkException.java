package io.vigil.connectors.cassandra;

import java.io.IOException;

/**
 * Why a {@link CassandraSink} failed its job: a write Cassandra rejected for good, a write still
 * failing after every retry, or a statement that could not be prepared or bound. The driver's
 * exception is the cause.
 */
public final class CassandraSinkException extends IOException {

    private static final long serialVersionUID = 1L;

    public CassandraSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
