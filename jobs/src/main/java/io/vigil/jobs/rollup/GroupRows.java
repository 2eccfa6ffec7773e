package io.vigil.jobs.rollup;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.vigil.connectors.cassandra.CassandraRowBinder;
import io.vigil.connectors.cassandra.CassandraSink;
import io.vigil.jobs.rollup.records.GroupRollup;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How a {@link GroupRollup} becomes a row of {@code vigil.group_rollups}: partition (level,
 * group_name, metric, day), clustering ts. Idempotent upserts; figures that do not apply are left
 * unset, not written as tombstones.
 */
public final class GroupRows implements CassandraRowBinder<GroupRollup> {
    private static final long serialVersionUID = 1L;

    static final String UPSERT =
            "INSERT INTO group_rollups (level, group_name, metric, day, ts, series, count, total,"
                    + " min, max, rate, p50, p90, p99, sketch)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** The sink of group aggregates, configured by the Cassandra sink options. */
    public static CassandraSink<GroupRollup> sink(ReadableConfig options) {
        return CassandraSink.<GroupRollup>builder()
                .options(options)
                .keyspace("vigil")
                .statement(UPSERT)
                .binder(new GroupRows())
                .build();
    }

    @Override
    public BoundStatement bind(PreparedStatement statement, GroupRollup group) {
        Instant start = Instant.ofEpochMilli(group.windowStart);
        BoundStatementBuilder row =
                statement
                        .boundStatementBuilder()
                        .setString(0, group.level)
                        .setString(1, group.group)
                        .setString(2, group.metric)
                        .setLocalDate(3, LocalDate.ofInstant(start, ZoneOffset.UTC))
                        .setInstant(4, start)
                        .setLong(5, group.series)
                        .setLong(6, group.count)
                        .setDouble(7, group.total)
                        .setDouble(8, group.min)
                        .setDouble(9, group.max);
        row = Double.isNaN(group.rate) ? row.unset(10) : row.setDouble(10, group.rate);
        row = Double.isNaN(group.p50) ? row.unset(11) : row.setDouble(11, group.p50);
        row = Double.isNaN(group.p90) ? row.unset(12) : row.setDouble(12, group.p90);
        row = Double.isNaN(group.p99) ? row.unset(13) : row.setDouble(13, group.p99);
        row =
                group.sketch == null || group.sketch.length == 0
                        ? row.unset(14)
                        : row.setByteBuffer(14, ByteBuffer.wrap(group.sketch));
        return row.build();
    }
}
