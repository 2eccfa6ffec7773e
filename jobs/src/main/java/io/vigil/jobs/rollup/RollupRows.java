package io.vigil.jobs.rollup;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.vigil.connectors.cassandra.CassandraRowBinder;
import io.vigil.connectors.cassandra.CassandraSink;
import io.vigil.jobs.rollup.records.Rollup;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How a {@link Rollup} becomes a row of {@code vigil.rollups_1m} or {@code vigil.rollups_1h}.
 *
 * <p>Partitions are bounded in time: (series_id, day) for minutes, (series_id, month) for hours.
 * {@code metric} and {@code labels} are static columns, stored once per partition however often
 * they are written. Figures that do not apply (a gauge's rate, quantiles without finite values) are
 * left unset rather than written as null, which in Cassandra would be a tombstone per row.
 */
public final class RollupRows implements CassandraRowBinder<Rollup> {
    private static final long serialVersionUID = 1L;

    /** The tables rollups are written to. */
    public enum Resolution {
        /** {@code rollups_1m}, partitioned by UTC day. */
        MINUTE("rollups_1m", "day"),
        /** {@code rollups_1h}, partitioned by UTC month (its first day). */
        HOUR("rollups_1h", "month");

        private final String table;
        private final String partitionColumn;

        Resolution(String table, String partitionColumn) {
            this.table = table;
            this.partitionColumn = partitionColumn;
        }

        /** The table's name in the {@code vigil} keyspace. */
        public String table() {
            return table;
        }

        LocalDate partitionOf(Instant start) {
            LocalDate day = LocalDate.ofInstant(start, ZoneOffset.UTC);
            return this == MINUTE ? day : day.withDayOfMonth(1);
        }

        /** An idempotent upsert: replaying a window after a failure rewrites the same row. */
        String upsert() {
            return "INSERT INTO "
                    + table
                    + " (series_id, "
                    + partitionColumn
                    + ", ts, metric, labels, count, sum, min, max, last, p50, p90, p99, rate,"
                    + " sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        }
    }

    private final Resolution resolution;

    private RollupRows(Resolution resolution) {
        this.resolution = resolution;
    }

    /**
     * The sink of rollups of a resolution into the {@code vigil} keyspace, configured by {@link
     * io.vigil.connectors.cassandra.CassandraSinkOptions}.
     */
    public static CassandraSink<Rollup> sink(ReadableConfig options, Resolution resolution) {
        return CassandraSink.<Rollup>builder()
                .options(options)
                .keyspace("vigil")
                .statement(resolution.upsert())
                .binder(new RollupRows(resolution))
                .build();
    }

    @Override
    public BoundStatement bind(PreparedStatement statement, Rollup rollup) {
        Instant start = Instant.ofEpochMilli(rollup.windowStart);
        BoundStatementBuilder row =
                statement
                        .boundStatementBuilder()
                        .setLong(0, rollup.seriesId)
                        .setLocalDate(1, resolution.partitionOf(start))
                        .setInstant(2, start)
                        .setString(3, rollup.metric)
                        .setMap(4, rollup.labels, String.class, String.class)
                        .setLong(5, rollup.count)
                        .setDouble(6, rollup.sum)
                        .setDouble(7, rollup.min)
                        .setDouble(8, rollup.max)
                        .setDouble(9, rollup.last);
        row = setOrUnset(row, 10, rollup.p50);
        row = setOrUnset(row, 11, rollup.p90);
        row = setOrUnset(row, 12, rollup.p99);
        row = setOrUnset(row, 13, rollup.rate);
        if (rollup.sketch != null && rollup.sketch.length > 0) {
            row = row.setByteBuffer(14, ByteBuffer.wrap(rollup.sketch));
        } else {
            row = row.unset(14);
        }
        return row.build();
    }

    private static BoundStatementBuilder setOrUnset(BoundStatementBuilder row, int i, double v) {
        return Double.isNaN(v) ? row.unset(i) : row.setDouble(i, v);
    }
}
