package io.vigil.connectors.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a Cassandra cluster's schema up to date with the versioned {@code cql/V*.cql} scripts.
 *
 * <pre>{@code
 * try (CqlSession session = CqlSession.builder()...build()) {
 *     List<CqlScript> applied =
 *             CqlMigrator.builder()
 *                     .session(session)
 *                     .replication("{'class': 'NetworkTopologyStrategy', 'dc1': 3}")
 *                     .build()
 *                     .migrate();
 * }
 * }</pre>
 *
 * <p>Each script runs once: its version, checksum and time are recorded in {@code
 * <keyspace>.schema_migrations} (default {@code vigil.schema_migrations}) after its last statement
 * succeeded, and later runs skip it. A script that fails half-way is not recorded and runs again
 * from the start next time, which is why every statement must be idempotent ({@code IF NOT
 * EXISTS}). An applied script whose file has since changed stops the migrator before it does
 * anything: applied scripts are history, and changes go into a new version.
 *
 * <p>The history table lives in the keyspace that the first script creates, so on a fresh cluster
 * it is created right after that script.
 *
 * <p>Plain Java and the driver only, no Flink, so the stack's command line can run it. The migrator
 * uses the session it is given and does not close it.
 */
public final class CqlMigrator {

    private static final Logger LOG = LoggerFactory.getLogger(CqlMigrator.class);

    /** The index of Vigil's schema scripts on the class path. */
    public static final String DEFAULT_INDEX = "cql/index.txt";

    /** The keyspace holding Vigil's tables and the migration history. */
    public static final String DEFAULT_KEYSPACE = "vigil";

    /** Placeholder for the keyspace's replication map in {@code V001__keyspace.cql}. */
    public static final String REPLICATION_PLACEHOLDER = "replication";

    /** One replica: right for the single local node, wrong for anything with data to keep. */
    public static final String DEFAULT_REPLICATION =
            "{'class': 'SimpleStrategy', 'replication_factor': 1}";

