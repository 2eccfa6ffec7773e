package io.vigil.jobs.rollup;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.vigil.connectors.cassandra.CassandraSink;
import io.vigil.jobs.rollup.records.Rollup;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The series registry in Cassandra: {@code series} (a series' identity by id) and {@code
 * series_by_metric} (series ids by metric, label name and value). Both are idempotent upserts,
 * rewritten once per series and day; their TTL forgets series that stopped reporting.
 */
public final class SeriesRows {
    private SeriesRows() {}

    /** A label of a series, the row of {@code series_by_metric} that finds it. */
    public record LabelEntry(String metric, String name, String value, long seriesId, long day)
            implements java.io.Serializable {}

    /** The sink of {@code series}, fed with a series' rollup the first time each day. */
    public static CassandraSink<Rollup> seriesSink(ReadableConfig options) {
        return CassandraSink.<Rollup>builder()
                .options(options)
                .keyspace("vigil")
                .statement(
                        "INSERT INTO series (series_id, metric, labels, last_seen) VALUES (?, ?,"
                                + " ?, ?)")
                .binder(SeriesRows::bindSeries)
                .build();
    }

    /** The sink of {@code series_by_metric}, one row per label of each registered series. */
    public static CassandraSink<LabelEntry> labelSink(ReadableConfig options) {
        return CassandraSink.<LabelEntry>builder()
                .options(options)
                .keyspace("vigil")
                .statement(
                        "INSERT INTO series_by_metric (metric, label_name, label_value, series_id,"
                                + " last_seen) VALUES (?, ?, ?, ?, ?)")
                .binder(SeriesRows::bindLabel)
                .build();
    }

    /** The label rows of a series, plus one with an empty name that finds every series of it. */
    public static void labelEntries(
            Rollup rollup, org.apache.flink.util.Collector<LabelEntry> out) {
        long day = Math.floorDiv(rollup.windowStart, 86_400_000L);
        out.collect(new LabelEntry(rollup.metric, "", "", rollup.seriesId, day));
        for (Map.Entry<String, String> label : rollup.labels.entrySet()) {
            out.collect(
                    new LabelEntry(
                            rollup.metric, label.getKey(), label.getValue(), rollup.seriesId, day));
        }
    }

    private static BoundStatement bindSeries(PreparedStatement statement, Rollup rollup) {
        return statement.bind(
                rollup.seriesId,
                rollup.metric,
                rollup.labels,
                LocalDate.ofInstant(Instant.ofEpochMilli(rollup.windowStart), ZoneOffset.UTC));
    }

    private static BoundStatement bindLabel(PreparedStatement statement, LabelEntry entry) {
        return statement.bind(
                entry.metric(),
                entry.name(),
                entry.value(),
                entry.seriesId(),
                LocalDate.ofEpochDay(entry.day()));
    }
}
