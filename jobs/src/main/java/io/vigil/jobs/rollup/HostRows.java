package io.vigil.jobs.rollup;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.vigil.connectors.cassandra.CassandraRowBinder;
import io.vigil.connectors.cassandra.CassandraSink;
import io.vigil.jobs.rollup.records.HostRow;
import java.time.Instant;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The host inventory in Cassandra: {@code hosts} (a host's place and when it was seen) and {@code
 * hosts_by_place} (the hosts of a cluster and rack), both written with the TTL {@link
 * RollupOptions#HOSTS_RETENTION}, so a host that stops reporting leaves both tables that long after
 * its last write; and the deletes of the {@code hosts_by_place} rows that moved hosts left.
 *
 * <p>{@code hosts} holds one row per host, rewritten whole at every write: a write that reaches
 * Cassandra late (a retry) is set right by the next one, so plain upserts do. {@code
 * hosts_by_place} rows are deleted when a host moves, and a delete must win over every earlier
 * insert of its row even if a retried insert arrives after it, or the host would stay listed in its
 * old rack until the TTL. Its inserts and deletes therefore carry the job's per-host version as
 * their write timestamp ({@code USING TIMESTAMP}), which orders them by event time whatever order
 * they arrive in, and makes a replay after a failure write exactly what it wrote before.
 */
public final class HostRows {
    static final String UPSERT_HOST =
            "INSERT INTO hosts (host, dc, cluster, rack, first_seen, placed_since, last_seen)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?";

    static final String UPSERT_PLACE =
            "INSERT INTO hosts_by_place (dc, cluster, rack, host, last_seen) VALUES (?, ?, ?, ?, ?)"
                    + " USING TTL ? AND TIMESTAMP ?";

    static final String DELETE_PLACE =
            "DELETE FROM hosts_by_place USING TIMESTAMP ? WHERE dc = ? AND cluster = ? AND rack = ?"
                    + " AND host = ?";

    private HostRows() {}

    /** The sink of {@code hosts}: one row per host. */
    public static CassandraSink<HostRow> hostsSink(ReadableConfig options) {
        int ttl = ttlSeconds(options);
        return sink(
                options,
                UPSERT_HOST,
                (statement, row) ->
                        statement.bind(
                                row.host(),
                                row.dc(),
                                row.cluster(),
                                row.rack(),
                                Instant.ofEpochMilli(row.firstSeen()),
                                Instant.ofEpochMilli(row.placedSince()),
                                Instant.ofEpochMilli(row.lastSeen()),
                                ttl));
    }

    /** The sink of {@code hosts_by_place}: a host's row in its cluster's partition. */
    public static CassandraSink<HostRow> placesSink(ReadableConfig options) {
        int ttl = ttlSeconds(options);
        return sink(
                options,
                UPSERT_PLACE,
                (statement, row) ->
                        statement.bind(
                                row.dc(),
                                row.cluster(),
                                row.rack(),
                                row.host(),
                                Instant.ofEpochMilli(row.lastSeen()),
                                ttl,
                                row.version()));
    }

    /** The sink that deletes the {@code hosts_by_place} rows moved hosts left. */
    public static CassandraSink<HostRow> vacatedPlacesSink(ReadableConfig options) {
        return sink(options, DELETE_PLACE, HostRows::bindDelete);
    }

    private static BoundStatement bindDelete(PreparedStatement statement, HostRow left) {
        return statement.bind(left.version(), left.dc(), left.cluster(), left.rack(), left.host());
    }

    private static CassandraSink<HostRow> sink(
            ReadableConfig options, String statement, CassandraRowBinder<HostRow> binder) {
        return CassandraSink.<HostRow>builder()
                .options(options)
                .keyspace("vigil")
                .statement(statement)
                .binder(binder)
                .build();
    }

    private static int ttlSeconds(ReadableConfig options) {
        return Math.toIntExact(options.get(RollupOptions.HOSTS_RETENTION).toSeconds());
    }
}
