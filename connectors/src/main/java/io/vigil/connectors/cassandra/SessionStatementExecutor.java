package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link StatementExecutor} backed by a {@link CqlSession} that it owns and closes. */
final class SessionStatementExecutor implements StatementExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(SessionStatementExecutor.class);

    private final CqlSession session;
    private final Duration closeTimeout;

    SessionStatementExecutor(CqlSession session, Duration closeTimeout) {
        this.session = session;
        this.closeTimeout = closeTimeout;
    }

    @Override
    public CompletionStage<?> executeAsync(Statement<?> statement) {
        return session.executeAsync(statement);
    }

    /**
     * Closes the session without waiting for requests still in flight. The writer only closes after
     * a flush (nothing in flight) or because the task failed or was cancelled, and then those
     * writes belong to an attempt that will be replayed from the last checkpoint: waiting for them
     * would only delay the restart. The wait is bounded so that a stuck close can never hang the
     * task.
     */
    @Override
    public void close() throws InterruptedException {
        try {
            session.forceCloseAsync()
                    .toCompletableFuture()
                    .get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Cassandra session did not close within {}; abandoning it", closeTimeout);
        } catch (ExecutionException e) {
            LOG.warn("Cassandra session failed to close cleanly", e.getCause());
        }
    }
}
