package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.metadata.token.Token;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
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

    /**
     * The replicas of the statement's partition, from the driver's token map; every row in one
     * group when the driver has no token map (token metadata disabled) or the statement no routing
     * key. A set of nodes compares by its members, so equal replica sets are one group.
     */
    @Override
    public Object replicaGroup(Statement<?> statement) {
        Optional<TokenMap> tokenMap = lease.session().getMetadata().getTokenMap();
        CqlIdentifier keyspace = statement.getRoutingKeyspace();
        if (tokenMap.isEmpty() || keyspace == null) {
            return ONE_GROUP;
        }
        Token token = statement.getRoutingToken();
        if (token == null) {
            ByteBuffer key = statement.getRoutingKey();
            if (key == null) {
                return ONE_GROUP;
            }
            token = tokenMap.get().newToken(key);
        }
        return tokenMap.get().getReplicas(keyspace, token);
    }

    /** Releases the lease; the last writer to let go closes the session. */
    @Override
    public void close() throws InterruptedException {
        lease.release(closeTimeout);
    }
}
