package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import io.vigil.stack.LocalStack;
import java.time.Duration;

/** Sessions of the integration tests to the local stack's Cassandra node. */
final class StackSessions {
    private StackSessions() {}

    /**
     * A session to the stack's node with a keyspace of the test's own. Requests may take up to a
     * minute: dropping and creating tables on a node shared with a running build can take longer
     * than the driver's default of two seconds.
     */
    static CqlSession withKeyspace(LocalStack stack, String keyspace) {
        CqlSession session =
                CqlSessions.open(
                        stack.cassandraContactPoint(),
                        stack.cassandraLocalDatacenter(),
                        Duration.ofSeconds(60));
        session.execute(
                String.format(
                        "CREATE KEYSPACE IF NOT EXISTS %s WITH replication = %s",
                        keyspace, CqlMigrator.DEFAULT_REPLICATION));
        return session;
    }
}
