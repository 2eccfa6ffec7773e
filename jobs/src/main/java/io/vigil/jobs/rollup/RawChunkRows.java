package io.vigil.jobs.rollup;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.vigil.connectors.cassandra.CassandraRowBinder;
import io.vigil.connectors.cassandra.CassandraSink;
import io.vigil.jobs.rollup.records.RawChunk;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How a {@link RawChunk} becomes a row of {@code vigil.samples_raw}.
 *
 * <p>Partitions are (series_id, day), the UTC day of {@code chunk_start}; a chunk never straddles
 * two days because its interval divides a day. {@code metric} and {@code labels} are static
 * columns, stored once per partition. A chunk whose values are all NaN has no min and max; they are
 * left unset rather than written as null, which in Cassandra would be a tombstone per row.
 */
public final class RawChunkRows implements CassandraRowBinder<RawChunk> {
    private static final long serialVersionUID = 1L;

    /** The table raw chunks are written to, in the {@code vigil} keyspace. */
    public static final String TABLE = "samples_raw";

    /** An idempotent upsert: replaying a chunk after a failure rewrites the same row. */
    static final String UPSERT =
            "INSERT INTO "
                    + TABLE
                    + " (series_id, day, chunk_start, chunk_end, metric, labels, count, min, max,"
                    + " data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private RawChunkRows() {}

    /**
     * The sink of raw chunks into the {@code vigil} keyspace, configured by {@link
     * io.vigil.connectors.cassandra.CassandraSinkOptions}.
     */
    public static CassandraSink<RawChunk> sink(ReadableConfig options) {
        return CassandraSink.<RawChunk>builder()
                .options(options)
                .keyspace("vigil")
                .statement(UPSERT)
                .binder(new RawChunkRows())
                .build();
    }

    /** The partition day of a chunk: the UTC date of its start. */
    static LocalDate dayOf(long chunkStart) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(chunkStart), ZoneOffset.UTC);
    }

    @Override
    public BoundStatement bind(PreparedStatement statement, RawChunk chunk) {
        BoundStatementBuilder row =
                statement
                        .boundStatementBuilder()
                        .setLong(0, chunk.seriesId)
                        .setLocalDate(1, dayOf(chunk.chunkStart))
                        .setInstant(2, Instant.ofEpochMilli(chunk.chunkStart))
                        .setInstant(3, Instant.ofEpochMilli(chunk.chunkEnd))
                        .setString(4, chunk.metric)
                        .setMap(5, chunk.labels, String.class, String.class)
                        .setInt(6, chunk.count);
        row = Double.isNaN(chunk.min) ? row.unset(7) : row.setDouble(7, chunk.min);
        row = Double.isNaN(chunk.max) ? row.unset(8) : row.setDouble(8, chunk.max);
        return row.setByteBuffer(9, ByteBuffer.wrap(chunk.data)).build();
    }
}
