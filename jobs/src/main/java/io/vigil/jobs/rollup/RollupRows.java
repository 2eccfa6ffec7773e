package io.vigil.jobs.rollup;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.vigil.connectors.cassandra.CassandraRowBinder;
import io.vigil.connectors.cassandra.CassandraSink;
import io.vigil.jobs.rollup.records.Rollup;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How a {@link Rollup} becomes a row of {@code vigil.rollups_1m}: partition (series_id, day), the
 * UTC day of the window start, so no partition outgrows one series-day; {@code metric} and {@code
 * labels} are static columns, stored once per partition however often they are written.
 */
public final class RollupRows implements CassandraRowBinder<Rollup> {
    private static final long serialVersionUID = 1L;

    /** An idempotent upsert: replaying a window after a failure rewrites the same row. */
    static final String UPSERT =
            "INSERT INTO rollups_1m (series_id, day, ts, metric, labels, count, sum, min, max,"
                    + " last) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * The sink of rollups into the {@code vigil} keyspace, configured by {@link
     * io.vigil.connectors.cassandra.CassandraSinkOptions}.
     */
    public static CassandraSink<Rollup> sink(ReadableConfig options) {
        return CassandraSink.<Rollup>builder()
                .options(options)
                .keyspace("vigil")
                .statement(UPSERT)
                .binder(new RollupRows())
                .build();
    }

    @Override
    public com.datastax.oss.driver.api.core.cql.BoundStatement bind(
            PreparedStatement statement, Rollup rollup) {
        Instant start = Instant.ofEpochMilli(rollup.windowStart);
        return statement.bind(
                rollup.seriesId,
                LocalDate.ofInstant(start, ZoneOffset.UTC),
                start,
                rollup.metric,
                rollup.labels,
                rollup.count,
                rollup.sum,
                rollup.min,
                rollup.max,
                rollup.last);
    }
}
