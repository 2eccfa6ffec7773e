package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Sets how long Vigil's time-series tables keep their rows: each table's {@code
 * default_time_to_live}, and a TimeWindowCompactionStrategy window sized so that the retained data
 * spans at most {@value #MAX_WINDOWS} windows (TWCS wants fewer than 50; an expired window is then
 * dropped as whole SSTables, without compaction).
 *
 * <pre>{@code
 * List<String> changes =
 *         TableRetention.fromConfig(config).apply(session);   // after CqlMigrator.migrate()
 * }</pre>
 *
 * <p>The versioned CQL scripts create the tables with the defaults (raw samples and 1-minute
 * rollups 30 days, 1-hour rollups 400 days); an operator who wants other periods sets the {@code
 * vigil.retention.*} options, and this class alters the tables to match. It reads the current
 * settings from {@code system_schema.tables} first and alters only what differs, so it is cheap and
 * idempotent to run on every start. A changed TTL applies to rows written afterwards; rows already
 * stored keep the TTL they were written with (Cassandra stores a TTL per cell).
 */
public final class TableRetention {
    /** Upper bound of the compaction windows the retained data spans. */
    static final int MAX_WINDOWS = 30;

    /** Cassandra refuses TTLs above 20 years ({@code Attributes.MAX_TTL}). */
    private static final long MAX_TTL_SECONDS = 20L * 365 * 24 * 3600;

    public static final ConfigOption<Duration> RAW =
            ConfigOptions.key("vigil.retention.raw")
                    .durationType()
                    .defaultValue(Duration.ofDays(30))
                    .withDescription("How long raw sample chunks (samples_raw) are kept.");

    public static final ConfigOption<Duration> ROLLUPS_1M =
            ConfigOptions.key("vigil.retention.rollups-1m")
                    .durationType()
                    .defaultValue(Duration.ofDays(30))
                    .withDescription(
                            "How long 1-minute rollups (rollups_1m, group_rollups) are kept.");

    public static final ConfigOption<Duration> ROLLUPS_1H =
            ConfigOptions.key("vigil.retention.rollups-1h")
                    .durationType()
                    .defaultValue(Duration.ofDays(400))
                    .withDescription("How long 1-hour rollups (rollups_1h) are kept.");

    private final String keyspace;
    private final Map<String, Duration> ttlByTable;

    private TableRetention(String keyspace, Map<String, Duration> ttlByTable) {
        this.keyspace = keyspace;
        this.ttlByTable = ttlByTable;
    }

    /** The retention the {@code vigil.retention.*} options ask for, in keyspace {@code vigil}. */
    public static TableRetention fromConfig(ReadableConfig config) {
        Map<String, Duration> ttl = new LinkedHashMap<>();
        ttl.put("samples_raw", config.get(RAW));
        ttl.put("rollups_1m", config.get(ROLLUPS_1M));
        ttl.put("group_rollups", config.get(ROLLUPS_1M));
        ttl.put("rollups_1h", config.get(ROLLUPS_1H));
        return of(CqlMigrator.DEFAULT_KEYSPACE, ttl);
    }

    /**
     * Retention of the given tables of {@code keyspace}.
     *
     * @throws IllegalArgumentException if a period is under one second or beyond Cassandra's limit
     *     of 20 years
     */
    public static TableRetention of(String keyspace, Map<String, Duration> ttlByTable) {
        Objects.requireNonNull(keyspace, "keyspace");
        ttlByTable.forEach(
                (table, ttl) -> {
                    if (ttl.getSeconds() < 1 || ttl.getSeconds() > MAX_TTL_SECONDS) {
                        throw new IllegalArgumentException(
                                String.format(
                                        "retention of %s must be between 1 s and 20 years, was %s",
                                        table, ttl));
                    }
                });
        return new TableRetention(
                keyspace, java.util.Collections.unmodifiableSortedMap(new TreeMap<>(ttlByTable)));
    }

    /**
     * The TWCS window, in whole days, for data kept {@code ttl}: the smallest that keeps the
     * retained data within {@value #MAX_WINDOWS} windows.
     */
    static int windowDays(Duration ttl) {
        long days = Math.max(1, (ttl.getSeconds() + 86_399) / 86_400);
        return (int) Math.max(1, (days + MAX_WINDOWS - 1) / MAX_WINDOWS);
    }

    /**
     * Alters every table whose TTL or compaction window differs from what is asked.
     *
     * @return one line per altered table, saying what changed; empty if nothing had to
     * @throws IllegalStateException if a table does not exist (run the migrator first)
     */
    public List<String> apply(CqlSession session) {
        List<String> changes = new ArrayList<>();
        for (Map.Entry<String, Duration> entry : ttlByTable.entrySet()) {
            String table = entry.getKey();
            long ttlSeconds = entry.getValue().getSeconds();
            int window = windowDays(entry.getValue());
            Row current =
                    session.execute(
                                    SimpleStatement.newInstance(
                                            "SELECT default_time_to_live, compaction FROM"
                                                    + " system_schema.tables WHERE keyspace_name"
                                                    + " = ? AND table_name = ?",
                                            keyspace,
                                            table))
                            .one();
            if (current == null) {
                throw new IllegalStateException(
                        String.format(
                                "table %s.%s does not exist; apply the schema (CqlMigrator)"
                                        + " first",
                                keyspace, table));
            }
            int currentTtl = current.getInt("default_time_to_live");
            Map<String, String> compaction =
                    current.getMap("compaction", String.class, String.class);
            String currentWindow = compaction.getOrDefault("compaction_window_size", "?");
            String currentUnit = compaction.getOrDefault("compaction_window_unit", "?");
            boolean twcs =
                    compaction.getOrDefault("class", "").endsWith("TimeWindowCompactionStrategy");
            boolean sameWindow =
                    twcs
                            && currentUnit.equals("DAYS")
                            && currentWindow.equals(Integer.toString(window));
            if (currentTtl == ttlSeconds && sameWindow) {
                continue;
            }
            session.execute(
                    SimpleStatement.newInstance(
                                    String.format(
                                            "ALTER TABLE %s.%s WITH default_time_to_live = %d"
                                                    + " AND compaction = {'class':"
                                                    + " 'TimeWindowCompactionStrategy',"
                                                    + " 'compaction_window_unit': 'DAYS',"
                                                    + " 'compaction_window_size': %d}",
                                            keyspace, table, ttlSeconds, window))
                            .setTimeout(CqlMigrator.DDL_TIMEOUT));
            changes.add(
                    String.format(
                            "%s.%s: time to live %s -> %s, compaction window %s %s -> %d DAYS",
                            keyspace,
                            table,
                            Duration.ofSeconds(currentTtl),
                            entry.getValue(),
                            currentWindow,
                            currentUnit,
                            window));
        }
        return changes;
    }
}
