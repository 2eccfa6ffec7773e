package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.cql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A {@link StatementExecutor} backed by a lease on a {@link CqlSession} shared by the writers of a
 * job in this TaskManager ({@link SharedSessions}).
 */
final class SessionStatementExecutor implements StatementExecutor {

    private final SharedSessions.Lease lease;
    private final Duration closeTimeout;

    SessionStatementExecutor(SharedSessions.Lease lease, Duration closeTimeout) {
        this.lease = lease;
        this.closeTimeout = closeTimeout;
    }

    @Override
    public CompletionStage<?> executeAsync(Statement<?> statement) {
        return lease.session().executeAsync(statement);
    }

    /** Releases the lease; the last writer to let go closes the session. */
    @Override
    public void close() throws InterruptedException {
        lease.release(closeTimeout);
    }
}
