package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NodeUnavailableException;
import com.datastax.oss.driver.api.core.RequestThrottlingException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.ConnectionInitException;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import com.datastax.oss.driver.api.core.servererrors.TruncateException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteFailureException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Decides which driver errors a write may retry.
 *
 * <p>Retryable means "the same idempotent write may well succeed in a moment": timeouts, a replica
 * or coordinator that is down, overloaded, starting or busy, a dropped connection. Everything else
 * (syntax, invalid query, unknown table, authentication and authorisation, codec errors, frames too
 * large) is a bug or a misconfiguration that no amount of waiting fixes, so it fails the job at
 * once. Unknown errors count as non-retryable on purpose: failing loudly beats retrying a mistake
 * for minutes.
 */
final class CassandraErrors {

    private static final List<Class<? extends Throwable>> RETRYABLE =
            List.of(
                    // The coordinator's replicas did not answer in time, or too few were alive.
                    WriteTimeoutException.class,
                    UnavailableException.class,
                    WriteFailureException.class,
                    OverloadedException.class,
                    BootstrappingException.class,
                    TruncateException.class,
                    // An internal error on the node; usually transient (e.g. during a restart).
                    ServerError.class,
                    // The driver gave up waiting, or had nowhere to send the request right now.
                    DriverTimeoutException.class,
                    NodeUnavailableException.class,
                    BusyConnectionException.class,
                    RequestThrottlingException.class,
                    ClosedConnectionException.class,
                    ConnectionInitException.class);

    private CassandraErrors() {}

    /** Whether a write that failed with {@code error} is worth another attempt. */
    static boolean isRetryable(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof AllNodesFailedException) {
            return allNodesFailedIsRetryable((AllNodesFailedException) cause);
        }
        return RETRYABLE.stream().anyMatch(type -> type.isInstance(cause));
    }

    /** Strips the wrappers that {@code CompletionStage} callbacks and futures add. */
    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * Every node failed or none was available. That is worth a retry (nodes come back) unless each
     * node failed with a non-retryable error, e.g. all of them rejected our credentials.
     */
    private static boolean allNodesFailedIsRetryable(AllNodesFailedException error) {
        List<Throwable> causes =
                error.getAllErrors().values().stream().flatMap(List::stream).toList();
        return causes.isEmpty() || causes.stream().anyMatch(CassandraErrors::isRetryable);
    }
}