    private static final String HISTORY_TABLE = "schema_migrations";
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,47}");

    /**
     * DDL waits for the whole cluster to agree on the schema, which is much slower than a write;
     * the driver's default of two seconds fails migrations on a busy node.
     */
    static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

    private final CqlSession session;
    private final List<CqlScript> scripts;
    private final Map<String, String> placeholders;
    private final String keyspace;

    private CqlMigrator(Builder builder) {
        this.session = builder.session;
        this.scripts = CqlScript.inVersionOrder(builder.scripts);
        this.placeholders = Map.copyOf(builder.placeholders);
        this.keyspace = builder.keyspace;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Applies every script not applied yet, in version order.
     *
     * @return the scripts applied by this call; empty if the schema was up to date
     * @throws CqlMigrationException if an applied script changed, a script is malformed or a
     *     statement fails; scripts before the failing one stay applied and recorded
     */
    public List<CqlScript> migrate() {
        Map<Integer, String> applied = appliedChecksums();
        List<CqlScript> pending = pending(scripts, applied);
        if (pending.isEmpty()) {
            LOG.info("Cassandra schema is up to date at version {}", latest(applied));
            return pending;
        }
        boolean historyReady = !applied.isEmpty();
        for (CqlScript script : pending) {
            long started = System.nanoTime();
            List<String> statements = script.statements(placeholders);
            for (String statement : statements) {
                execute(script, statement);
            }
            if (!historyReady) {
                createHistoryTable(script);
                historyReady = true;
            }
            long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            record(script, millis);
            LOG.info("Applied {} ({} statements) in {} ms", script, statements.size(), millis);
        }
        return pending;
    }

    /**
     * The scripts still to apply, given the checksums of the versions applied so far.
     *
     * @throws CqlMigrationException if an applied version's file no longer has its checksum
     */
    static List<CqlScript> pending(List<CqlScript> scripts, Map<Integer, String> applied) {
        List<CqlScript> pending = new ArrayList<>();
        for (CqlScript script : scripts) {
            String appliedChecksum = applied.get(script.version());
            if (appliedChecksum == null) {
                pending.add(script);
            } else if (!appliedChecksum.equals(script.checksum())) {
                throw new CqlMigrationException(
                        String.format(
                                "%s was changed after it was applied (applied checksum %s, file"
                                        + " checksum %s). Applied scripts must never be edited:"
                                        + " restore the file and put the change in a new script,"
                                        + " V%03d__<description>.cql",
                                script.fileName(),
                                appliedChecksum,
                                script.checksum(),
                                latestVersion(scripts) + 1));
            }
        }
        List<Integer> known = scripts.stream().map(CqlScript::version).toList();
        applied.keySet().stream()
                .filter(version -> !known.contains(version))
                .sorted()
                .forEach(
                        version ->
                                LOG.warn(
                                        "Schema version {} is applied but has no script here;"
                                                + " is this an older build?",
                                        version));
        return pending;
    }

    /** Version to checksum, empty if the keyspace (and so the history) does not exist yet. */
    private Map<Integer, String> appliedChecksums() {
        boolean keyspaceExists =
                session.execute(
                                        SimpleStatement.newInstance(
                                                        "SELECT keyspace_name FROM"
                                                                + " system_schema.keyspaces WHERE"
                                                                + " keyspace_name = ?",
                                                        keyspace)
                                                .setTimeout(DDL_TIMEOUT))
                                .one()
                        != null;
        if (!keyspaceExists) {
            return Map.of();
        }
        // The keyspace may exist without the table if a first run failed in between.
        createHistoryTable(null);
        Map<Integer, String> applied = new HashMap<>();
        SimpleStatement select =
                SimpleStatement.newInstance(
                                String.format(
                                        "SELECT version, checksum FROM %s.%s",
                                        keyspace, HISTORY_TABLE))
                        .setTimeout(DDL_TIMEOUT);
        for (Row row : session.execute(select)) {
            applied.put(row.getInt("version"), row.getString("checksum"));
        }
        return applied;
    }

    private void createHistoryTable(CqlScript after) {
        String cql =
                String.format(
                        "CREATE TABLE IF NOT EXISTS %s.%s ("
                                + " version int PRIMARY KEY,"
                                + " description text,"
                                + " script text,"
                                + " checksum text,"
                                + " applied_at timestamp,"
                                + " execution_ms bigint"
                                + ") WITH comment = 'Schema scripts applied by CqlMigrator:"
                                + " version, file, SHA-256 of the file, when, and how long it"
                                + " took (ms)'",
                        keyspace, HISTORY_TABLE);
        try {
            session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
        } catch (RuntimeException e) {
            throw new CqlMigrationException(
                    after == null
                            ? String.format(
                                    "Could not create the migration history table %s.%s: %s",
                                    keyspace, HISTORY_TABLE, e.getMessage())
                            : String.format(
                                    "Could not create the migration history table %s.%s after"
                                            + " %s; does that script create keyspace %s? (%s)",
                                    keyspace, HISTORY_TABLE, after, keyspace, e.getMessage()),
                    e);
        }
    }

    private void execute(CqlScript script, String statement) {
        try {
            session.execute(SimpleStatement.newInstance(statement).setTimeout(DDL_TIMEOUT));
        } catch (RuntimeException e) {
            throw new CqlMigrationException(
                    String.format(
                            "%s failed and was not recorded; fix it and run again. Statement: %s;"
                                    + " error: %s",
                            script, statement, e.getMessage()),
                    e);
        }
    }

    private void record(CqlScript script, long millis) {
        session.execute(
                SimpleStatement.newInstance(
                                String.format(
                                        "INSERT INTO %s.%s (version, description, script, checksum,"
                                            + " applied_at, execution_ms) VALUES (?, ?, ?, ?, ?,"
                                            + " ?)",
                                        keyspace, HISTORY_TABLE),
                                script.version(),
                                script.description(),
                                script.fileName(),
                                script.checksum(),
                                Instant.now(),
                                millis)
                        .setTimeout(DDL_TIMEOUT));
    }

    private static int latestVersion(List<CqlScript> scripts) {
        return scripts.stream().mapToInt(CqlScript::version).max().orElse(0);
    }

    private static int latest(Map<Integer, String> applied) {
        return applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** Describes a {@link CqlMigrator}; {@link #build()} checks the description. */
    public static final class Builder {

        private CqlSession session;
        private List<CqlScript> scripts;
        private final Map<String, String> placeholders = new LinkedHashMap<>();
        private String keyspace = DEFAULT_KEYSPACE;

        private Builder() {
            placeholders.put(REPLICATION_PLACEHOLDER, DEFAULT_REPLICATION);
        }

        /** The session to run the scripts with; the caller keeps ownership of it. */
        public Builder session(CqlSession session) {
            this.session = session;
            return this;
        }

        /** The scripts to apply; by default those listed in {@value #DEFAULT_INDEX}. */
        public Builder scripts(List<CqlScript> scripts) {
            this.scripts = List.copyOf(scripts);
            return this;
        }

        /**
         * The replication map of the {@code vigil} keyspace, as CQL, e.g. {@code {'class':
         * 'NetworkTopologyStrategy', 'dc1': 3}}; by default {@value #DEFAULT_REPLICATION}. It only
         * matters when the keyspace is created: an existing keyspace is never altered.
         */
        public Builder replication(String replication) {
            return placeholder(REPLICATION_PLACEHOLDER, replication);
        }

        /** A value for {@code ${name}} in the scripts. */
        public Builder placeholder(String name, String value) {
            placeholders.put(
                    Objects.requireNonNull(name, "placeholder name"),
                    Objects.requireNonNull(
                            value, () -> String.format("value of placeholder %s", name)));
            return this;
        }

        /** The keyspace of the history table; the first script must create it. */
        public Builder keyspace(String keyspace) {
            this.keyspace = keyspace;
            return this;
        }

        public CqlMigrator build() {
            Objects.requireNonNull(session, "session must be set");
            if (keyspace == null || !IDENTIFIER.matcher(keyspace).matches()) {
                throw new IllegalStateException(
                        String.format(
                                "keyspace '%s' must be a lower-case CQL identifier", keyspace));
            }
            if (scripts == null) {
                scripts = CqlScript.fromIndex(CqlMigrator.class.getClassLoader(), DEFAULT_INDEX);
            }
            if (scripts.isEmpty()) {
                throw new IllegalStateException("There are no schema scripts to apply");
            }
            return new CqlMigrator(this);
        }
    }
}
