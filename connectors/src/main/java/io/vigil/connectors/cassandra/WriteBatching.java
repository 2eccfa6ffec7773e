package io.vigil.connectors.cassandra;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.time.Duration;

/**
 * How {@link CassandraSinkWriter} groups rows into unlogged batches.
 *
 * <p>Rows whose partitions live on the same replicas travel together, as one request, like the
 * Spark Cassandra connector's default grouping by replica set: the coordinator is a replica of
 * every partition in the batch, so the batch costs one request's parsing, dispatch and response
 * instead of one per row, and no extra hop. An unlogged batch gives no atomicity and needs none
 * here: every row is an idempotent upsert, and a failed batch is retried whole.
 *
 * <p>A batch is sent when it holds {@code maxStatements} rows, when the next row would take it over
 * {@code maxBytes} of bound values, after {@code maxDelay} since its first row, or when the writer
 * flushes for a checkpoint. {@code maxStatements = 1} sends every row on its own.
 *
 * @param maxStatements rows per batch at most, 1 to send rows singly
 * @param maxBytes bound values per batch at most, kept below Cassandra's {@code
 *     batch_size_fail_threshold} (50 KiB by default); a larger single row goes alone
 * @param maxDelay how long the first row of a batch waits for company
 */
record WriteBatching(int maxStatements, long maxBytes, Duration maxDelay) implements Serializable {

    /** Every row its own request. */
    static final WriteBatching NONE = new WriteBatching(1, Long.MAX_VALUE, Duration.ZERO);

    WriteBatching {
        checkArgument(maxStatements > 0, "maxStatements must be positive, got %s", maxStatements);
        checkArgument(maxBytes > 0, "maxBytes must be positive, got %s", maxBytes);
        checkNotNull(maxDelay, "maxDelay must not be null");
        checkArgument(!maxDelay.isNegative(), "maxDelay must not be negative, got %s", maxDelay);
    }

    boolean enabled() {
        return maxStatements > 1;
    }
}
