package io.vigil.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.vigil.stack.LocalStack;
import io.vigil.stack.junit.SharedStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The migrator and the sink against the real Cassandra node of the local stack, with Flink jobs on
 * a MiniCluster: rows arrive exactly as sent, replays change nothing, a failover loses nothing, and
 * mistakes fail the job with the cause in plain sight.
 *
 * <p>The node is shared by every test in this JVM and may keep its data between runs, so each test
 * drops and recreates the tables it writes to in its own keyspace, {@value #KEYSPACE}.
 */
@ExtendWith(SharedStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CassandraSinkITCase {

    private static final String KEYSPACE = "vigil_sink_it";
    private static final String MIGRATOR_KEYSPACE = "vigil_migrator_it";
    private static final int PARALLELISM = 2;
    private static final int ROWS = 20_000;

    /** Small on purpose, so that the job spends most of its time backpressured by the sink. */
    private static final int MAX_IN_FLIGHT = 8;

    /** For tests about something other than backpressure. */
    private static final int WIDE_WINDOW = 64;

    /** Half an hour before midnight UTC, so a series' hour of rollups spans two partitions. */
    private static final Instant HALF_HOUR_BEFORE_MIDNIGHT = Instant.parse("2026-03-01T23:30:00Z");

    private static final String UPSERT_READING =
            "INSERT INTO %s (sensor_id, name, value) VALUES (?, ?, ?)";

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .build());

    private LocalStack stack;
    private CqlSession session;

    @BeforeAll
    void connect(LocalStack localStack) {
        stack = localStack;
        session = StackSessions.withKeyspace(stack, KEYSPACE);
    }

    @AfterAll
    void disconnect() {
        if (session != null) {
            session.close();
        }
    }

    // ---------------------------------------------------------------- (a) schema migrations

    @Test
    void migratorAppliesTheSchemaOnceAndRecordsEveryVersion() {
        List<CqlScript> scripts =
                CqlScript.fromIndex(getClass().getClassLoader(), CqlMigrator.DEFAULT_INDEX);
        CqlMigrator migrator = CqlMigrator.builder().session(session).build();

        // Another test in this JVM, or an earlier run, may have migrated already; either way a
        // run must succeed, and the run after it must find nothing left to do.
        migrator.migrate();
        assertThat(migrator.migrate()).isEmpty();

        assertThat(history(CqlMigrator.DEFAULT_KEYSPACE))
                .containsAllEntriesOf(
                        scripts.stream()
                                .collect(
                                        Collectors.toMap(CqlScript::version, CqlScript::checksum)));
        assertThat(columnKinds("vigil", "rollups_1m"))
                .containsEntry("series_id", "partition_key")
                .containsEntry("day", "partition_key")
                .containsEntry("ts", "clustering")
                .containsEntry("metric", "static")
                .containsEntry("labels", "static")
                .containsEntry("count", "regular")
                .containsEntry("last", "regular");
    }

    @Test
    void migratorCreatesHistoryOnAFreshClusterAndRecordsEachScriptOnce() {
        session.execute(String.format("DROP KEYSPACE IF EXISTS %s", MIGRATOR_KEYSPACE));
        List<CqlScript> scripts =
                List.of(
                        CqlScript.of(
                                "V001__keyspace.cql",
                                String.format(
                                        "CREATE KEYSPACE IF NOT EXISTS %s WITH replication ="
                                                + " ${replication};",
                                        MIGRATOR_KEYSPACE)),
                        CqlScript.of(
                                "V002__things.cql",
                                String.format(
                                        "CREATE TABLE IF NOT EXISTS %s.things (id int PRIMARY"
                                                + " KEY);",
                                        MIGRATOR_KEYSPACE)));
        CqlMigrator migrator =
                CqlMigrator.builder()
                        .session(session)
                        .keyspace(MIGRATOR_KEYSPACE)
                        .scripts(scripts)
                        .build();

        assertThat(migrator.migrate()).containsExactlyElementsOf(scripts);
        assertThat(migrator.migrate()).isEmpty();
        assertThat(history(MIGRATOR_KEYSPACE))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(1, scripts.get(0).checksum(), 2, scripts.get(1).checksum()));
    }

    @Test
    void migratorRefusesToRunWhenAnAppliedScriptChanged() {
        List<CqlScript> scripts =
                CqlScript.fromIndex(getClass().getClassLoader(), CqlMigrator.DEFAULT_INDEX);
        CqlMigrator.builder().session(session).build().migrate();
        CqlScript edited =
                CqlScript.of(
                        "V002__rollups_1m.cql",
                        "CREATE TABLE IF NOT EXISTS vigil.rollups_1m (series_id bigint PRIMARY"
                                + " KEY);");

        assertThatThrownBy(
                        () ->
                                CqlMigrator.builder()
                                        .session(session)
                                        .scripts(List.of(scripts.get(0), edited))
                                        .build()
                                        .migrate())
                .isInstanceOf(CqlMigrationException.class)
                .hasMessageStartingWith("V002__rollups_1m.cql was changed after it was applied");
    }

    // ---------------------------------------------------------------- (b, c) writing rows

    @Test
    void writesEveryRowExactlyAsSent() throws Exception {
        String table = recreateReadingsTable("readings_once");
        long connectsBefore = SharedSessions.connects();

        run(readings(environment(PARALLELISM)), sink(table, new ReadingBinder()));

        assertThat(readAll(table)).hasSize(ROWS).containsExactlyInAnyOrderEntriesOf(expected());
        // The two writers shared one session (they start together and hold it until the end).
        assertThat(SharedSessions.connects() - connectsBefore).isEqualTo(1);
        assertThat(SharedSessions.open()).isZero();
    }

    @Test
    void writingTheSameRowsAgainLeavesTheSameTable() throws Exception {
        String table = recreateReadingsTable("readings_twice");

        run(readings(environment(PARALLELISM)), sink(table, new ReadingBinder()));
        Map<Long, Reading> afterFirstRun = readAll(table);
        // A different parallelism splits the rows differently, as a replay after rescaling would.
        // This test is about idempotence, not backpressure: a wider window keeps it quick.
        run(readings(environment(1)), sink(table, new ReadingBinder(), WIDE_WINDOW));

        assertThat(readAll(table)).hasSize(ROWS).isEqualTo(afterFirstRun).isEqualTo(expected());
    }

    @Test
    void losesNothingWhenTheJobFailsOverMidStream() throws Exception {
        String table = recreateReadingsTable("readings_failover");
        Configuration oneRestart = new Configuration();
        oneRestart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        oneRestart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        oneRestart.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = environment(PARALLELISM, oneRestart);

        // The first attempt dies a quarter of the way through; the subtask restarts from its last
        // checkpoint, which only covers rows the sink had flushed, and replays the rest.
        DataStream<Reading> readings =
                env.fromSequence(0, ROWS - 1)
                        .map(new FailOnceAt(ROWS / 4))
                        .uid("readings-failing-once")
                        .name("Readings, failing once");
        run(readings, sink(table, new ReadingBinder()));

        assertThat(readAll(table)).hasSize(ROWS).containsExactlyInAnyOrderEntriesOf(expected());
        // Both subtasks shared one session, and the failed attempt's writers, like the finished
        // ones, let go of it: nothing stays open after the job.
        assertThat(SharedSessions.open()).isZero();
    }

    @Test
    void writesRollupsIntoTheMigratedSchema() throws Exception {
        CqlMigrator.builder().session(session).build().migrate();
        long firstSeries = System.currentTimeMillis() * 1000; // fresh ids on a reused node
        List<Long> series = List.of(firstSeries, firstSeries + 1, firstSeries + 2);
        StreamExecutionEnvironment env = environment(PARALLELISM);

        DataStream<Long> minutes =
                env.fromSequence(0, series.size() * 60L - 1).uid("minutes").name("Minutes");
        minutes.sinkTo(
                        CassandraSink.<Long>builder()
                                .contactPoints(List.of(stack.cassandraContactPoint()))
                                .localDatacenter(stack.cassandraLocalDatacenter())
                                .keyspace("vigil")
                                .statement(
                                        "INSERT INTO rollups_1m (series_id, day, ts, metric,"
                                                + " labels, count, sum, min, max, last) VALUES (?,"
                                                + " ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                .binder(new RollupBinder(firstSeries))
                                .maxInFlightRequests(MAX_IN_FLIGHT)
                                .build())
                .uid("rollups-cassandra-sink")
                .name("Write rollups to Cassandra");
        env.execute("cassandra-sink-it-rollups");

        for (long seriesId : series) {
            LocalDate lastDay = LocalDate.ofInstant(HALF_HOUR_BEFORE_MIDNIGHT, ZoneOffset.UTC);
            assertThat(rollupCount(seriesId, lastDay)).isEqualTo(30);
            assertThat(rollupCount(seriesId, lastDay.plusDays(1))).isEqualTo(30);
            Row identity =
                    session.execute(
                                    "SELECT metric, labels FROM vigil.rollups_1m WHERE series_id"
                                            + " = ? AND day = ? LIMIT 1",
                                    seriesId,
                                    lastDay)
                            .one();
            assertThat(identity.getString("metric")).isEqualTo("cpu.utilisation");
            assertThat(identity.getMap("labels", String.class, String.class))
                    .containsEntry("host", String.format("web-%s", seriesId - firstSeries));
        }
    }

    // ---------------------------------------------------------------- (d) failing the job

    @Test
    void failsTheJobWhenTheTableDoesNotExist() {
        StreamExecutionEnvironment env = environment(PARALLELISM);
        readings(env).sinkTo(sink("no_such_table", new ReadingBinder())).uid("sink").name("Sink");

        assertThatThrownBy(() -> env.execute("cassandra-sink-it-missing-table"))
                .satisfies(
                        error ->
                                assertThat(causalChain(error))
                                        .contains("CassandraSinkException")
                                        .contains("Could not prepare the Cassandra statement")
                                        .contains("InvalidQueryException")
                                        .contains("no_such_table"));
        // The writer that failed to prepare released the session it had acquired.
        assertThat(SharedSessions.open()).isZero();
    }

    @Test
    void failsTheJobAtOnceWhenCassandraRejectsAWrite() {
        String table = recreateReadingsTable("readings_rejected");
        StreamExecutionEnvironment env = environment(PARALLELISM);
        // A null partition key is invalid on the server. Retries are generous here, so if the
        // rejection were retried the job would take well over a minute to fail.
        CassandraSink<Reading> sink =
                CassandraSink.<Reading>builder()
                        .contactPoints(List.of(stack.cassandraContactPoint()))
                        .localDatacenter(stack.cassandraLocalDatacenter())
                        .keyspace(KEYSPACE)
                        .statement(String.format(UPSERT_READING, table))
                        .binder(
                                (statement, reading) ->
                                        statement.bind(null, reading.name(), reading.value()))
                        .maxInFlightRequests(MAX_IN_FLIGHT)
                        .maxRetries(10)
                        .initialBackoff(Duration.ofSeconds(2))
                        .build();
        readings(env).sinkTo(sink).uid("sink").name("Sink");

        long started = System.nanoTime();
        assertThatThrownBy(() -> env.execute("cassandra-sink-it-rejected"))
                .satisfies(
                        error ->
                                assertThat(causalChain(error))
                                        .contains("CassandraSinkException")
                                        .contains("failed with a non-retryable error")
                                        .contains("InvalidQueryException")
                                        .contains("sensor_id"));
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void failsTheJobWhenTheBinderBindsAWrongType() {
        String table = recreateReadingsTable("readings_wrong_type");
        StreamExecutionEnvironment env = environment(PARALLELISM);
        CassandraSink<Reading> sink =
                sink(
                        table,
                        (statement, reading) ->
                                statement.bind(reading.name(), reading.name(), reading.value()));
        readings(env).sinkTo(sink).uid("sink").name("Sink");

        assertThatThrownBy(() -> env.execute("cassandra-sink-it-wrong-type"))
                .satisfies(
                        error ->
                                assertThat(causalChain(error))
                                        .contains("CassandraSinkException")
                                        .contains("Could not bind a " + Reading.class.getName())
                                        .contains("CodecNotFoundException"));
    }

    // ---------------------------------------------------------------- fixtures

    /** A row of the test tables; a record, so Flink serialises it as a POJO. */
    public record Reading(long sensorId, String name, double value) {

        static Reading of(long sensorId) {
            return new Reading(sensorId, String.format("sensor-%05d", sensorId), sensorId / 4.0);
        }
    }

    /** Binds a reading to {@link #UPSERT_READING}. */
    static final class ReadingBinder implements CassandraRowBinder<Reading> {

        private static final long serialVersionUID = 1L;

        @Override
        public BoundStatement bind(PreparedStatement statement, Reading reading) {
            return statement.bind(reading.sensorId(), reading.name(), reading.value());
        }
    }

    /**
     * Binds minute {@code n} to a rollup of series {@code firstSeries + n / 60}, at the n-th minute
     * after {@link #HALF_HOUR_BEFORE_MIDNIGHT}.
     */
    static final class RollupBinder implements CassandraRowBinder<Long> {

        private static final long serialVersionUID = 1L;

        private final long firstSeries;

        RollupBinder(long firstSeries) {
            this.firstSeries = firstSeries;
        }

        @Override
        public BoundStatement bind(PreparedStatement statement, Long n) {
            long offset = n / 60;
            Instant ts = HALF_HOUR_BEFORE_MIDNIGHT.plus(Duration.ofMinutes(n % 60));
            return statement.bind(
                    firstSeries + offset,
                    LocalDate.ofInstant(ts, ZoneOffset.UTC),
                    ts,
                    "cpu.utilisation",
                    Map.of("host", String.format("web-%s", offset)),
                    6L,
                    300.0,
                    40.0,
                    60.0,
                    55.0);
        }
    }

    /** Maps numbers to readings, and fails once, in the first attempt, at a given number. */
    static final class FailOnceAt extends RichMapFunction<Long, Reading> {

        private static final long serialVersionUID = 1L;

        private final long failAt;
        private boolean firstAttempt;

        FailOnceAt(long failAt) {
            this.failAt = failAt;
        }

        @Override
        public void open(OpenContext openContext) {
            firstAttempt = getRuntimeContext().getTaskInfo().getAttemptNumber() == 0;
        }

        @Override
        public Reading map(Long value) throws Exception {
            if (firstAttempt && value == failAt) {
                throw new IllegalStateException(
                        String.format("Injected failure at reading %s", value));
            }
            // A little slowness so that checkpoints complete before the failure.
            if (value % 50 == 0) {
                Thread.sleep(1);
            }
            return Reading.of(value);
        }
    }

    private StreamExecutionEnvironment environment(int parallelism) {
        Configuration noRestarts = new Configuration();
        // Checkpointing would otherwise turn on endless restarts, and a failing test would hang.
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return environment(parallelism, noRestarts);
    }

    private static StreamExecutionEnvironment environment(int parallelism, Configuration config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        // Frequent checkpoints, so that the sink's flush before each barrier runs many times.
        env.enableCheckpointing(100);
        return env;
    }

    private static DataStream<Reading> readings(StreamExecutionEnvironment env) {
        return env.fromSequence(0, ROWS - 1)
                .map(Reading::of)
                .returns(Reading.class)
                .uid("readings")
                .name("Readings");
    }

    private CassandraSink<Reading> sink(String table, CassandraRowBinder<Reading> binder) {
        return sink(table, binder, MAX_IN_FLIGHT);
    }

    private CassandraSink<Reading> sink(
            String table, CassandraRowBinder<Reading> binder, int maxInFlightRequests) {
        return CassandraSink.<Reading>builder()
                .contactPoints(List.of(stack.cassandraContactPoint()))
                .localDatacenter(stack.cassandraLocalDatacenter())
                .keyspace(KEYSPACE)
                .statement(String.format(UPSERT_READING, table))
                .binder(binder)
                .maxInFlightRequests(maxInFlightRequests)
                .build();
    }

    private static void run(DataStream<Reading> readings, CassandraSink<Reading> sink)
            throws Exception {
        readings.sinkTo(sink).uid("readings-cassandra-sink").name("Write readings to Cassandra");
        readings.getExecutionEnvironment().execute("cassandra-sink-it");
    }

    private String recreateReadingsTable(String table) {
        session.execute(String.format("DROP TABLE IF EXISTS %s.%s", KEYSPACE, table));
        session.execute(
                String.format(
                        "CREATE TABLE %s.%s (sensor_id bigint PRIMARY KEY, name text, value"
                                + " double)",
                        KEYSPACE, table));
        return table;
    }

    private Map<Long, Reading> readAll(String table) {
        Map<Long, Reading> rows = new HashMap<>();
        for (Row row :
                session.execute(
                        String.format(
                                "SELECT sensor_id, name, value FROM %s.%s", KEYSPACE, table))) {
            Reading reading =
                    new Reading(
                            row.getLong("sensor_id"),
                            row.getString("name"),
                            row.getDouble("value"));
            assertThat(rows.put(reading.sensorId(), reading)).as("duplicate key").isNull();
        }
        return rows;
    }

    private static Map<Long, Reading> expected() {
        return LongStream.range(0, ROWS)
                .mapToObj(Reading::of)
                .collect(Collectors.toMap(Reading::sensorId, Function.identity()));
    }

    private Map<Integer, String> history(String keyspace) {
        Map<Integer, String> history = new HashMap<>();
        for (Row row :
                session.execute(
                        String.format(
                                "SELECT version, checksum FROM %s.schema_migrations", keyspace))) {
            history.put(row.getInt("version"), row.getString("checksum"));
        }
        return history;
    }

    private Map<String, String> columnKinds(String keyspace, String table) {
        Map<String, String> kinds = new HashMap<>();
        for (Row row :
                session.execute(
                        SimpleStatement.newInstance(
                                "SELECT column_name, kind FROM system_schema.columns WHERE"
                                        + " keyspace_name = ? AND table_name = ?",
                                keyspace,
                                table))) {
            kinds.put(row.getString("column_name"), row.getString("kind"));
        }
        return kinds;
    }

    private long rollupCount(long seriesId, LocalDate day) {
        return session.execute(
                        "SELECT count(*) FROM vigil.rollups_1m WHERE series_id = ? AND day = ?",
                        seriesId,
                        day)
                .one()
                .getLong(0);
    }

    /**
     * Every exception in the chain, one per line. Flink may hand task failures back as {@code
     * SerializedThrowable}s, whose {@code toString()} still names the original class.
     */
    private static String causalChain(Throwable error) {
        StringBuilder chain = new StringBuilder();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            chain.append(cause).append('\n');
        }
        return chain.toString();
    }
}
