package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.cql.Statement;
import java.util.concurrent.CompletionStage;

/**
 * The one thing {@link CassandraSinkWriter} needs from the driver: send a statement and tell me
 * when it is done. Keeping it this narrow lets the writer's flow control (backpressure, retries,
 * flushing) be tested with a scripted executor instead of a Cassandra node.
 */
interface StatementExecutor extends AutoCloseable {

    /**
     * Sends {@code statement}; the returned stage completes, on a driver thread, with the outcome.
     */
    CompletionStage<?> executeAsync(Statement<?> statement);

    /**
     * What rows may share a batch with {@code statement}: rows of equal groups have their
     * partitions on the same replicas. This default puts every row in one group.
     */
    default Object replicaGroup(Statement<?> statement) {
        return ONE_GROUP;
    }

    /** The group of every row when the executor does not know the replicas. */
    Object ONE_GROUP = "all rows";
}
