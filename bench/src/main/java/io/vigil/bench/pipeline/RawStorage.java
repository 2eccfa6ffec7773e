package io.vigil.bench.pipeline;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * What raw samples cost in {@code samples_raw} at the end of a run: the encoded chunk bytes (the
 * Gorilla blobs the job wrote) and the table on disk after a flush (SSTables with Cassandra's own
 * compression, per-row overhead and indexes included), both per stored sample.
 *
 * <p>Every row is read once, so the figures cover the whole run: every chunk the job wrote and
 * every sample in them, whatever the measured period was.
 *
 * @param rows chunk rows in the table
 * @param samples samples in those chunks (the sum of their {@code count})
 * @param chunkBytes bytes of the encoded chunks
 * @param liveDiskBytes bytes of the table's live SSTables after the flush
 * @param flushed whether the memtables were flushed first
 * @param note why a figure is missing or limited, empty if nothing is
 */
public record RawStorage(
        long rows,
        long samples,
        long chunkBytes,
        long liveDiskBytes,
        boolean flushed,
        String note) {

    static final String TABLE = "samples_raw";

    /**
     * Flushes {@code samples_raw} through JMX and reads every row.
     *
     * @param cassandraPid the Cassandra process, for the flush and the table's disk use
     */
    static RawStorage measure(CqlSession session, long cassandraPid) {
        boolean flushed = false;
        long disk = 0;
        String note = "";
        try (CassandraJmx jmx = CassandraJmx.attach(cassandraPid)) {
            jmx.flush("vigil", TABLE);
            flushed = true;
            disk = jmx.liveDiskSpaceUsed("vigil", TABLE);
        } catch (IOException e) {
            note = "samples_raw not flushed (JMX: " + e.getMessage() + ")";
        }
        long rows = 0;
        long samples = 0;
        long bytes = 0;
        // A full scan is fine here: a benchmark's table holds minutes of data, and paging keeps
        // the driver's memory flat.
        SimpleStatement all =
                SimpleStatement.newInstance("SELECT count, data FROM vigil." + TABLE)
                        .setPageSize(5_000)
                        .setTimeout(Duration.ofSeconds(60));
        for (Row row : session.execute(all)) {
            rows++;
            samples += row.getInt("count");
            ByteBuffer chunk = row.getByteBuffer("data");
            bytes += chunk == null ? 0 : chunk.remaining();
        }
        return new RawStorage(rows, samples, bytes, disk, flushed, note);
    }

    /** Encoded chunk bytes per stored sample. */
    double encodedBytesPerSample() {
        return samples == 0 ? Double.NaN : (double) chunkBytes / samples;
    }

    /** Bytes on disk per stored sample. */
    double diskBytesPerSample() {
        return samples == 0 || !flushed ? Double.NaN : (double) liveDiskBytes / samples;
    }
}
